import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { escapeNonAscii } from '../core/ascii-json';
import { describeError, processFifoBatch } from './fifo-batch';
import type { ConversationConsumer } from '../core/conversation-consumer';
import { ConversationError, ErrorCode } from '../core/errors';
import type { Logger } from '../core/ports';

export interface RepliesConsumerDependencies {
  consumer: Pick<ConversationConsumer, 'receiveBotReply'>;
  sqs: SQSClient;
  /** Refused replies go here at once, with the reason, so they never hold back their conversation. */
  deadLetterQueueUrl: string;
  log: Logger;
}

/**
 * Reads the replies queue (bot manager and `queue` bots). Each reply is handled by the same core as
 * a WebSocket frame. A refused reply is logged and moved to the dead-letter queue without retries;
 * a failure of ours (e.g. DynamoDB throttling) is reported as a batch item failure and retried,
 * together with every later record of the same conversation, to keep the conversation in order.
 */
export function repliesHandler(deps: RepliesConsumerDependencies) {
  return (event: SQSEvent): Promise<SQSBatchResponse> =>
    processFifoBatch(
      event,
      (record) => handleRecord(deps, record),
      (record, error) =>
        deps.log.error('reply failed; it will be retried', { sqs_message_id: record.messageId, error: describeError(error) }),
    );
}

async function handleRecord(deps: RepliesConsumerDependencies, record: SQSRecord): Promise<void> {
  let reply: unknown;
  try {
    reply = JSON.parse(record.body);
  } catch {
    await deadLetter(deps, record, new ConversationError(ErrorCode.INVALID_JSON, 'reply body is not valid JSON'));
    return;
  }
  try {
    const outcome = await deps.consumer.receiveBotReply(reply);
    deps.log.info(outcome.duplicate ? 'reply was a resend; not stored again' : 'reply stored', {
      sqs_message_id: record.messageId,
      message_id: outcome.messageId,
    });
  } catch (error) {
    if (!(error instanceof ConversationError)) throw error;
    await deadLetter(deps, record, error);
  }
}

async function deadLetter(deps: RepliesConsumerDependencies, record: SQSRecord, refusal: ConversationError): Promise<void> {
  deps.log.warn('reply refused; moved to the dead-letter queue', {
    sqs_message_id: record.messageId,
    code: refusal.code,
    reason: refusal.message,
  });
  await deps.sqs.send(
    new SendMessageCommand({
      QueueUrl: deps.deadLetterQueueUrl,
      MessageBody: record.body,
      MessageGroupId: record.attributes.MessageGroupId ?? 'refused',
      MessageDeduplicationId: record.messageId,
      MessageAttributes: {
        error_code: { DataType: 'String', StringValue: refusal.code },
        error_message: { DataType: 'String', StringValue: escapeNonAscii(refusal.message) },
      },
    }),
  );
}
