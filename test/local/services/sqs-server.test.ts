/**
 * The SQS server (fauxqs) does what the backend relies on: reachable queue URLs, per-group order,
 * visibility timeouts a worker can extend or cut short, and long polling. Runs against the server
 * of jest's global setup, on queues made by the project's own provisioning.
 */
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { repliesQueueName } from '../../../lambdas/adapters/sqs/queue-design';
import { testEndpoint, testSqsClient } from '../../support/aws-clients';
import { createTestQueues, deleteTestQueues, type TestQueues } from '../../support/isolation';

const sqs = testSqsClient();
let queues: TestQueues;
/** One queue per test: a FIFO queue as provisioned for a bot. */
const BOT_NAMES = ['order', 'visibility', 'extend', 'longpoll', 'emptypoll'];

beforeAll(async () => {
  queues = await createTestQueues('sqs-server', BOT_NAMES, sqs);
});

afterAll(async () => {
  await deleteTestQueues(queues, sqs);
  sqs.destroy();
});

function send(queueUrl: string, body: string, groupId = 'conversation-1'): Promise<unknown> {
  return sqs.send(
    new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: groupId, MessageDeduplicationId: randomUUID() }),
  );
}

async function receive(
  queueUrl: string,
  options: { max?: number; waitTimeSeconds?: number; visibilityTimeout?: number } = {},
): Promise<Message[]> {
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: options.max ?? 10,
      WaitTimeSeconds: options.waitTimeSeconds ?? 0,
      ...(options.visibilityTimeout !== undefined ? { VisibilityTimeout: options.visibilityTimeout } : {}),
    }),
  );
  return Messages ?? [];
}

const bodies = (messages: Message[]) => messages.map((message) => message.Body);

describe('the SQS server', () => {
  it('gives queue URLs on its own endpoint, usable as they are', () => {
    expect(queues.replies.url).toBe(`${testEndpoint('TEST_SQS_ENDPOINT')}/000000000000/${repliesQueueName(queues.prefix)}`);
  });

  it('keeps a message group in order and holds its next message while one is in flight', async () => {
    const { url } = queues.bots.order;
    for (const body of ['first', 'second', 'third']) await send(url, body);

    const [first] = await receive(url, { max: 1 });
    expect(first.Body).toBe('first');
    expect(await receive(url)).toEqual([]);

    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.ReceiptHandle }));
    const rest: Message[] = [];
    while (rest.length < 2) {
      const batch = await receive(url);
      expect(batch.length).toBeGreaterThan(0);
      for (const message of batch) {
        rest.push(message);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
      }
    }
    expect(bodies(rest)).toEqual(['second', 'third']);
  });

  it('hands a message out again once its visibility timeout ran out', async () => {
    const { url } = queues.bots.visibility;
    await send(url, 'retry me');
    const [received] = await receive(url, { visibilityTimeout: 1 });
    expect(received.Body).toBe('retry me');
    expect(await receive(url)).toEqual([]);

    const startedAt = Date.now();
    const again = await receive(url, { waitTimeSeconds: 5 });

    expect(bodies(again)).toEqual(['retry me']);
    expect(Date.now() - startedAt).toBeLessThan(3_000);
  });

  it('lets a worker extend the visibility timeout while it works, and give the message back at once', async () => {
    const { url } = queues.bots.extend;
    await send(url, 'long job');
    const [received] = await receive(url, { visibilityTimeout: 1 });

    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: received.ReceiptHandle, VisibilityTimeout: 30 }));
    await delay(1_500);
    expect(await receive(url)).toEqual([]);

    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: received.ReceiptHandle, VisibilityTimeout: 0 }));
    expect(bodies(await receive(url))).toEqual(['long job']);
  });

  it('answers a long poll as soon as a message arrives', async () => {
    const { url } = queues.bots.longpoll;
    const startedAt = Date.now();
    const polling = receive(url, { waitTimeSeconds: 10 });
    await delay(300);
    await send(url, 'wake up');

    expect(bodies(await polling)).toEqual(['wake up']);
    const elapsedMs = Date.now() - startedAt;
    expect(elapsedMs).toBeGreaterThanOrEqual(250);
    expect(elapsedMs).toBeLessThan(3_000);
  });

  it('holds an empty long poll for its wait time', async () => {
    const startedAt = Date.now();

    expect(await receive(queues.bots.emptypoll.url, { waitTimeSeconds: 1 })).toEqual([]);

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(900);
  });
});
