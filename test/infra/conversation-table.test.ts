import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { TABLE_DEFINITION } from '../../lambdas/adapters/dynamodb/table-design';
import { CONVERSATION_TABLE_ACTIONS, ConversationTable } from '../../lib/conversation-table';
import { PROJECT_ROOT } from '../../lib/handler-function';
import { buildStack } from './stack-fixture';

describe('ConversationTable', () => {
  const { template } = buildStack();

  it('takes its keys, billing and TTL from the table design module', () => {
    // given the design in lambdas/adapters/dynamodb/table-design.ts
    const { partitionKey, sortKey, timeToLiveAttribute, billing } = TABLE_DEFINITION;

    // then the one table matches it exactly
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: partitionKey.name, KeyType: 'HASH' },
        { AttributeName: sortKey.name, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: partitionKey.name, AttributeType: partitionKey.type },
        { AttributeName: sortKey.name, AttributeType: sortKey.type },
      ],
      BillingMode: billing,
      TimeToLiveSpecification: { AttributeName: timeToLiveAttribute, Enabled: true },
    });
  });

  it('has point-in-time recovery and AWS managed encryption, and no indexes or stream', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // SSEEnabled without a key of ours: the AWS managed key aws/dynamodb.
      SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() },
      GlobalSecondaryIndexes: Match.absent(),
      LocalSecondaryIndexes: Match.absent(),
      StreamSpecification: Match.absent(),
    });
  });

  it('is retained when it leaves the stack', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('can be given another removal policy for throwaway stacks', () => {
    // given
    const stack = new Stack(new App(), 'Scratch');

    // when
    new ConversationTable(stack, 'Conversations', { removalPolicy: RemovalPolicy.DESTROY });

    // then
    Template.fromStack(stack).hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  it('grants every operation the DynamoDB adapter performs, and no other', () => {
    // given the SDK commands the adapter imports, and the item kinds its transactions write
    const source = readFileSync(path.join(PROJECT_ROOT, 'lambdas/adapters/dynamodb/conversation-store.ts'), 'utf8');
    const sdkImports = [...source.matchAll(/import\s*{([^}]*)}\s*from\s*'@aws-sdk\/(?:lib|client)-dynamodb'/g)]
      .flatMap((match) => match[1]!.split(','))
      .map((name) => name.trim())
      .filter((name) => /^\w+Command$/.test(name));
    const transactionItemKinds = [...source.matchAll(/^\s*(Put|Update|Delete|ConditionCheck): \{/gm)].map((m) => m[1]!);

    // when each is mapped to the IAM action that authorizes it
    const needed = new Set<string>();
    for (const command of sdkImports) {
      const action = COMMAND_ACTIONS[command];
      if (action === undefined) throw new Error(`map ${command} to its IAM action in this test (and grant it)`);
      action.forEach((a) => needed.add(a));
    }
    if (sdkImports.includes('TransactWriteCommand')) {
      for (const kind of transactionItemKinds) {
        needed.add(kind === 'ConditionCheck' ? 'dynamodb:ConditionCheckItem' : `dynamodb:${kind}Item`);
      }
    }

    // then the grant is exactly that set
    expect(sdkImports.length).toBeGreaterThan(0);
    expect([...CONVERSATION_TABLE_ACTIONS].sort()).toEqual([...needed].sort());
  });
});

/** SDK command -> IAM action(s). TransactWrite is authorized per item (see the test). */
const COMMAND_ACTIONS: Record<string, string[]> = {
  GetCommand: ['dynamodb:GetItem'],
  GetItemCommand: ['dynamodb:GetItem'],
  QueryCommand: ['dynamodb:Query'],
  PutCommand: ['dynamodb:PutItem'],
  PutItemCommand: ['dynamodb:PutItem'],
  UpdateCommand: ['dynamodb:UpdateItem'],
  UpdateItemCommand: ['dynamodb:UpdateItem'],
  DeleteCommand: ['dynamodb:DeleteItem'],
  DeleteItemCommand: ['dynamodb:DeleteItem'],
  TransactWriteCommand: [],
  TransactWriteItemsCommand: [],
  TransactGetCommand: ['dynamodb:GetItem'],
  BatchGetCommand: ['dynamodb:BatchGetItem'],
  BatchWriteCommand: ['dynamodb:BatchWriteItem'],
  ScanCommand: ['dynamodb:Scan'],
};
