import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QUEUE_SETTINGS } from '../lambdas/adapters/sqs/queue-design';
import { InvalidDeploymentConfiguration } from './errors';

/** SQS limit on a queue name, `.fifo` included. */
export const MAX_QUEUE_NAME_LENGTH = 80;
const QUEUE_NAME = /^[A-Za-z0-9_-]+\.fifo$/;

export interface FifoQueueProps {
  /** Physical name, from `lambdas/adapters/sqs/queue-design.ts` (ends in `.fifo`). */
  readonly queueName: string;
  /** Physical name of its dead-letter queue (ends in `.fifo`). */
  readonly deadLetterQueueName: string;
}

/**
 * A FIFO queue and its FIFO dead-letter queue, both shaped by `QUEUE_SETTINGS`: explicit
 * de-duplication ids, SQS-managed encryption, TLS-only access, and a redrive after
 * `maxReceiveCount` failed receives.
 */
export class FifoQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  /** The physical names, as plain strings (the `sqs.Queue` attributes are deploy-time tokens). */
  readonly queueName: string;
  readonly deadLetterQueueName: string;

  constructor(scope: Construct, id: string, props: FifoQueueProps) {
    super(scope, id);
    for (const name of [props.queueName, props.deadLetterQueueName]) assertQueueName(name);
    this.queueName = props.queueName;
    this.deadLetterQueueName = props.deadLetterQueueName;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...fifoQueueSettings(),
      queueName: props.deadLetterQueueName,
      retentionPeriod: Duration.seconds(QUEUE_SETTINGS.dlqRetentionSeconds),
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...fifoQueueSettings(),
      queueName: props.queueName,
      retentionPeriod: Duration.seconds(QUEUE_SETTINGS.retentionSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount },
    });
  }

  get queueUrl(): string {
    return this.queue.queueUrl;
  }

  /** `sqs:SendMessage` on the queue itself, and nothing else. */
  grantSendMessage(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grant(grantee, 'sqs:SendMessage');
  }
}

function fifoQueueSettings(): sqs.QueueProps {
  return {
    fifo: QUEUE_SETTINGS.fifo,
    contentBasedDeduplication: QUEUE_SETTINGS.contentBasedDeduplication,
    visibilityTimeout: Duration.seconds(QUEUE_SETTINGS.visibilityTimeoutSeconds),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  };
}

function assertQueueName(name: string): void {
  if (!QUEUE_NAME.test(name)) {
    throw new InvalidDeploymentConfiguration(`queue name "${name}" must be letters, digits, "-" or "_" and end in ".fifo"`);
  }
  if (name.length > MAX_QUEUE_NAME_LENGTH) {
    throw new InvalidDeploymentConfiguration(
      `queue name "${name}" is ${name.length} characters; SQS allows ${MAX_QUEUE_NAME_LENGTH}. Use a shorter queuePrefix or bot name.`,
    );
  }
}
