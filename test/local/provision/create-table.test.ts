/**
 * The conversations table as `createConversationTable` makes it on real DynamoDB Local:
 * the designed keys, on-demand billing, TTL, and safe to run again.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLE_DEFINITION, TABLE_KEYS } from '../../../lambdas/adapters/dynamodb/table-design';
import { createConversationTable } from '../../../local/provision/create-table';
import { testDynamoDbClient } from '../../support/aws-clients';
import { createTestTable, deleteTestTable, testTableName, uniquePrefix } from '../../support/isolation';

const client = testDynamoDbClient();
const tablesToDelete: string[] = [];

async function newTable(label: string): Promise<string> {
  const { tableName } = await createTestTable(label, client);
  tablesToDelete.push(tableName);
  return tableName;
}

afterAll(async () => {
  await Promise.all(tablesToDelete.map((tableName) => deleteTestTable(tableName, client)));
  client.destroy();
});

describe('createConversationTable', () => {
  it('creates an active on-demand table keyed exactly by the designed partition and sort keys', async () => {
    const tableName = await newTable('keys');

    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));

    expect(table?.TableStatus).toBe('ACTIVE');
    expect(table?.KeySchema).toEqual([
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table?.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: TABLE_KEYS.partitionKey, AttributeType: 'S' },
        { AttributeName: TABLE_KEYS.sortKey, AttributeType: 'S' },
      ]),
    );
    expect(table?.AttributeDefinitions).toHaveLength(2);
    expect(table?.GlobalSecondaryIndexes).toBeUndefined();
    expect(table?.BillingModeSummary?.BillingMode).toBe(TABLE_DEFINITION.billing);
  });

  it('enables TTL on the designed attribute', async () => {
    const tableName = await newTable('ttl');

    const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));

    expect(ttl).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: TABLE_DEFINITION.timeToLiveAttribute });
  });

  it('keeps an existing table and its items when run again', async () => {
    const tableName = await newTable('again');
    const item = { pk: { S: 'CONV#1' }, sk: { S: 'META' }, name: { S: 'kept' } };
    await client.send(new PutItemCommand({ TableName: tableName, Item: item }));

    await createConversationTable(client, tableName);

    const { Item: stored } = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { pk: item.pk, sk: item.sk } }),
    );
    expect(stored).toEqual(item);
    const { TimeToLiveDescription: ttl } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
    expect(ttl?.TimeToLiveStatus).toBe('ENABLED');
  });

  it('lets concurrent callers create the same table', async () => {
    const tableName = testTableName(uniquePrefix('race'));
    tablesToDelete.push(tableName);

    await Promise.all([1, 2, 3].map(() => createConversationTable(client, tableName)));

    const { Table: table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    expect(table?.TableStatus).toBe('ACTIVE');
  });

  it('refuses a same-named table with other keys instead of using it', async () => {
    const tableName = testTableName(uniquePrefix('other-keys'));
    tablesToDelete.push(tableName);
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );

    await expect(createConversationTable(client, tableName)).rejects.toThrow(
      `table ${tableName} already exists with keys (id, none), not (pk, sk)`,
    );
  });
});
