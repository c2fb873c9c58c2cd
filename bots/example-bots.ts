import type { SQSClient } from '@aws-sdk/client-sqs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { BotsConfig } from '../lambdas/core/bots-config';
import type { Logger } from '../lambdas/core/ports';
import type { BotQueueBody, WireMessage } from '../lambdas/core/wire';
import { ConversationClient, QueueBotWorker, type WebSocketConstructor } from '../sdk/node';
import { quotingReply, shouldAnswer, type ReplyFrame } from './bot-reply';
import { calculatorAnswer } from './calculator/arithmetic';
import { echoAnswer } from './echo/echo-reply';
import { ConversationBots } from './manager/conversation-bots';
import { routingManagerReplies } from './manager/routing-manager';
import { transparentManagerReplies } from './manager/transparent-manager';

/** Answering bots: a name and what it says to a human's text. */
const ANSWERS: Record<string, { prefix: string; answer: (text: string) => string }> = {
  Echo: { prefix: 'echo', answer: echoAnswer },
  Calculator: { prefix: 'calc', answer: calculatorAnswer },
};

/** Managers: what they send back for one delivery from their queue. */
const MANAGERS: Record<string, (delivery: BotQueueBody, bots: ConversationBots) => ReplyFrame[]> = {
  Manager: (delivery, bots) => routingManagerReplies(delivery, bots),
  Transparent: (delivery, bots) => transparentManagerReplies(delivery, bots),
};

export const EXAMPLE_BOT_NAMES = [...Object.keys(ANSWERS), ...Object.keys(MANAGERS)];

export interface ExampleBotsOptions {
  sqs: SQSClient;
  /** Bot name -> its queue URL (from the local stack). */
  botQueueUrls: Readonly<Record<string, string>>;
  repliesQueueUrl: string;
  /** The effective bot registry: only the example bots it names run, with the delivery it gives them. */
  bots: BotsConfig;
  log: Logger;
  /** Long-poll wait of the queue workers. @default 2 (short, so Ctrl-C is prompt) */
  waitTimeSeconds?: number;
}

export interface ExampleBots {
  /** Where `local://example-bots/…` invitation URLs point. */
  invitationBaseUrl: string;
  /** Names of the bots running. */
  running: string[];
  stop(): Promise<void>;
}

/**
 * Runs the example bots of the registry in this process: queue bots and the manager on their SQS
 * queues with the SDK's `QueueBotWorker`, websocket bots behind an HTTP invitation endpoint, each
 * invitation opening a `ConversationClient`.
 */
export async function startExampleBots(options: ExampleBotsOptions): Promise<ExampleBots> {
  const workers: QueueBotWorker[] = [];
  const clients = new Set<ConversationClient>();
  const running: string[] = [];

  for (const entry of options.bots.bots) {
    const queueUrl = options.botQueueUrls[entry.name];
    if (entry.delivery !== 'queue' || !queueUrl) continue;
    const isManager = entry.name === options.bots.manager;
    const manager = MANAGERS[entry.name];
    const answering = ANSWERS[entry.name];
    if (isManager && !manager) continue; // another program is the manager
    if (!isManager && !answering) continue; // not one of ours
    const bots = new ConversationBots();
    const worker = new QueueBotWorker({
      sqs: options.sqs,
      queueUrl,
      repliesQueueUrl: options.repliesQueueUrl,
      waitTimeSeconds: options.waitTimeSeconds ?? 2,
      log: options.log,
      handleMessage: async (delivery, reply) => {
        const frames =
          isManager && manager
            ? manager(delivery, bots)
            : answering && shouldAnswer(delivery.message, delivery.bot_participant_id)
              ? [quotingReply(delivery.message, answering.answer(delivery.message.text ?? ''), answering.prefix)]
              : [];
        for (const frame of frames) await reply(frame);
      },
    });
    worker.start();
    workers.push(worker);
    running.push(entry.name);
  }

  const websocketBots = options.bots.bots.filter((entry) => entry.delivery === 'websocket' && ANSWERS[entry.name]);
  const server: Server = createServer((request, response) => {
    const name = decodeURIComponent((request.url ?? '').replace(/^\/invite\//, ''));
    const answering = ANSWERS[name];
    if (request.method !== 'POST' || !answering) {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let invitation: { conversation_id?: string; bot_participant_id?: string; token?: string; websocket_url?: string };
      try {
        invitation = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        response.writeHead(400).end();
        return;
      }
      const { conversation_id: conversationId, bot_participant_id: self, token, websocket_url: url } = invitation;
      if (!conversationId || !self || !token || !url) {
        response.writeHead(400).end();
        return;
      }
      response.writeHead(202).end();
      const client = new ConversationClient({
        url,
        token,
        WebSocket: WebSocket as unknown as WebSocketConstructor,
        // Under a bot manager a bot sees only what is redirected to it: no timeline to keep in order.
        ordered: options.bots.manager === null,
      });
      clients.add(client);
      client.on('message', (message: WireMessage) => {
        if (message.type === 'S' && message.event === 'conversation-ended') {
          clients.delete(client);
          void client.close();
          return;
        }
        if (!shouldAnswer(message, self)) return;
        client.send(quotingReply(message, answering.answer(message.text ?? ''), answering.prefix)).catch((error: unknown) => {
          options.log.warn(`${name} could not answer`, { conversation_id: conversationId, error: String(error) });
        });
      });
      client.connect().then(
        () => options.log.info(`${name} joined a conversation`, { conversation_id: conversationId }),
        (error: unknown) => options.log.error(`${name} could not connect`, { conversation_id: conversationId, error: String(error) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  running.push(...websocketBots.map((entry) => entry.name));

  return {
    invitationBaseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    running,
    async stop() {
      // Let a pending poll finish and put back what it got, so no message waits out a visibility timeout.
      await Promise.all(workers.map((worker) => worker.stop({ drainPoll: true })));
      await Promise.all([...clients].map((client) => client.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
