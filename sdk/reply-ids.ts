import { createHash } from 'node:crypto';
import { base64url } from './local-id';

/**
 * The `local_id` of the `index`-th reply a bot sends while handling one SQS message (Node only).
 * It depends only on the bot and the SQS message id, which stays the same across redeliveries:
 * a handler that replied and then failed replies again with the same `local_id` on the retry, and
 * the server stores the reply once. 22 base64url characters.
 *
 * @example
 * replyLocalId(botParticipantId, sqsMessage.MessageId!, 0);
 */
export function replyLocalId(botParticipantId: string, sqsMessageId: string, index: number): string {
  const digest = createHash('sha256').update(`${botParticipantId}\u0000${sqsMessageId}\u0000${index}`).digest();
  return base64url(digest.subarray(0, 16));
}

/**
 * `MessageDeduplicationId` of a reply on the replies queue: the same bot sending the same `local_id`
 * in the same conversation is one SQS message within SQS's 5-minute window (the server's own
 * `local_id` de-duplication covers any later resend). 64 hex characters, within SQS's 128.
 */
export function replyDeduplicationId(conversationId: string, botParticipantId: string, localId: string): string {
  return createHash('sha256').update(`${conversationId}\u0000${botParticipantId}\u0000${localId}`).digest('hex');
}
