import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';

/** An SQS record as Lambda hands it over from a FIFO queue (`groupId`: the conversation). */
export function fifoRecord(body: string, groupId: string, queueName = 'replies.fifo'): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: 'handle',
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AROAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      MessageGroupId: groupId,
      MessageDeduplicationId: randomUUID(),
      SequenceNumber: '1',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueName}`,
    awsRegion: 'us-east-1',
  };
}
