import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { TABLE_DEFINITION } from '../lambdas/adapters/dynamodb/table-design';

// Typed by the design module's literals: a new key type or billing mode there fails to compile here.
const ATTRIBUTE_TYPES: Record<(typeof TABLE_DEFINITION)['partitionKey']['type'], dynamodb.AttributeType> = {
  S: dynamodb.AttributeType.STRING,
};
const BILLING_MODES: Record<(typeof TABLE_DEFINITION)['billing'], dynamodb.BillingMode> = {
  PAY_PER_REQUEST: dynamodb.BillingMode.PAY_PER_REQUEST,
};

/**
 * Every item operation the DynamoDB adapter performs (`lambdas/adapters/dynamodb/conversation-store.ts`):
 * GetItem and Query to read, and TransactWriteItems, which IAM authorizes per item as PutItem,
 * UpdateItem, DeleteItem and ConditionCheckItem. No Scan, no batch operations, no streams. The infra
 * tests check this list against the commands the adapter imports.
 */
export const CONVERSATION_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
] as const;

export interface ConversationTableProps {
  /**
   * What happens to the table (and every conversation in it) when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The single DynamoDB table of `lambdas/adapters/dynamodb/table-design.ts`: on-demand,
 * point-in-time recovery, TTL on connections, encrypted with the AWS managed key.
 */
export class ConversationTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: ConversationTableProps = {}) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: TABLE_DEFINITION.partitionKey.name, type: ATTRIBUTE_TYPES[TABLE_DEFINITION.partitionKey.type] },
      sortKey: { name: TABLE_DEFINITION.sortKey.name, type: ATTRIBUTE_TYPES[TABLE_DEFINITION.sortKey.type] },
      billingMode: BILLING_MODES[TABLE_DEFINITION.billing],
      timeToLiveAttribute: TABLE_DEFINITION.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
  }

  get tableName(): string {
    return this.table.tableName;
  }

  /**
   * The item reads and writes the handlers perform (`CONVERSATION_TABLE_ACTIONS`), on this table
   * only: it has no indexes. Narrower than `grantReadWriteData`, which adds Scan, batch and stream reads.
   */
  grantReadWriteItems(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, ...CONVERSATION_TABLE_ACTIONS);
  }

  /** `GetItem` only: what the `$connect` authorizer needs to find a token's participant. */
  grantReadItems(grantee: iam.IGrantable): iam.Grant {
    return this.table.grant(grantee, 'dynamodb:GetItem');
  }
}
