/**
 * The bots' side of the cost benchmark: the example manager's routing logic and the example
 * Calculator's answers (`bots/`), run on their real SQS queues, one delivery at a time when the
 * benchmark says so. Each step is what a queue worker does: receive one message, answer it on the
 * replies queue, delete it. Driving the steps by hand keeps every SQS request attributable to the
 * message that caused it.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { BotQueueBody } from '../lambdas/core/wire';
import { quotingReply, shouldAnswer, type ReplyFrame } from '../bots/bot-reply';
import { calculatorAnswer } from '../bots/calculator/arithmetic';
import { ConversationBots } from '../bots/manager/conversation-bots';
import { routingManagerReplies } from '../bots/manager/routing-manager';

/** Long-poll wait of one receive; a step retries until `STEP_TIMEOUT_MS`. */
const RECEIVE_WAIT_SECONDS = 2;
const STEP_TIMEOUT_MS = 15_000;

export interface StepResult {
  delivery: BotQueueBody;
  replies: ReplyFrame[];
}

export class ScriptedQueueBot {
  private readonly bots = new ConversationBots();

  constructor(
    readonly name: string,
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly repliesQueueUrl: string,
    private readonly answer: (delivery: BotQueueBody, bots: ConversationBots) => ReplyFrame[],
  ) {}

  /** The example bot manager (`routingManagerReplies`): routes questions, approves answers. */
  static manager(sqs: SQSClient, queueUrl: string, repliesQueueUrl: string): ScriptedQueueBot {
    return new ScriptedQueueBot('Manager', sqs, queueUrl, repliesQueueUrl, (delivery, bots) => routingManagerReplies(delivery, bots));
  }

  /** The example Calculator: answers what a human asked it with the result. */
  static calculator(sqs: SQSClient, queueUrl: string, repliesQueueUrl: string): ScriptedQueueBot {
    return new ScriptedQueueBot('Calculator', sqs, queueUrl, repliesQueueUrl, (delivery) =>
      shouldAnswer(delivery.message, delivery.bot_participant_id)
        ? [quotingReply(delivery.message, calculatorAnswer(delivery.message.text ?? ''), 'calc')]
        : [],
    );
  }

  /** Receives one delivery, sends its replies, deletes it. */
  async step(): Promise<StepResult> {
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    for (;;) {
      const { Messages: messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: RECEIVE_WAIT_SECONDS }),
      );
      const message = messages[0];
      if (message) {
        const delivery = JSON.parse(message.Body ?? '{}') as BotQueueBody;
        const replies = this.answer(delivery, this.bots);
        for (const reply of replies) await this.reply(delivery, reply);
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
        return { delivery, replies };
      }
      if (Date.now() > deadline) throw new Error(`${this.name}: nothing arrived on its queue within ${STEP_TIMEOUT_MS} ms`);
    }
  }

  /** Takes everything waiting (set-up messages), learning the conversations' bots as it goes. */
  async drain(): Promise<number> {
    let taken = 0;
    for (;;) {
      const { Messages: messages = [] } = await this.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if (messages.length === 0) return taken;
      for (const message of messages) {
        const delivery = JSON.parse(message.Body ?? '{}') as BotQueueBody;
        if (delivery.message?.type === 'S') this.bots.observe(delivery.conversation_id, delivery.message);
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
        taken += 1;
      }
    }
  }

  private async reply(delivery: BotQueueBody, frame: ReplyFrame): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.repliesQueueUrl,
        MessageBody: JSON.stringify({
          conversation_id: delivery.conversation_id,
          bot_participant_id: delivery.bot_participant_id,
          message: frame,
        }),
        MessageGroupId: delivery.conversation_id,
        MessageDeduplicationId: randomUUID(),
      }),
    );
  }
}
