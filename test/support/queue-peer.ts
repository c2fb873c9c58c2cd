import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';

/** A delivery as a queue bot reads it from its queue (SPEC 3 queue bodies). */
export interface QueueDeliveryBody {
  conversation_id: string;
  bot_participant_id: string;
  message: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/**
 * Plays a `queue` bot (or the bot manager) in tests against the real SQS server: reads its queue
 * and sends replies to the replies queue, exactly as an outside bot would.
 */
export class QueuePeer {
  readonly received: QueueDeliveryBody[] = [];

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly repliesQueueUrl: string,
  ) {}

  /** Receives (and deletes) until a delivery matches; earlier ones are kept in `received`. */
  async waitFor(predicate: (body: QueueDeliveryBody) => boolean, timeoutMs = 8000): Promise<QueueDeliveryBody> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.received.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no matching queue delivery; got ${JSON.stringify(this.received).slice(0, 2000)}`);
      }
      await this.poll(1);
    }
  }

  /** Receives whatever arrives within `seconds` (to check that nothing more came). */
  async drain(seconds = 1): Promise<QueueDeliveryBody[]> {
    const before = this.received.length;
    await this.poll(seconds);
    return this.received.slice(before);
  }

  async reply(conversationId: string, botParticipantId: string, message: Record<string, unknown>): Promise<void> {
    await this.sendRaw(JSON.stringify({ conversation_id: conversationId, bot_participant_id: botParticipantId, message }), conversationId);
  }

  async sendRaw(body: string, groupId: string): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.repliesQueueUrl,
        MessageBody: body,
        MessageGroupId: groupId,
        MessageDeduplicationId: randomUUID(),
      }),
    );
  }

  private async poll(waitSeconds: number): Promise<void> {
    const output = await this.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }),
    );
    for (const message of output.Messages ?? []) {
      this.received.push(JSON.parse(message.Body ?? '{}') as QueueDeliveryBody);
      await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
    }
  }
}
