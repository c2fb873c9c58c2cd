import type { SQSClient } from '@aws-sdk/client-sqs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import type { BotsConfig } from '../lambdas/core/bots-config';
import type { Logger } from '../lambdas/core/ports';
import type { WireMessage } from '../lambdas/core/wire';
import { ConversationClient, QueueBotWorker, type WebSocketConstructor } from '../sdk/node';
import { quotingReply, shouldAnswer } from './bot-reply';
import { ANSWERING_BOTS, MANAGER_BOTS, exampleQueueBot, exampleWorkerBots } from './example-registry';

export const EXAMPLE_BOT_NAMES = [...ANSWERING_BOTS.keys(), ...MANAGER_BOTS.keys()];

export interface ExampleBotsOptions {
  sqs: SQSClient;
  /** Bot name -> its queue URL (from the local stack). */
  botQueueUrls: Readonly<Record<string, string>>;
  repliesQueueUrl: string;
  /** The effective bot registry: only the example bots it names run, with the delivery it gives them. */
  bots: BotsConfig;
  /**
   * Names of the registry's entries that the user's `BOTS_FILE` put in place of the default file's
   * (`loadBots` in `local/bots-config.ts`): no example runs for them, even with an example's name.
   * @default []
   */
  replaced?: readonly string[];
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

  // Only example bots run here, and not for an entry the user's BOTS_FILE supplied in their place.
  const examples = exampleWorkerBots(options.bots, options.replaced);
  for (const entry of examples) {
    const queueUrl = options.botQueueUrls[entry.name];
    if (entry.delivery !== 'queue' || !queueUrl) continue;
    const bot = exampleQueueBot(entry.name);
    const worker = new QueueBotWorker({
      sqs: options.sqs,
      queueUrl,
      repliesQueueUrl: options.repliesQueueUrl,
      waitTimeSeconds: options.waitTimeSeconds ?? 2,
      log: options.log,
      handleMessage: async (delivery, reply) => {
        for (const frame of bot.replies(delivery)) await reply(frame);
      },
    });
    worker.start();
    workers.push(worker);
    running.push(entry.name);
  }

  const websocketBots = examples.filter((entry) => entry.delivery === 'websocket');
  const server: Server = createServer((request, response) => {
    let name: string;
    try {
      name = decodeURIComponent((request.url ?? '').replace(/^\/invite\//, ''));
    } catch {
      name = ''; // a malformed escape names no bot
    }
    const answering = websocketBots.some((entry) => entry.name === name) ? ANSWERING_BOTS.get(name) : undefined;
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
