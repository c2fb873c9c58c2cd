import type * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { botDeadLetterQueueName, botQueueName } from '../lambdas/adapters/sqs/queue-design';
import { InvalidDeploymentConfiguration } from './errors';
import { FifoQueue } from './fifo-queue';

export interface BotQueuesProps {
  /** Names of the `queue` bots, the manager included (`queueBotNames(config)`). */
  readonly botNames: readonly string[];
  /** Start of every queue name, e.g. the lower-cased stack name. */
  readonly prefix: string;
}

/** One queue bot's queue pair, with the id its construct and outputs are named after. */
export interface BotQueue {
  readonly botName: string;
  /** The bot name reduced to letters and digits, e.g. `Calculator`; unique within the stack. */
  readonly identifier: string;
  readonly queues: FifoQueue;
}

/**
 * A FIFO queue (and FIFO dead-letter queue) for every `queue` bot: the backend delivers to it,
 * the bot's worker reads it.
 */
export class BotQueues extends Construct {
  readonly bots: readonly BotQueue[];

  constructor(scope: Construct, id: string, props: BotQueuesProps) {
    super(scope, id);
    assertDistinct(props.botNames.map((name) => ({ name, key: botQueueName(props.prefix, name) })), 'the same queue name');
    assertDistinct(props.botNames.map((name) => ({ name, key: botIdentifier(name) })), 'the same output name');

    this.bots = props.botNames.map((botName) => {
      const identifier = botIdentifier(botName);
      const queues = new FifoQueue(this, identifier, {
        queueName: botQueueName(props.prefix, botName),
        deadLetterQueueName: botDeadLetterQueueName(props.prefix, botName),
      });
      return { botName, identifier, queues };
    });
  }

  /** Bot name -> queue URL, the shape of the `BOT_QUEUE_URLS` variable. */
  queueUrls(): Record<string, string> {
    return Object.fromEntries(this.bots.map((bot) => [bot.botName, bot.queues.queueUrl]));
  }

  queueArns(): string[] {
    return this.bots.map((bot) => bot.queues.queue.queueArn);
  }

  /** `sqs:SendMessage` on every bot queue (not on their dead-letter queues). */
  grantSendMessage(grantee: iam.IGrantable): void {
    for (const bot of this.bots) bot.queues.grantSendMessage(grantee);
  }
}

/**
 * A bot name as a CloudFormation-safe identifier: letters and digits only.
 * @example botIdentifier('My-Bot 2') // 'MyBot2'
 */
export function botIdentifier(botName: string): string {
  const identifier = botName.replace(/[^A-Za-z0-9]/g, '');
  if (identifier === '') {
    throw new InvalidDeploymentConfiguration(
      `bot "${botName}" needs at least one ASCII letter or digit in its name to name its queue outputs`,
    );
  }
  return identifier;
}

function assertDistinct(entries: Array<{ name: string; key: string }>, what: string): void {
  const seen = new Map<string, string>();
  for (const { name, key } of entries) {
    const other = seen.get(key);
    if (other !== undefined) {
      throw new InvalidDeploymentConfiguration(`bots "${other}" and "${name}" would get ${what} (${key}); rename one of them`);
    }
    seen.set(key, name);
  }
}
