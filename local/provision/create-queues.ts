import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueNameExists,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import {
  botDeadLetterQueueName,
  botQueueName,
  QUEUE_SETTINGS,
  repliesDeadLetterQueueName,
  repliesQueueName,
} from '../../lambdas/adapters/sqs/queue-design';

/** A work queue and the dead-letter queue its redrive policy points at. */
export interface QueuePair {
  url: string;
  dlqUrl: string;
}

/** Settable attributes of one queue, as SQS takes them (strings). */
type QueueAttributes = Record<string, string>;

/** Attributes every queue shares: FIFO with explicit de-duplication ids (`QUEUE_SETTINGS`). */
function fifoAttributes(): QueueAttributes {
  return {
    FifoQueue: String(QUEUE_SETTINGS.fifo),
    ContentBasedDeduplication: String(QUEUE_SETTINGS.contentBasedDeduplication),
  };
}

export function deadLetterQueueAttributes(): QueueAttributes {
  return { ...fifoAttributes(), MessageRetentionPeriod: String(QUEUE_SETTINGS.dlqRetentionSeconds) };
}

export function workQueueAttributes(deadLetterQueueArn: string): QueueAttributes {
  return {
    ...fifoAttributes(),
    VisibilityTimeout: String(QUEUE_SETTINGS.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(QUEUE_SETTINGS.retentionSeconds),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetterQueueArn,
      maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
    }),
  };
}

/**
 * Creates the queue pair of each `queue` bot (the bot manager is one): `<prefix>-bot-<name>.fifo`
 * redriving to `<prefix>-bot-<name>-dlq.fifo` after `QUEUE_SETTINGS.maxReceiveCount` receives.
 * Idempotent: existing queues are kept with their messages, and their attributes reset to the design.
 *
 * @example const queues = await createBotQueues(sqs, 'local', ['Manager']); // queues.Manager.url
 */
export async function createBotQueues(
  client: SQSClient,
  prefix: string,
  botNames: readonly string[],
): Promise<Record<string, QueuePair>> {
  const pairs = await Promise.all(
    botNames.map(
      async (botName) =>
        [
          botName,
          await createQueuePair(client, botQueueName(prefix, botName), botDeadLetterQueueName(prefix, botName)),
        ] as const,
    ),
  );
  return Object.fromEntries(pairs);
}

/** Creates the replies queue the manager and `queue` bots send to, and its dead-letter queue. Idempotent. */
export function createRepliesQueues(client: SQSClient, prefix: string): Promise<QueuePair> {
  return createQueuePair(client, repliesQueueName(prefix), repliesDeadLetterQueueName(prefix));
}

async function createQueuePair(client: SQSClient, name: string, deadLetterQueueName: string): Promise<QueuePair> {
  const dlqUrl = await ensureQueue(client, deadLetterQueueName, deadLetterQueueAttributes());
  const { Attributes: dlqAttributes } = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
  );
  const dlqArn = dlqAttributes?.QueueArn;
  if (!dlqArn) throw new Error(`queue ${deadLetterQueueName} has no QueueArn`);
  const url = await ensureQueue(client, name, workQueueAttributes(dlqArn));
  return { url, dlqUrl };
}

/**
 * CreateQueue returns the existing queue when the attributes match. When they differ (a queue
 * from an older design, or one a test changed), SQS refuses; then the attributes are reset.
 */
async function ensureQueue(client: SQSClient, name: string, attributes: QueueAttributes): Promise<string> {
  try {
    const { QueueUrl: url } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!url) throw new Error(`CreateQueue ${name} returned no QueueUrl`);
    return url;
  } catch (error) {
    if (!isQueueNameTaken(error)) throw error;
  }
  const { QueueUrl: url } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!url) throw new Error(`GetQueueUrl ${name} returned no QueueUrl`);
  // FifoQueue cannot change; the name's `.fifo` suffix already fixes it.
  const settable = Object.fromEntries(Object.entries(attributes).filter(([key]) => key !== 'FifoQueue'));
  await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: settable }));
  return url;
}

/**
 * The SDK maps SQS's query-compatible code `QueueAlreadyExists` to `QueueNameExists`; fauxqs 1.x
 * sends `AWS.SimpleQueueService.QueueNameExists` instead, which the SDK leaves as the error's name.
 */
function isQueueNameTaken(error: unknown): boolean {
  return (
    error instanceof QueueNameExists ||
    (error instanceof Error && /(^|\.)(QueueAlreadyExists|QueueNameExists)$/.test(error.name))
  );
}
