import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { setTimeout as delay } from 'node:timers/promises';
import { TABLE_DEFINITION } from '../../lambdas/adapters/dynamodb/table-design';

/** DynamoDB Local makes tables ACTIVE at once; the wait matters for a real endpoint. */
export const TABLE_ACTIVE_TIMEOUT_MS = 60_000;
const TABLE_STATUS_POLL_INTERVAL_MS = 100;

/** `CreateTable` input for the conversations table, from the one design module. */
export function conversationTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    AttributeDefinitions: [
      { AttributeName: TABLE_DEFINITION.partitionKey.name, AttributeType: TABLE_DEFINITION.partitionKey.type },
      { AttributeName: TABLE_DEFINITION.sortKey.name, AttributeType: TABLE_DEFINITION.sortKey.type },
    ],
    KeySchema: [
      { AttributeName: TABLE_DEFINITION.partitionKey.name, KeyType: 'HASH' },
      { AttributeName: TABLE_DEFINITION.sortKey.name, KeyType: 'RANGE' },
    ],
    BillingMode: TABLE_DEFINITION.billing,
  };
}

/**
 * Creates the conversations table (keys and billing from `TABLE_DEFINITION`), waits until it is
 * ACTIVE and enables TTL on `TABLE_DEFINITION.timeToLiveAttribute`. Idempotent: an existing table
 * with the designed keys is kept as it is, data included; one with other keys is an error.
 *
 * @example await createConversationTable(client, 'local-conversations');
 */
export async function createConversationTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new CreateTableCommand(conversationTableInput(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const table = await waitForTableActive(client, tableName);
  assertDesignedKeys(table);
  await enableTimeToLive(client, tableName);
}

async function waitForTableActive(client: DynamoDBClient, tableName: string): Promise<TableDescription> {
  const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
  for (;;) {
    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (table?.TableStatus === 'ACTIVE') return table;
    if (Date.now() >= deadline) {
      throw new Error(`table ${tableName} is still ${table?.TableStatus ?? 'unknown'} after ${TABLE_ACTIVE_TIMEOUT_MS} ms`);
    }
    await delay(TABLE_STATUS_POLL_INTERVAL_MS);
  }
}

function assertDesignedKeys(table: TableDescription): void {
  const keyOf = (keyType: 'HASH' | 'RANGE') => table.KeySchema?.find((key) => key.KeyType === keyType)?.AttributeName;
  const hash = keyOf('HASH');
  const range = keyOf('RANGE');
  if (hash !== TABLE_DEFINITION.partitionKey.name || range !== TABLE_DEFINITION.sortKey.name) {
    throw new Error(
      `table ${table.TableName} already exists with keys (${hash ?? 'none'}, ${range ?? 'none'}), ` +
        `not (${TABLE_DEFINITION.partitionKey.name}, ${TABLE_DEFINITION.sortKey.name}); delete it or use another name`,
    );
  }
}

/** UpdateTimeToLive refuses to enable TTL twice, so it runs only when TTL is off. */
async function enableTimeToLive(client: DynamoDBClient, tableName: string): Promise<void> {
  const attributeName = TABLE_DEFINITION.timeToLiveAttribute;
  const { TimeToLiveDescription: current } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (current?.TimeToLiveStatus === 'ENABLED' || current?.TimeToLiveStatus === 'ENABLING') {
    if (current.AttributeName === attributeName) return;
    throw new Error(
      `table ${tableName} already has TTL on "${current.AttributeName}", not "${attributeName}"; delete it or use another name`,
    );
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true },
      }),
    );
  } catch (error) {
    // A concurrent caller enabled it between our Describe and Update: check it is ours.
    if (!(error instanceof Error && /already enabled/i.test(error.message))) throw error;
    const { TimeToLiveDescription: now } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    if (now?.AttributeName !== attributeName) throw error;
  }
}
