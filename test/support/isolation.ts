/**
 * Test files share one DynamoDB Local and one SQS server per jest run; each isolates itself with
 * its own name prefix for tables and queues.
 */
import { tableNameFor } from '../../lambdas/adapters/dynamodb/table-design';
import { DeleteTableCommand, ResourceNotFoundException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteQueueCommand, QueueDoesNotExist, type SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { createBotQueues, createRepliesQueues, type QueuePair } from '../../local/provision/create-queues';
import { createConversationTable } from '../../local/provision/create-table';
import { testDynamoDbClient, testSqsClient } from './aws-clients';

/** Keeps prefixes short: SQS names stop at 80 characters and carry `-bot-<name>-dlq.fifo`. */
const MAX_LABEL_CHARS = 12;
const RANDOM_BYTES = 4;

/**
 * `t-<label>-<8 hex>`, at most 23 characters of `[a-z0-9-]`: valid in table and queue names,
 * and unique per call.
 *
 * @example uniquePrefix('Store tests') // 't-store-tests-9f86d081'
 */
export function uniquePrefix(label: string): string {
  const safeLabel =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, MAX_LABEL_CHARS)
      .replace(/^-+|-+$/g, '') || 'test';
  return `t-${safeLabel}-${randomBytes(RANDOM_BYTES).toString('hex')}`;
}

/** The table a stack with this prefix uses (as `local/stack.ts` names it). */
export function testTableName(prefix: string): string {
  return tableNameFor(prefix);
}

export interface TestTable {
  prefix: string;
  tableName: string;
}

export interface TestQueues {
  prefix: string;
  /** Bot name -> its queue and dead-letter queue. */
  bots: Record<string, QueuePair>;
  replies: QueuePair;
}

/** Creates a conversations table of its own for a test file. Pair with `deleteTestTable` in `afterAll`. */
export async function createTestTable(label: string, client?: DynamoDBClient): Promise<TestTable> {
  const prefix = uniquePrefix(label);
  const tableName = testTableName(prefix);
  await withClient(client, testDynamoDbClient, (dynamoDb) => createConversationTable(dynamoDb, tableName));
  return { prefix, tableName };
}

/** Creates the bots' and the replies queue pairs for a test file. Pair with `deleteTestQueues`. */
export async function createTestQueues(
  label: string,
  botNames: readonly string[],
  client?: SQSClient,
): Promise<TestQueues> {
  const prefix = uniquePrefix(label);
  return withClient(client, testSqsClient, async (sqs) => {
    const [bots, replies] = await Promise.all([createBotQueues(sqs, prefix, botNames), createRepliesQueues(sqs, prefix)]);
    return { prefix, bots, replies };
  });
}

/** Deletes a test table; one already gone is fine. */
export async function deleteTestTable(tableName: string, client?: DynamoDBClient): Promise<void> {
  await withClient(client, testDynamoDbClient, async (dynamoDb) => {
    try {
      await dynamoDb.send(new DeleteTableCommand({ TableName: tableName }));
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  });
}

/** Deletes every queue of `createTestQueues`; queues already gone are fine. */
export async function deleteTestQueues(queues: Pick<TestQueues, 'bots' | 'replies'>, client?: SQSClient): Promise<void> {
  const urls = [...Object.values(queues.bots), queues.replies].flatMap((pair) => [pair.url, pair.dlqUrl]);
  await withClient(client, testSqsClient, async (sqs) => {
    await Promise.all(
      urls.map(async (url) => {
        try {
          await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
        } catch (error) {
          if (!(error instanceof QueueDoesNotExist)) throw error;
        }
      }),
    );
  });
}

/** Uses the caller's client, or a temporary one destroyed afterwards. */
async function withClient<C extends { destroy(): void }, T>(
  client: C | undefined,
  create: () => C,
  use: (client: C) => Promise<T>,
): Promise<T> {
  if (client) return use(client);
  const temporary = create();
  try {
    return await use(temporary);
  } finally {
    temporary.destroy();
  }
}
