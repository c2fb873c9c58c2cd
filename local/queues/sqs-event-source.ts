import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsLambda = (event: SQSEvent) => Promise<SQSBatchResponse | void>;

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** ARN-like name put in the records' `eventSourceARN`. */
  queueArn?: string;
  handler: SqsLambda;
  /** @default 10 (the Lambda event source's FIFO maximum) */
  batchSize?: number;
  /** Long-poll wait per receive. @default 1 (short, so stop() is prompt) */
  waitTimeSeconds?: number;
  log?: (line: string) => void;
}

export interface SqsEventSource {
  stop(): Promise<void>;
}

/**
 * What Lambda's SQS event source mapping does, locally: receive a batch, invoke the handler with an
 * `SQSEvent`, delete the records it did not report in `batchItemFailures` (those become visible
 * again and, after maxReceiveCount, move to the dead-letter queue).
 */
export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const controller = new AbortController();
  let running = true;
  const loop = (async () => {
    while (running) {
      let messages: Message[] = [];
      try {
        const output = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            WaitTimeSeconds: options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: controller.signal },
        );
        messages = output.Messages ?? [];
      } catch (error) {
        if (!running) break;
        options.log?.(`sqs event source: receive failed: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      if (messages.length === 0) continue;
      const records = messages.map((message) => toRecord(message, options.queueArn ?? options.queueUrl));
      let failed = new Set<string>();
      try {
        const response = await options.handler({ Records: records });
        failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
      } catch (error) {
        options.log?.(`sqs event source: handler threw; the whole batch will be retried: ${String(error)}`);
        failed = new Set(records.map((record) => record.messageId));
      }
      const done = messages.filter((message) => !failed.has(message.MessageId!));
      if (done.length > 0) {
        await options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: options.queueUrl,
            Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
          }),
        );
      }
    }
  })();
  return {
    async stop() {
      running = false;
      controller.abort();
      await loop.catch(() => undefined);
    },
  };
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      ...(attributes.MessageGroupId ? { MessageGroupId: attributes.MessageGroupId } : {}),
      ...(attributes.MessageDeduplicationId ? { MessageDeduplicationId: attributes.MessageDeduplicationId } : {}),
      ...(attributes.SequenceNumber ? { SequenceNumber: attributes.SequenceNumber } : {}),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}
