import { Annotations, Duration, Validations } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import { EXAMPLE_BOT_ENV, exampleLambdaBotNames } from '../bots/example-registry';
import { QUEUE_SETTINGS } from '../lambdas/adapters/sqs/queue-design';
import type { BotsConfig } from '../lambdas/core/bots-config';
import type { LogLevel } from '../lambdas/runtime/logger';
import type { BotQueue, BotQueues } from './bot-queues';
import type { FifoQueue } from './fifo-queue';
import { HandlerFunction, type BundlingMode } from './handler-function';
import { RUNTIME_REASON, XRAY_REASON } from './nag-suppressions';

/** Records per invocation; a FIFO source hands them over in conversation order. */
export const EXAMPLE_BOT_BATCH_SIZE = 10;
/** A batch is at most ten deliveries of a few SQS sends each: seconds, far below the queue's visibility timeout. */
export const EXAMPLE_BOT_TIMEOUT = Duration.seconds(30);
/** The handler every example bot Lambda runs; `BOT_NAME` picks the logic. */
export const EXAMPLE_BOT_ENTRY = 'lambdas/entries/example-bot.ts';
/** Example bots that answer on a WebSocket when configured as `websocket` bots (`bots/example-bots.ts`). */
const WEBSOCKET_EXAMPLE_BOTS = ['Echo', 'Calculator'];
/** Warning id of a websocket example bot whose invitation cannot reach anything on AWS. */
export const LOCAL_INVITE_URL_WARNING = 'serverless-conversations:exampleBots.localInviteUrl';

export interface ExampleBotsProps {
  /** The bot registry (already validated): which example bots run, and as what. */
  readonly bots: BotsConfig;
  /** Every `queue` bot's queue; an example bot reads its own. */
  readonly botQueues: BotQueues;
  /** Where the bots send their replies. */
  readonly repliesQueue: FifoQueue;
  /** @default 'info' */
  readonly logLevel?: LogLevel;
  /** @default 'esbuild' */
  readonly bundlingMode?: BundlingMode;
}

/** One example bot running as a Lambda on its queue. */
export interface ExampleBotFunction {
  readonly botName: string;
  readonly queue: BotQueue;
  readonly handler: HandlerFunction;
}

/**
 * The example `queue` bots of the bots file as Lambdas (`lambdas/entries/example-bot.ts`), one per
 * bot: `Manager` or `Transparent` when it is the configured manager, `Calculator` or `Echo` when it
 * is a `queue` bot (`exampleLambdaBotNames`). Each reads its own queue (an SQS event source, ten
 * records a batch, partial batch failures) and may send to the replies queue; nothing else.
 *
 * `websocket` example bots (Echo in the default bots file) are not here: they hold a WebSocket per
 * conversation, which a Lambda cannot. They run as a worker, the code `npm start` runs
 * (`startExampleBots` in `bots/example-bots.ts`), on a host the backend can reach; a deployment's
 * bots file points their `invite_url` at that worker's `/invite/<name>`. The default
 * `local://example-bots/...` URL means something only to `npm start`: deployed, the inviter logs an
 * error and invites no one, and synth warns about it.
 *
 * @example
 * new ExampleBots(this, 'ExampleBots', { bots, botQueues, repliesQueue });
 */
export class ExampleBots extends Construct {
  readonly functions: readonly ExampleBotFunction[];

  constructor(scope: Construct, id: string, props: ExampleBotsProps) {
    super(scope, id);
    // SQS would hand a record to a second invocation while the first is still working on it.
    if (EXAMPLE_BOT_TIMEOUT.toSeconds() > QUEUE_SETTINGS.visibilityTimeoutSeconds) {
      throw new Error(
        `the example bots' Lambda timeout (${EXAMPLE_BOT_TIMEOUT.toSeconds()} s) must not exceed ` +
          `the queue visibility timeout (${QUEUE_SETTINGS.visibilityTimeoutSeconds} s)`,
      );
    }

    this.functions = exampleLambdaBotNames(props.bots).map((botName) => {
      const queue = props.botQueues.bots.find((bot) => bot.botName === botName);
      if (!queue) throw new Error(`queue bot "${botName}" has no queue in ${props.botQueues.node.path}`);
      const handler = new HandlerFunction(this, queue.identifier, {
        entry: EXAMPLE_BOT_ENTRY,
        description: `Example bot ${botName}: reads its queue, sends its replies to the replies queue`,
        environment: {
          [EXAMPLE_BOT_ENV.BOT_NAME]: botName,
          [EXAMPLE_BOT_ENV.REPLIES_QUEUE_URL]: props.repliesQueue.queueUrl,
          [EXAMPLE_BOT_ENV.LOG_LEVEL]: props.logLevel ?? 'info',
        },
        timeout: EXAMPLE_BOT_TIMEOUT,
        ...(props.bundlingMode ? { bundlingMode: props.bundlingMode } : {}),
      });
      // The event source grants what polling needs on this queue only (receive, delete, visibility, attributes).
      handler.fn.addEventSource(
        new SqsEventSource(queue.queues.queue, { batchSize: EXAMPLE_BOT_BATCH_SIZE, reportBatchItemFailures: true }),
      );
      props.repliesQueue.grantSendMessage(handler);
      // The same two findings, for the same reasons, as the stack's own handlers (lib/nag-suppressions.ts).
      Validations.of(handler.fn).acknowledge({ id: 'AwsSolutions-L1', reason: RUNTIME_REASON });
      Validations.of(handler.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: XRAY_REASON });
      return { botName, queue, handler };
    });

    for (const bot of props.bots.bots) {
      if (bot.delivery !== 'websocket' || !WEBSOCKET_EXAMPLE_BOTS.includes(bot.name)) continue;
      if (bot.invite_url && /^https?:\/\//i.test(bot.invite_url)) continue;
      Annotations.of(this).addWarningV2(
        LOCAL_INVITE_URL_WARNING,
        `example bot "${bot.name}" is a websocket bot: it cannot run as a Lambda, and its invite_url ` +
          `${JSON.stringify(bot.invite_url)} works only under npm start, so conversations will not get it. Run the example ` +
          `bots worker (bots/example-bots.ts) where the backend can reach it and point invite_url at its /invite/${bot.name}, ` +
          'or make it a queue bot.',
      );
    }
  }
}
