import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { QUEUE_SETTINGS } from '../lambdas/adapters/sqs/queue-design';
import type { FifoQueue } from './fifo-queue';
import { HandlerFunction, ROUTE_TIMEOUT, type BundlingMode } from './handler-function';

/** Records per invocation; a FIFO source hands them over in group order. */
export const REPLIES_BATCH_SIZE = 10;
/** Same budget as a route: a reply does the work of one WebSocket frame. */
export const REPLIES_TIMEOUT = ROUTE_TIMEOUT;

export interface RepliesConsumerProps {
  /** The replies queue (and its dead-letter queue) the manager and `queue` bots send to. */
  readonly repliesQueue: FifoQueue;
  /** Environment variables, keyed by the names in `lambdas/config/environment.ts`. */
  readonly environment: Readonly<Record<string, string>>;
  /** @default 'esbuild' */
  readonly bundlingMode?: BundlingMode;
}

/**
 * The Lambda that reads the replies queue (`lambdas/entries/replies.ts`). It reports partial
 * batch failures, so one failed reply is retried without replaying the rest, and it may send to
 * the replies dead-letter queue, where it moves refused replies at once.
 */
export class RepliesConsumer extends Construct {
  readonly handler: HandlerFunction;

  constructor(scope: Construct, id: string, props: RepliesConsumerProps) {
    super(scope, id);
    // SQS would hand a record to a second invocation while the first is still working on it.
    if (REPLIES_TIMEOUT.toSeconds() > QUEUE_SETTINGS.visibilityTimeoutSeconds) {
      throw new Error(
        `the replies Lambda timeout (${REPLIES_TIMEOUT.toSeconds()} s) must not exceed ` +
          `the queue visibility timeout (${QUEUE_SETTINGS.visibilityTimeoutSeconds} s)`,
      );
    }
    this.handler = new HandlerFunction(this, 'Handler', {
      entry: 'lambdas/entries/replies.ts',
      description: 'Stores and delivers the replies of the bot manager and queue bots',
      environment: props.environment,
      timeout: REPLIES_TIMEOUT,
      ...(props.bundlingMode ? { bundlingMode: props.bundlingMode } : {}),
    });
    // The event source grants exactly what polling needs on this queue (receive, delete, visibility, attributes).
    this.handler.fn.addEventSource(
      new SqsEventSource(props.repliesQueue.queue, { batchSize: REPLIES_BATCH_SIZE, reportBatchItemFailures: true }),
    );
    props.repliesQueue.deadLetterQueue.grant(this.handler, 'sqs:SendMessage');
  }
}
