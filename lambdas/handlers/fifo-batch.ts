import type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Handles an SQS batch from a FIFO queue record by record, in order. A record that throws is
 * reported as a batch item failure, and so is every later record of its message group (its
 * conversation), so none overtakes it on the retry; other groups go on. `onFailure` says why.
 * A record without a group (a standard queue) is its own group: there is no order to keep.
 */
export async function processFifoBatch(
  event: SQSEvent,
  handleRecord: (record: SQSRecord) => Promise<void>,
  onFailure: (record: SQSRecord, error: unknown) => void,
): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchItemFailure[] = [];
  const blockedGroups = new Set<string>();
  for (const record of event.Records) {
    const group = record.attributes.MessageGroupId ?? `message:${record.messageId}`;
    if (blockedGroups.has(group)) {
      batchItemFailures.push({ itemIdentifier: record.messageId });
      continue;
    }
    try {
      await handleRecord(record);
    } catch (error) {
      onFailure(record, error);
      batchItemFailures.push({ itemIdentifier: record.messageId });
      blockedGroups.add(group);
    }
  }
  return { batchItemFailures };
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
