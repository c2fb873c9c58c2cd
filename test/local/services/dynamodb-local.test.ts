/**
 * DynamoDB Local as `startDynamoDbLocal` runs it: one database for every region and key, data on
 * disk when asked, a JVM that is really gone after `stop()`, and a clear error without Java.
 */
import { CreateTableCommand, DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { javaMajorVersion, startDynamoDbLocal } from '../../../local/services/dynamodb-local';
import { testDynamoDbClient, testEndpoint } from '../../support/aws-clients';
import { testTableName, uniquePrefix } from '../../support/isolation';

/** Two JVM starts and stops on a busy machine. */
const SLOW_TEST_TIMEOUT_MS = 60_000;

function clientFor(endpoint: string, region: string, accessKeyId: string): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region, credentials: { accessKeyId, secretAccessKey: 'x' } });
}

async function tableNames(client: DynamoDBClient): Promise<string[]> {
  return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
}

function refusesConnections(endpoint: string): Promise<boolean> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

function dynamoDbLocalProcessesOnPort(port: string): string[] {
  const lines = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' }).split('\n');
  return lines.filter((line) => line.includes('DynamoDBLocal.jar') && line.includes(`-port ${port} `));
}

describe('startDynamoDbLocal', () => {
  it('serves every region and access key from one database (-sharedDb)', async () => {
    const endpoint = testEndpoint('TEST_DYNAMODB_ENDPOINT');
    const creator = testDynamoDbClient();
    // DynamoDB Local accepts access key ids of letters and digits only.
    const stranger = clientFor(endpoint, 'eu-west-1', 'someoneElse');
    const tableName = testTableName(uniquePrefix('shared-db'));
    try {
      await creator.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );

      expect(await tableNames(stranger)).toContain(tableName);
    } finally {
      creator.destroy();
      stranger.destroy();
    }
  });

  it(
    'keeps data on disk when not in memory, and leaves no JVM behind after stop()',
    async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'dynamodb-local-test-'));
      const tableName = 'kept-on-disk';
      try {
        const first = await startDynamoDbLocal({ inMemory: false, dataDir });
        const firstClient = clientFor(first.endpoint, 'us-east-1', 'local');
        await firstClient.send(
          new CreateTableCommand({
            TableName: tableName,
            AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
            KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
            BillingMode: 'PAY_PER_REQUEST',
          }),
        );
        firstClient.destroy();
        await first.stop();

        expect(await refusesConnections(first.endpoint)).toBe(true);
        expect(dynamoDbLocalProcessesOnPort(new URL(first.endpoint).port)).toEqual([]);

        const second = await startDynamoDbLocal({ inMemory: false, dataDir });
        const secondClient = clientFor(second.endpoint, 'us-east-1', 'local');
        try {
          expect(await tableNames(secondClient)).toEqual([tableName]);
        } finally {
          secondClient.destroy();
          await second.stop();
        }
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    SLOW_TEST_TIMEOUT_MS,
  );

  it('says how to install Java when there is none', async () => {
    await expect(startDynamoDbLocal({ javaCommand: '/nonexistent/bin/java' })).rejects.toThrow(
      /DynamoDB Local needs Java 17 or newer, and "\/nonexistent\/bin\/java" was not found .*apt-get install -y openjdk-17-jre-headless/s,
    );
  });
});

describe('javaMajorVersion', () => {
  it('reads the major version of current and pre-9 Java version lines', () => {
    expect(javaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajorVersion('java version "1.8.0_392"')).toBe(8);
    expect(javaMajorVersion('no version here')).toBeUndefined();
  });
});
