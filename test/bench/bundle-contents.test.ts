import type { Metafile } from 'esbuild';
import { ownModules, sdkContents, sdkFloorSource } from '../../bench/bundle-contents';

function metafile(inputs: Record<string, number>): Metafile {
  return {
    inputs: {},
    outputs: {
      'out/index.js.map': { bytes: 10, inputs: {}, imports: [], exports: [] },
      'out/index.js': {
        bytes: Object.values(inputs).reduce((total, bytes) => total + bytes, 0),
        inputs: Object.fromEntries(Object.entries(inputs).map(([path, bytesInOutput]) => [path, { bytesInOutput }])),
        imports: [],
        exports: [],
        entryPoint: 'lambdas/entries/default.ts',
      },
    },
  };
}

const handlerBundle = metafile({
  'node_modules/@aws-sdk/client-sqs/dist-es/SQSClient.js': 900,
  'node_modules/@aws-sdk/client-sqs/dist-es/commands/SendMessageCommand.js': 120,
  'node_modules/@aws-sdk/client-sqs/dist-es/commands/ReceiveMessageCommand.js': 0,
  'node_modules/@aws-sdk/client-dynamodb/dist-es/DynamoDBClient.js': 800,
  'node_modules/@aws-sdk/lib-dynamodb/dist-es/DynamoDBDocumentClient.js': 300,
  'node_modules/@aws-sdk/lib-dynamodb/dist-es/commands/GetCommand.js': 100,
  'node_modules/valibot/dist/index.mjs': 9000,
  'lambdas/core/conversation-consumer.ts': 12000,
});

describe('sdkContents', () => {
  it('finds the clients and the commands that made it into the bundle', () => {
    const contents = sdkContents(handlerBundle);
    expect([...contents.clients.values()]).toEqual(['SQSClient', 'DynamoDBClient']);
    expect(contents.commands).toEqual([
      { pkg: '@aws-sdk/client-sqs', name: 'SendMessageCommand' },
      { pkg: '@aws-sdk/lib-dynamodb', name: 'GetCommand' },
    ]);
    expect(contents.documentClient).toBe(true);
  });
});

describe('sdkFloorSource', () => {
  it('builds the same clients at init and references the same commands, with no logic', () => {
    const source = sdkFloorSource(sdkContents(handlerBundle));
    expect(source).toContain("from '@aws-sdk/client-sqs'");
    expect(source).toContain('SendMessageCommand as');
    expect(source).toContain('GetCommand as');
    expect(source).toMatch(/DynamoDBDocumentClient as (\w+)[^]*\1\.from\(/);
    expect(source).toContain('export const handler');
    expect(source).not.toContain('ReceiveMessageCommand');
  });
});

describe('ownModules', () => {
  it('lists what the bundle holds beyond its floor, by project file or package, largest first', () => {
    const floor = metafile({
      'node_modules/@aws-sdk/client-sqs/dist-es/SQSClient.js': 900,
      'node_modules/@aws-sdk/client-dynamodb/dist-es/DynamoDBClient.js': 800,
    });
    expect(ownModules(handlerBundle, floor).slice(0, 3)).toEqual([
      { module: 'lambdas/core/conversation-consumer.ts', bytes: 12000 },
      { module: 'valibot', bytes: 9000 },
      { module: '@aws-sdk/lib-dynamodb', bytes: 400 },
    ]);
  });
});
