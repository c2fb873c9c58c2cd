/**
 * The bot and replies queues as `createBotQueues` / `createRepliesQueues` make them on the real
 * SQS server: FIFO, explicit de-duplication, the designed timeouts, and a redrive policy that
 * really moves a message to its dead-letter queue.
 */
import {
  ChangeMessageVisibilityCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import {
  botDeadLetterQueueName,
  botQueueName,
  QUEUE_SETTINGS,
  repliesDeadLetterQueueName,
  repliesQueueName,
} from '../../../lambdas/adapters/sqs/queue-design';
import { createBotQueues, createRepliesQueues } from '../../../local/provision/create-queues';
import { testSqsClient } from '../../support/aws-clients';
import { createTestQueues, deleteTestQueues, type TestQueues } from '../../support/isolation';

const sqs = testSqsClient();
const BOT_NAMES = ['Manager', 'Dr. Who'];
let queues: TestQueues;

beforeAll(async () => {
  queues = await createTestQueues('queues', BOT_NAMES, sqs);
});

afterAll(async () => {
  await deleteTestQueues(queues, sqs);
  sqs.destroy();
});

async function attributesOf(queueUrl: string): Promise<Record<string, string>> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
  return Attributes ?? {};
}

async function receiveOne(queueUrl: string, waitTimeSeconds = 0): Promise<Message | undefined> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitTimeSeconds,
      MessageSystemAttributeNames: ['ApproximateReceiveCount', 'MessageGroupId'],
    }),
  );
  expect((Messages ?? []).length).toBeLessThanOrEqual(1);
  return Messages?.[0];
}

function expectDesignedWorkQueue(attributes: Record<string, string>, deadLetterQueueArn: string): void {
  expect(attributes.FifoQueue).toBe('true');
  expect(attributes.ContentBasedDeduplication).toBe('false');
  expect(attributes.VisibilityTimeout).toBe(String(QUEUE_SETTINGS.visibilityTimeoutSeconds));
  expect(attributes.MessageRetentionPeriod).toBe(String(QUEUE_SETTINGS.retentionSeconds));
  expect(JSON.parse(attributes.RedrivePolicy ?? '{}')).toEqual({
    deadLetterTargetArn: deadLetterQueueArn,
    maxReceiveCount: QUEUE_SETTINGS.maxReceiveCount,
  });
}

function expectDesignedDeadLetterQueue(attributes: Record<string, string>): void {
  expect(attributes.FifoQueue).toBe('true');
  expect(attributes.ContentBasedDeduplication).toBe('false');
  expect(attributes.MessageRetentionPeriod).toBe(String(QUEUE_SETTINGS.dlqRetentionSeconds));
  expect(attributes.RedrivePolicy).toBeUndefined();
}

describe('createBotQueues', () => {
  it('names each bot queue and its dead-letter queue after the design, with the bot name made safe', () => {
    for (const botName of BOT_NAMES) {
      const { url, dlqUrl } = queues.bots[botName];
      expect(url.endsWith(`/${botQueueName(queues.prefix, botName)}`)).toBe(true);
      expect(dlqUrl.endsWith(`/${botDeadLetterQueueName(queues.prefix, botName)}`)).toBe(true);
    }
    expect(queues.bots['Dr. Who'].url).toMatch(/-bot-Dr__Who\.fifo$/);
  });

  it('makes FIFO queues that redrive to their own FIFO dead-letter queue', async () => {
    for (const botName of BOT_NAMES) {
      const { url, dlqUrl } = queues.bots[botName];
      const deadLetterAttributes = await attributesOf(dlqUrl);

      expectDesignedWorkQueue(await attributesOf(url), deadLetterAttributes.QueueArn);
      expectDesignedDeadLetterQueue(deadLetterAttributes);
    }
  });

  it('returns the same queues when run again, keeping their messages and resetting changed attributes', async () => {
    const { url } = queues.bots.Manager;
    await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept', MessageGroupId: 'c1', MessageDeduplicationId: 'kept-1' }),
    );
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '5' } }));

    const again = await createBotQueues(sqs, queues.prefix, BOT_NAMES);

    expect(again).toEqual(queues.bots);
    const attributes = await attributesOf(url);
    expect(attributes.VisibilityTimeout).toBe(String(QUEUE_SETTINGS.visibilityTimeoutSeconds));
    expect(attributes.ApproximateNumberOfMessages).toBe('1');
  });
});

describe('createRepliesQueues', () => {
  it('makes the replies queue and its dead-letter queue as designed, and returns them again when run again', async () => {
    const { url, dlqUrl } = queues.replies;
    expect(url.endsWith(`/${repliesQueueName(queues.prefix)}`)).toBe(true);
    expect(dlqUrl.endsWith(`/${repliesDeadLetterQueueName(queues.prefix)}`)).toBe(true);
    const deadLetterAttributes = await attributesOf(dlqUrl);
    expectDesignedWorkQueue(await attributesOf(url), deadLetterAttributes.QueueArn);
    expectDesignedDeadLetterQueue(deadLetterAttributes);

    await expect(createRepliesQueues(sqs, queues.prefix)).resolves.toEqual(queues.replies);
  });
});

describe('the provisioned queues', () => {
  it('drop a second message with the same de-duplication id, and keep one with a new id and the same body', async () => {
    const { url } = queues.bots['Dr. Who'];
    const send = (body: string, deduplicationId: string) =>
      sqs.send(
        new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: 'c-dedup', MessageDeduplicationId: deduplicationId }),
      );

    const first = await send('same body', 'message-1:1');
    const duplicate = await send('another body', 'message-1:1');
    const sameBodyNewId = await send('same body', 'message-1:2');

    expect(duplicate.MessageId).toBe(first.MessageId);
    expect(sameBodyNewId.MessageId).not.toBe(first.MessageId);
    expect((await attributesOf(url)).ApproximateNumberOfMessages).toBe('2');
  });

  it('refuse a message without a de-duplication id (no content-based de-duplication)', async () => {
    await expect(
      sqs.send(new SendMessageCommand({ QueueUrl: queues.replies.url, MessageBody: 'x', MessageGroupId: 'c-none' })),
    ).rejects.toThrow(/MessageDeduplicationId/);
  });

  it(`move a message to the dead-letter queue after ${QUEUE_SETTINGS.maxReceiveCount} receives`, async () => {
    const { url, dlqUrl } = queues.replies;
    await sqs.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison', MessageGroupId: 'c-dlq', MessageDeduplicationId: 'poison-1' }),
    );

    for (let receive = 1; receive <= QUEUE_SETTINGS.maxReceiveCount; receive += 1) {
      const message = await receiveOne(url);
      expect(message?.Body).toBe('poison');
      expect(message?.Attributes?.ApproximateReceiveCount).toBe(String(receive));
      // A failed handler gives the message back at once instead of waiting out the visibility timeout.
      await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: message?.ReceiptHandle, VisibilityTimeout: 0 }));
    }

    expect(await receiveOne(url)).toBeUndefined();
    const deadLetter = await receiveOne(dlqUrl, 2);
    expect(deadLetter?.Body).toBe('poison');
    expect(deadLetter?.Attributes?.MessageGroupId).toBe('c-dlq');
  });
});
