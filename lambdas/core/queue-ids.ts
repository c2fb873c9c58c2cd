/**
 * De-duplication id of a message sent to a bot queue: the same message at the same approval status
 * is sent once (SQS FIFO drops a repeat within 5 minutes), while its approval is a new delivery.
 * A redirect is a delivery of its own, keyed by the manager message that asked for it: a second
 * redirect of the same message reaches the bot, a replay of the same command does not.
 *
 * @example deduplicationId(id, 1) // `${id}-1`
 * @example deduplicationId(id, 1, commandId) // `${id}-1-${commandId}`
 */
export function deduplicationId(messageId: string, approvalStatus: number, redirectedBy?: string): string {
  return redirectedBy === undefined ? `${messageId}-${approvalStatus}` : `${messageId}-${approvalStatus}-${redirectedBy}`;
}

/** How long SQS FIFO queues drop a repeated de-duplication id. */
export const QUEUE_DEDUPLICATION_WINDOW_MS = 5 * 60_000;

/**
 * A resend of a stored message may send it to the bot queues again only this soon after it was
 * stored: SQS then drops the repeat unless the first send was lost (a crash between the write and
 * the send), so the resend heals a loss and never delivers twice. The minute of margin covers clock
 * skew between Lambdas and the time spent before the first send.
 */
export const QUEUE_RESEND_WINDOW_MS = QUEUE_DEDUPLICATION_WINDOW_MS - 60_000;

/** Whether a message stored at `storedAt` (ISO time) may be sent to the bot queues again at `now`. */
export function mayResendToQueues(storedAt: string, now: Date): boolean {
  const age = now.getTime() - Date.parse(storedAt);
  return Number.isFinite(age) && age < QUEUE_RESEND_WINDOW_MS;
}
