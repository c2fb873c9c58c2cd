import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeError, processFifoBatch } from '../../lambdas/handlers/fifo-batch';
import type { Logger } from '../../lambdas/core/ports';
import type { BotQueueBody, WireMessage } from '../../lambdas/core/wire';
import { sendBotReply } from '../../sdk/node';
import type { ExampleQueueBot } from '../example-registry';

export interface ExampleBotHandlerDependencies {
  sqs: SQSClient;
  /** The replies queue (FIFO) the backend reads. */
  repliesQueueUrl: string;
  /** Built once per container: a manager's knowledge of conversations lives in it. */
  bot: ExampleQueueBot;
  log: Logger;
}

/** Why a body can never be handled, whatever the number of attempts. */
class UnusableDelivery extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'UnusableDelivery';
  }
}

/**
 * The Lambda handler of an example `queue` bot, for SQS events from its FIFO queue (group =
 * conversation). Records are handled one by one, in order; each reply frame goes to the replies
 * queue with the SDK's `sendBotReply` (group = the conversation, de-duplication id derived from
 * the frame's `local_id`, itself derived from the answered message, so a retried record sends the
 * same replies and the backend stores them once).
 *
 * A failure (e.g. SQS refusing a send) is reported as a batch item failure, and so is every later
 * record of the same conversation in the batch, so none overtakes it; the other conversations go
 * on. After the queue's `maxReceiveCount` a failing record moves to the bot's dead-letter queue.
 * A body that is not JSON, or not a delivery (SPEC 3), is logged and dropped: it can never succeed,
 * and redelivering it would only hold back its conversation until the redrive.
 */
export function exampleBotHandler(deps: ExampleBotHandlerDependencies) {
  return (event: SQSEvent): Promise<SQSBatchResponse> =>
    processFifoBatch(
      event,
      (record) => handleRecord(deps, record),
      (record, error) =>
        deps.log.error('example bot failed on a delivery; it will be retried with the later ones of its conversation', {
          bot: deps.bot.name,
          sqs_message_id: record.messageId,
          receive_count: record.attributes.ApproximateReceiveCount,
          error: describeError(error),
        }),
    );
}

async function handleRecord(deps: ExampleBotHandlerDependencies, record: SQSRecord): Promise<void> {
  let delivery: BotQueueBody;
  try {
    delivery = parseDelivery(record.body);
  } catch (error) {
    if (!(error instanceof UnusableDelivery)) throw error;
    deps.log.error('queue message is not a delivery; dropped', {
      bot: deps.bot.name,
      sqs_message_id: record.messageId,
      reason: error.message,
      body_bytes: Buffer.byteLength(record.body),
    });
    return;
  }
  const frames = deps.bot.replies(delivery);
  for (const frame of frames) {
    await sendBotReply(deps.sqs, deps.repliesQueueUrl, {
      conversation_id: delivery.conversation_id,
      bot_participant_id: delivery.bot_participant_id,
      message: frame,
    });
  }
  deps.log.debug('delivery handled', {
    bot: deps.bot.name,
    sqs_message_id: record.messageId,
    conversation_id: delivery.conversation_id,
    replies: frames.length,
  });
}

/** A bot queue body (SPEC 3): `{conversation_id, bot_participant_id, message}`. */
function parseDelivery(body: string): BotQueueBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new UnusableDelivery('body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UnusableDelivery('body is not a JSON object');
  }
  const fields = parsed as Record<string, unknown>;
  if (!isNonEmptyString(fields.conversation_id) || !isNonEmptyString(fields.bot_participant_id)) {
    throw new UnusableDelivery('conversation_id and bot_participant_id must be non-empty strings');
  }
  const message = fields.message;
  const isObject = typeof message === 'object' && message !== null && !Array.isArray(message);
  if (!isObject || !isNonEmptyString((message as { id?: unknown }).id)) {
    throw new UnusableDelivery('message must be an object with an id');
  }
  return {
    conversation_id: fields.conversation_id,
    bot_participant_id: fields.bot_participant_id,
    message: message as WireMessage,
  };
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}
