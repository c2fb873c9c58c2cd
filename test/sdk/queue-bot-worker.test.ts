import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import type { WireMessage } from '../../sdk/protocol';
import { QueueBotWorker, type QueueBotWorkerOptions, type QueueDelivery, type WorkerLogger } from '../../sdk/queue-bot-worker';
import { replyDeduplicationId, replyLocalId } from '../../sdk/reply-ids';
import { QUEUE_SETTINGS } from '../../lambdas/adapters/sqs/queue-design';
import { testSqsClient } from '../support/aws-clients';
import { createTestQueues, deleteTestQueues, type TestQueues } from '../support/isolation';
import { eventually } from '../support/ws-test-client';

jest.setTimeout(20_000);

function recordingLog(): WorkerLogger & { lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> } {
  const lines: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) => {
    lines.push({ level, message, ...(fields ? { fields } : {}) });
  };
  return { lines, info: record('info'), warn: record('warn'), error: record('error') };
}

function wireMessage(text: string): WireMessage {
  return {
    id: randomUUID(),
    seq: 1,
    type: 'T',
    time: new Date().toISOString(),
    sender_id: randomUUID(),
    text,
    approval_status: 1,
    sent_by_human: true,
    sent_by_manager: false,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('QueueBotWorker (real SQS server)', () => {
  let sqs: SQSClient;
  let created: TestQueues;
  /** The bot's queue pair and the replies queue, new for each test. */
  let queues: { queueUrl: string; deadLetterQueueUrl: string; repliesQueueUrl: string };
  let worker: QueueBotWorker | undefined;
  let log: ReturnType<typeof recordingLog>;
  const botId = randomUUID();

  beforeAll(() => {
    sqs = testSqsClient();
  });
  afterAll(() => sqs.destroy());

  beforeEach(async () => {
    created = await createTestQueues('sdk worker', ['Bot'], sqs);
    queues = {
      queueUrl: created.bots.Bot!.url,
      deadLetterQueueUrl: created.bots.Bot!.dlqUrl,
      repliesQueueUrl: created.replies.url,
    };
    log = recordingLog();
  });
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await deleteTestQueues(created, sqs);
  });

  async function deliver(conversationId: string, text: string): Promise<WireMessage> {
    const message = wireMessage(text);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: JSON.stringify({ conversation_id: conversationId, bot_participant_id: botId, message }),
        MessageGroupId: conversationId,
        MessageDeduplicationId: `${message.id}-1`,
      }),
    );
    return message;
  }

  function startWorker(options: Partial<QueueBotWorkerOptions> & Pick<QueueBotWorkerOptions, 'handleMessage'>): QueueBotWorker {
    worker = new QueueBotWorker({
      sqs,
      queueUrl: queues.queueUrl,
      repliesQueueUrl: queues.repliesQueueUrl,
      waitTimeSeconds: 1,
      log,
      ...options,
    });
    worker.start();
    return worker;
  }

  async function counts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }

  async function receiveAll(queueUrl: string, waitSeconds = 1): Promise<Message[]> {
    const output = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
      }),
    );
    return output.Messages ?? [];
  }

  /** Receives and deletes until the queue is empty (a FIFO group yields its next message only after a delete). */
  async function drain(queueUrl: string): Promise<Message[]> {
    const drained: Message[] = [];
    for (;;) {
      const batch = await receiveAll(queueUrl, 0);
      if (batch.length === 0) return drained;
      for (const message of batch) {
        drained.push(message);
        await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
      }
    }
  }

  it('hands the delivery to the handler and deletes the message only after the handler succeeded', async () => {
    const conversationId = randomUUID();
    const sent = await deliver(conversationId, 'hello');
    let release!: () => void;
    const deliveries: QueueDelivery[] = [];
    startWorker({
      handleMessage: async (delivery) => {
        deliveries.push(delivery);
        await new Promise<void>((resolve) => (release = resolve));
      },
    });
    await eventually(() => deliveries.length === 1);
    expect(deliveries[0]).toMatchObject({
      conversation_id: conversationId,
      bot_participant_id: botId,
      message: sent,
      sqs: { groupId: conversationId, receiveCount: 1 },
    });
    expect(await counts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 1 });

    release();
    await eventually(async () => {
      const { visible, inFlight } = await counts(queues.queueUrl);
      return visible === 0 && inFlight === 0;
    });
    expect(log.lines.filter((line) => line.level !== 'info')).toEqual([]);
  });

  it('leaves a failed message for redelivery, logs why, and handles it again later', async () => {
    const conversationId = randomUUID();
    await deliver(conversationId, 'flaky');
    const attempts: number[] = [];
    startWorker({
      retryDelaySeconds: 0,
      handleMessage: (delivery) => {
        attempts.push(delivery.sqs.receiveCount);
        if (attempts.length === 1) throw new Error('downstream unavailable');
      },
    });
    await eventually(async () => attempts.length === 2 && (await counts(queues.queueUrl)).inFlight === 0, 8000);
    expect(attempts).toEqual([1, 2]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'bot handler failed; the message is left for redelivery',
        fields: expect.objectContaining({ group_id: conversationId, receive_count: 1, error: 'Error: downstream unavailable' }),
      }),
    );
    expect(await counts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('keeps the failed message visible-timeout long when no retry delay is set, then retries it', async () => {
    await deliver(randomUUID(), 'slow retry');
    const attemptsAt: number[] = [];
    startWorker({
      visibilityTimeoutSeconds: 2,
      handleMessage: () => {
        attemptsAt.push(Date.now());
        if (attemptsAt.length === 1) throw new Error('fails once');
      },
    });
    await eventually(() => attemptsAt.length === 2, 8000);
    expect(attemptsAt[1]! - attemptsAt[0]!).toBeGreaterThanOrEqual(1500);
  });

  it('moves a message that keeps failing to the dead-letter queue after maxReceiveCount', async () => {
    const conversationId = randomUUID();
    const poison = await deliver(conversationId, 'poison');
    let attempts = 0;
    startWorker({
      retryDelaySeconds: 0,
      handleMessage: () => {
        attempts += 1;
        throw new Error('always fails');
      },
    });
    await eventually(async () => (await counts(queues.deadLetterQueueUrl)).visible === 1, 8000);
    expect(attempts).toBe(QUEUE_SETTINGS.maxReceiveCount);
    const [dead] = await receiveAll(queues.deadLetterQueueUrl);
    expect(JSON.parse(dead!.Body!).message.id).toBe(poison.id);
  });

  it('keeps the messages of one conversation in order, also across a failure, while others run in parallel', async () => {
    const slow = randomUUID();
    const fast = randomUUID();
    for (const text of ['a1', 'a2', 'a3']) await deliver(slow, text);
    await deliver(fast, 'b1');
    const handled: string[] = [];
    let failedOnce = false;
    startWorker({
      retryDelaySeconds: 0,
      handleMessage: async ({ message }) => {
        if (message.text === 'a2' && !failedOnce) {
          failedOnce = true;
          throw new Error('fails once');
        }
        if (message.text?.startsWith('a')) await sleep(150);
        handled.push(message.text!);
      },
    });
    await eventually(() => handled.length === 4, 10_000);
    expect(handled.filter((text) => text.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    // The other conversation did not wait for the slow one.
    expect(handled.indexOf('b1')).toBeLessThan(handled.indexOf('a3'));
  });

  it('extends the visibility of a message whose handler runs longer than the heartbeat interval', async () => {
    const conversationId = randomUUID();
    await deliver(conversationId, 'long job');
    let calls = 0;
    let running = true;
    startWorker({
      visibilityTimeoutSeconds: 1,
      heartbeatIntervalMs: 300,
      handleMessage: async () => {
        calls += 1;
        await sleep(3000);
        running = false;
      },
    });
    await eventually(() => calls === 1);
    // Three times the visibility timeout: without the heartbeat another consumer would get it.
    const stolen = await receiveAll(queues.queueUrl, 2);
    expect(stolen).toEqual([]);
    expect(running).toBe(true);
    await eventually(() => !running, 5000);
    await sleep(1500);
    expect(calls).toBe(1);
    expect(await counts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('sends replies to the replies queue, grouped by conversation, with de-duplication ids from their local_id', async () => {
    const conversationId = randomUUID();
    const question = await deliver(conversationId, '2+3');
    let sqsMessageId = '';
    startWorker({
      handleMessage: async (delivery, reply) => {
        sqsMessageId = delivery.sqs.messageId;
        await reply({ text: '5', quoted_message_id: delivery.message.id });
        await reply({ text: 'and more', local_id: 'given-id' });
      },
    });
    const replies: Message[] = [];
    await eventually(async () => {
      replies.push(...(await drain(queues.repliesQueueUrl)));
      return replies.length === 2;
    }, 8000);
    const derived = replyLocalId(botId, sqsMessageId, 0);
    expect(derived).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(replies.map((message) => JSON.parse(message.Body!))).toEqual([
      {
        conversation_id: conversationId,
        bot_participant_id: botId,
        message: { type: 'T', text: '5', quoted_message_id: question.id, local_id: derived },
      },
      {
        conversation_id: conversationId,
        bot_participant_id: botId,
        message: { type: 'T', text: 'and more', local_id: 'given-id' },
      },
    ]);
    expect(replies.map((message) => message.Attributes?.MessageGroupId)).toEqual([conversationId, conversationId]);
    expect(replies.map((message) => message.Attributes?.MessageDeduplicationId)).toEqual([
      replyDeduplicationId(conversationId, botId, derived),
      replyDeduplicationId(conversationId, botId, 'given-id'),
    ]);
  });

  it('replies once when a handler replied and then failed: the retry sends the same reply', async () => {
    await deliver(randomUUID(), 'question');
    let attempts = 0;
    startWorker({
      retryDelaySeconds: 0,
      handleMessage: async (_delivery, reply) => {
        attempts += 1;
        await reply({ text: 'answer' });
        if (attempts === 1) throw new Error('crashed after replying');
      },
    });
    await eventually(async () => attempts === 2 && (await counts(queues.queueUrl)).inFlight === 0, 8000);
    const replies = await drain(queues.repliesQueueUrl);
    expect(replies.map((message) => JSON.parse(message.Body!).message.text)).toEqual(['answer']);
  });

  it('treats a body that is not a delivery as a failure, leaving it for redelivery', async () => {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.queueUrl,
        MessageBody: 'not json',
        MessageGroupId: 'g',
        MessageDeduplicationId: randomUUID(),
      }),
    );
    const handler = jest.fn();
    startWorker({ handleMessage: handler });
    await eventually(() => log.lines.some((line) => line.level === 'error'));
    expect(handler).not.toHaveBeenCalled();
    expect(log.lines[0]!.fields!.error).toBe('InvalidDeliveryError: the queue message body is not JSON');
    expect(await counts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 1 });
  });

  it('stops promptly in the middle of a 20-second long poll', async () => {
    startWorker({ waitTimeSeconds: 20, handleMessage: () => {} });
    await sleep(300);
    const before = Date.now();
    await worker!.stop();
    expect(Date.now() - before).toBeLessThan(1000);
    expect(worker!.isRunning).toBe(false);
  });

  it('with drainPoll, lets the pending poll finish on stop() and releases what it brought', async () => {
    const handler = jest.fn();
    startWorker({ waitTimeSeconds: 2, handleMessage: handler });
    await sleep(300);
    const before = Date.now();
    const stopping = worker!.stop({ drainPoll: true });
    await deliver(randomUUID(), 'arrives while stopping');
    await stopping;
    expect(Date.now() - before).toBeLessThan(2500);
    expect(handler).not.toHaveBeenCalled();
    expect(await counts(queues.queueUrl)).toEqual({ visible: 1, inFlight: 0 });
  });

  it('lets a running handler finish on stop(), and its message is deleted', async () => {
    await deliver(randomUUID(), 'in flight');
    let started = false;
    let finished = false;
    startWorker({
      waitTimeSeconds: 20,
      handleMessage: async () => {
        started = true;
        await sleep(500);
        finished = true;
      },
    });
    await eventually(() => started);
    await worker!.stop();
    expect(finished).toBe(true);
    expect(await counts(queues.queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('refuses a heartbeat interval that would let messages become visible', () => {
    expect(
      () =>
        new QueueBotWorker({
          sqs,
          queueUrl: 'q',
          repliesQueueUrl: 'r',
          handleMessage: () => {},
          visibilityTimeoutSeconds: 10,
          heartbeatIntervalMs: 6000,
        }),
    ).toThrow('heartbeatIntervalMs must be positive and at most half of visibilityTimeoutSeconds');
  });
});
