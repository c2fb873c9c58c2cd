import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { toAsciiJson } from '../../core/ascii-json';
import type { BotQueueSender, QueueDelivery } from '../../core/ports';

/** Thrown when a conversation names a queue bot this deployment has no queue for. */
export class UnknownBotQueue extends Error {
  constructor(readonly botName: string) {
    super(`no queue is configured for bot "${botName}"`);
    this.name = 'UnknownBotQueue';
  }
}

/** The `BotQueueSender` port on SQS FIFO queues, one per `queue` bot. */
export class SqsBotQueueSender implements BotQueueSender {
  constructor(
    private readonly client: SQSClient,
    /** Bot name -> queue URL. */
    private readonly queueUrls: Readonly<Record<string, string>>,
  ) {}

  async send(delivery: QueueDelivery): Promise<void> {
    const queueUrl = this.queueUrls[delivery.botName];
    if (!queueUrl) throw new UnknownBotQueue(delivery.botName);
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: toAsciiJson(delivery.body),
        MessageGroupId: delivery.groupId,
        MessageDeduplicationId: delivery.deduplicationId,
      }),
    );
  }
}
