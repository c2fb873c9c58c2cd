import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import {
  QUEUE_SETTINGS,
  botDeadLetterQueueName,
  botQueueName,
  repliesDeadLetterQueueName,
  repliesQueueName,
} from '../../lambdas/adapters/sqs/queue-design';
import { BotQueues, botIdentifier } from '../../lib/bot-queues';
import { FifoQueue } from '../../lib/fifo-queue';
import { TEST_QUEUE_BOTS, TEST_STACK_NAME, arnOf, buildStack } from './stack-fixture';

const PREFIX = TEST_STACK_NAME.toLowerCase();

describe('BotQueues and the replies queue', () => {
  const { stack, template } = buildStack();

  it('creates one queue and one dead-letter queue per queue bot, plus the replies pair', () => {
    // given three queue bots (the manager included) and one websocket bot in the test bots config
    // then
    template.resourceCountIs('AWS::SQS::Queue', 2 * TEST_QUEUE_BOTS.length + 2);
    for (const bot of TEST_QUEUE_BOTS) {
      template.hasResourceProperties('AWS::SQS::Queue', { QueueName: botQueueName(PREFIX, bot) });
      template.hasResourceProperties('AWS::SQS::Queue', { QueueName: botDeadLetterQueueName(PREFIX, bot) });
    }
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: repliesQueueName(PREFIX) });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: repliesDeadLetterQueueName(PREFIX) });
  });

  it('gives the websocket bot no queue', () => {
    template.resourcePropertiesCountIs('AWS::SQS::Queue', { QueueName: Match.stringLikeRegexp('Echo') }, 0);
  });

  it('makes every queue FIFO, SQS-encrypted, with explicit de-duplication and the design timings', () => {
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    for (const queue of queues) {
      expect(queue.Properties).toMatchObject({
        FifoQueue: true,
        SqsManagedSseEnabled: true,
        VisibilityTimeout: QUEUE_SETTINGS.visibilityTimeoutSeconds,
      });
      // CloudFormation's default for ContentBasedDeduplication is false.
      expect(queue.Properties.ContentBasedDeduplication ?? false).toBe(QUEUE_SETTINGS.contentBasedDeduplication);
      expect(queue.Properties.QueueName).toMatch(/\.fifo$/);
    }
  });

  it('redrives each bot queue and the replies queue to its own FIFO dead-letter queue', () => {
    const pairs = [
      ...stack.botQueues.bots.map((bot) => bot.queues),
      stack.repliesQueue,
    ];
    for (const pair of pairs) {
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: pair.queueName,
        MessageRetentionPeriod: QUEUE_SETTINGS.retentionSeconds,
        RedrivePolicy: { deadLetterTargetArn: arnOf(pair.deadLetterQueue), maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount },
      });
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: pair.deadLetterQueueName,
        FifoQueue: true,
        MessageRetentionPeriod: QUEUE_SETTINGS.dlqRetentionSeconds,
        RedrivePolicy: Match.absent(),
      });
    }
  });

  it('refuses plain-HTTP access to every queue', () => {
    const queueCount = 2 * TEST_QUEUE_BOTS.length + 2;
    template.resourcePropertiesCountIs(
      'AWS::SQS::QueuePolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      queueCount,
    );
  });

  it('names queues after a queuePrefix when one is given', () => {
    // given
    const { template: prefixed } = buildStack({ queuePrefix: 'chat-prod' });

    // then
    prefixed.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'chat-prod-bot-Router.fifo' });
    prefixed.hasResourceProperties('AWS::SQS::Queue', { QueueName: 'chat-prod-replies.fifo' });
  });

  it('refuses two bots whose names give the same queue', () => {
    // given "Word Counter" and "Word_Counter", which both become Word_Counter
    const scratch = new Stack(new App(), 'Scratch');

    // when / then
    expect(() => new BotQueues(scratch, 'BotQueues', { prefix: 'p', botNames: ['Word Counter', 'Word_Counter'] })).toThrow(
      'bots "Word Counter" and "Word_Counter" would get the same queue name (p-bot-Word_Counter.fifo); rename one of them',
    );
  });

  it('refuses a queue name longer than SQS allows', () => {
    const scratch = new Stack(new App(), 'Scratch');
    const longName = 'B'.repeat(50);

    expect(() => new BotQueues(scratch, 'BotQueues', { prefix: 'a-rather-long-prefix', botNames: [longName] })).toThrow(
      /is 84 characters; SQS allows 80\. Use a shorter queuePrefix or bot name\./,
    );
  });

  it('refuses a queue name without the .fifo suffix', () => {
    const scratch = new Stack(new App(), 'Scratch');

    expect(() => new FifoQueue(scratch, 'Q', { queueName: 'plain', deadLetterQueueName: 'plain-dlq.fifo' })).toThrow(
      'queue name "plain" must be letters, digits, "-" or "_" and end in ".fifo"',
    );
  });
});

describe('botIdentifier', () => {
  it('keeps letters and digits only', () => {
    expect(botIdentifier('Word-Counter 2')).toBe('WordCounter2');
  });

  it('refuses a name with no ASCII letter or digit', () => {
    expect(() => botIdentifier('日本')).toThrow('bot "日本" needs at least one ASCII letter or digit');
  });
});
