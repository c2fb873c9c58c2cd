import { toAsciiJson } from './protocol';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { InvalidFrameError } from './errors';
import { generateLocalId, isValidLocalId } from './local-id';
import { LIMITS, MessageType, type MessageDraft, type MessageFrame } from './protocol';
import { replyDeduplicationId } from './reply-ids';

/** What a `queue` bot (or the bot manager) sends to the replies queue (SPEC 3 queue bodies). */
export interface BotReply {
  conversation_id: string;
  /** The sending bot's participant id in that conversation. */
  bot_participant_id: string;
  /** A client message frame; `type` defaults to `'T'`, `local_id` to a fresh random one. */
  message: MessageDraft;
}

/**
 * Sends one reply to the replies queue (Node only): FIFO group = the conversation id, so a
 * conversation's replies are applied in order; de-duplication id derived from the `local_id`, so a
 * resend is idempotent end to end. Resolves with the frame as sent (its `local_id` filled in).
 *
 * @example
 * await sendBotReply(sqs, repliesQueueUrl, {
 *   conversation_id, bot_participant_id,
 *   message: { text: '14', quoted_message_id: question.id, local_id: 'answer-1' },
 * });
 */
export async function sendBotReply(
  sqs: SQSClient,
  repliesQueueUrl: string,
  reply: BotReply,
  options: { abortSignal?: AbortSignal } = {},
): Promise<MessageFrame> {
  const localId = reply.message.local_id ?? generateLocalId();
  if (!isValidLocalId(localId)) {
    throw new InvalidFrameError(`local_id must be a non-empty string of at most ${LIMITS.MAX_LOCAL_ID_CHARS} characters`);
  }
  const message: MessageFrame = { ...reply.message, type: reply.message.type ?? MessageType.TEXT, local_id: localId };
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: repliesQueueUrl,
      // ASCII-only JSON: SQS refuses some characters, and the local SQS server refuses emoji.
      MessageBody: toAsciiJson({
        conversation_id: reply.conversation_id,
        bot_participant_id: reply.bot_participant_id,
        message,
      }),
      MessageGroupId: reply.conversation_id,
      MessageDeduplicationId: replyDeduplicationId(reply.conversation_id, reply.bot_participant_id, localId),
    }),
    options.abortSignal ? { abortSignal: options.abortSignal } : {},
  );
  return message;
}
