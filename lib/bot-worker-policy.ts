import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { BotQueues } from './bot-queues';
import type { FifoQueue } from './fifo-queue';

/** What a worker does on a bot queue: take a message, keep it hidden while working, delete it. */
export const BOT_WORKER_QUEUE_ACTIONS = [
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:GetQueueAttributes',
] as const;

export interface BotWorkerPolicyProps {
  readonly botQueues: BotQueues;
  /** Where workers send their replies. */
  readonly repliesQueue: FifoQueue;
}

/**
 * Customer managed policy for the processes that run `queue` bots (the manager included):
 * consume the bot queues, and send to the replies queue. Sending there is what authenticates a
 * reply (SPEC 3), so only principals with this policy can speak for a bot.
 */
export class BotWorkerPolicy extends Construct {
  readonly policy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: BotWorkerPolicyProps) {
    super(scope, id);
    const statements = [
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.repliesQueue.queue.queueArn] }),
    ];
    const botQueueArns = props.botQueues.queueArns();
    // A statement without resources is invalid; a deployment without queue bots has nothing to read.
    if (botQueueArns.length > 0) {
      statements.unshift(new iam.PolicyStatement({ actions: [...BOT_WORKER_QUEUE_ACTIONS], resources: botQueueArns }));
    }
    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Attach to bot workers: read their bot queues, send replies to the replies queue',
      statements,
    });
  }
}
