/**
 * De-duplication id of a message sent to a bot queue: the same message at the same approval status
 * is sent once (SQS FIFO drops a repeat within 5 minutes), while its approval is a new delivery.
 */
export function deduplicationId(messageId: string, approvalStatus: number): string {
  return `${messageId}-${approvalStatus}`;
}
