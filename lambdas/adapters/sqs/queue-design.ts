/**
 * The one module that owns queue names and shapes, for the CDK stack, the local runner and the
 * SQS adapter alike. Every queue is FIFO: the group id is the conversation id, so each
 * conversation stays in order while conversations proceed in parallel.
 */

export const QUEUE_SETTINGS = {
  fifo: true,
  /** Explicit de-duplication ids (message id + approval status); content-based would merge resends. */
  contentBasedDeduplication: false,
  /** @default 60 s: a bot worker extends it while it works (heartbeat). */
  visibilityTimeoutSeconds: 60,
  /** Messages a bot never takes are kept this long. */
  retentionSeconds: 4 * 24 * 60 * 60,
  /** After this many failed receives a message moves to the dead-letter queue. */
  maxReceiveCount: 5,
  dlqRetentionSeconds: 14 * 24 * 60 * 60,
} as const;

/** Characters SQS allows in a queue name, besides the `.fifo` suffix. */
export function queueNameSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** Queue that feeds one `queue` bot (the bot manager is one): `<prefix>-bot-<name>.fifo`. */
export function botQueueName(prefix: string, botName: string): string {
  return `${prefix}-bot-${queueNameSafe(botName)}.fifo`;
}

export function botDeadLetterQueueName(prefix: string, botName: string): string {
  return `${prefix}-bot-${queueNameSafe(botName)}-dlq.fifo`;
}

/** Queue the manager and `queue` bots send their replies to. */
export function repliesQueueName(prefix: string): string {
  return `${prefix}-replies.fifo`;
}

export function repliesDeadLetterQueueName(prefix: string): string {
  return `${prefix}-replies-dlq.fifo`;
}
