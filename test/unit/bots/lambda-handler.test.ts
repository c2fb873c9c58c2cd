/**
 * The example bot Lambda handler (`bots/lambda/example-bot-handler.ts`) called with SQS events, its
 * replies sent to a real FIFO replies queue on the run's SQS server.
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { exampleBotHandler } from '../../../bots/lambda/example-bot-handler';
import { exampleQueueBot } from '../../../bots/example-registry';
import type { WireMessage } from '../../../lambdas/core/wire';
import { replyDeduplicationId } from '../../../sdk/node';
import { testSqsClient } from '../../support/aws-clients';
import { createTestQueues, deleteTestQueues, type TestQueues } from '../../support/isolation';
import { fifoRecord } from '../../support/sqs-records';
import { recordingLogger } from '../../support/test-stack';

const HUMAN = randomUUID();
const MANAGER = randomUUID();
const CALCULATOR = randomUUID();
const ECHO = randomUUID();

let sqs: SQSClient;
const created: TestQueues[] = [];

beforeAll(() => {
  sqs = testSqsClient();
});

afterAll(async () => {
  await Promise.all(created.map((queues) => deleteTestQueues(queues, sqs)));
  sqs?.destroy();
});

/** A replies queue of the test's own, so what it reads is only what its handler sent. */
async function repliesQueue(): Promise<string> {
  const queues = await createTestQueues('lambda bots', [], sqs);
  created.push(queues);
  return queues.replies.url;
}

/** One handler as the Lambda entry builds it, with a logger the test can read. */
function handlerFor(botName: string, repliesQueueUrl: string) {
  const log = recordingLogger();
  return { log, handle: exampleBotHandler({ sqs, repliesQueueUrl, bot: exampleQueueBot(botName), log }) };
}

function wireMessage(fields: Partial<WireMessage>): WireMessage {
  return {
    id: randomUUID(),
    type: 'T',
    time: new Date().toISOString(),
    approval_status: 1,
    sent_by_human: false,
    sent_by_manager: false,
    ...fields,
  };
}

const humanSays = (text: string) => wireMessage({ text, sender_id: HUMAN, sent_by_human: true });


function delivery(conversationId: string, botParticipantId: string, message: WireMessage): SQSRecord {
  return fifoRecord(JSON.stringify({ conversation_id: conversationId, bot_participant_id: botParticipantId, message }), conversationId, 't-bot-Calculator.fifo');
}

const event = (...records: SQSRecord[]): SQSEvent => ({ Records: records });

/**
 * Everything on the queue now, deleted as read, in the order SQS hands it over. The handler has
 * awaited every send, so a short poll sees them all (the SQS server is one process, not a fleet).
 */
async function drain(queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['MessageGroupId', 'MessageDeduplicationId'],
      }),
    );
    if (Messages.length === 0) return all;
    for (const message of Messages) {
      all.push(message);
      await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle! }));
    }
  }
}

const bodyOf = (message: Message) => JSON.parse(message.Body!);

describe('example bot Lambda handler', () => {
  it('as the Manager, redirects human arithmetic to the Calculator on the replies queue, grouped by conversation', async () => {
    // given the Manager's handler, which has seen nothing of this conversation (a fresh container)
    const queueUrl = await repliesQueue();
    const { handle } = handlerFor('Manager', queueUrl);
    const conversationId = randomUUID();
    const question = humanSays('2+3*4');

    // when the human's approved message is delivered
    const response = await handle(event(delivery(conversationId, MANAGER, question)));

    // then one redirect to the Calculator, quoting the question, as the manager, in the conversation's group
    expect(response).toEqual({ batchItemFailures: [] });
    const [sent, ...more] = await drain(queueUrl);
    expect(more).toEqual([]);
    expect(sent!.Attributes?.MessageGroupId).toBe(conversationId);
    const body = bodyOf(sent!);
    expect(body).toEqual({
      conversation_id: conversationId,
      bot_participant_id: MANAGER,
      message: {
        type: 'T',
        text: '',
        local_id: expect.stringMatching(/^route-/),
        quoted_message_id: question.id,
        command: JSON.stringify({ action: 'redirect', bots: ['Calculator'] }),
      },
    });
    expect(sent!.Attributes?.MessageDeduplicationId).toBe(replyDeduplicationId(conversationId, MANAGER, body.message.local_id));
  });

  it('as the Manager, remembers the joins it saw in this container and routes by them', async () => {
    // given a conversation with Echo only, whose joins this container handled
    const queueUrl = await repliesQueue();
    const { handle } = handlerFor('Manager', queueUrl);
    const conversationId = randomUUID();
    const joined = (id: string, name: string) =>
      wireMessage({
        type: 'S',
        event: 'participant-joined',
        additional_metadata: { participant_id: id, participant_name: name, participant_type: 'B' },
      });
    await handle(
      event(delivery(conversationId, MANAGER, joined(MANAGER, 'Manager')), delivery(conversationId, MANAGER, joined(ECHO, 'Echo'))),
    );

    // when arithmetic comes in a later invocation
    await handle(event(delivery(conversationId, MANAGER, humanSays('1+1'))));

    // then it goes to the bot the conversation has
    const sent = await drain(queueUrl);
    expect(sent.map((message) => JSON.parse(bodyOf(message).message.command).bots)).toEqual([['Echo']]);
  });

  it('as the Calculator, answers with the result quoting the question, once however often the record is handled', async () => {
    // given
    const queueUrl = await repliesQueue();
    const { handle } = handlerFor('Calculator', queueUrl);
    const conversationId = randomUUID();
    const question = humanSays('2+3*4');
    const redirected = delivery(conversationId, CALCULATOR, question);

    // when the same record is handled twice (SQS delivers at least once)
    expect(await handle(event(redirected))).toEqual({ batchItemFailures: [] });
    expect(await handle(event(redirected))).toEqual({ batchItemFailures: [] });

    // then one answer on the queue: the resend had the same de-duplication id
    const sent = await drain(queueUrl);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.Attributes?.MessageGroupId).toBe(conversationId);
    expect(bodyOf(sent[0]!)).toEqual({
      conversation_id: conversationId,
      bot_participant_id: CALCULATOR,
      message: { type: 'T', text: '14', local_id: expect.stringMatching(/^calc-/), quoted_message_id: question.id },
    });
  });

  it('reports a failed record and the later records of its conversation only, and sends nothing for them', async () => {
    // given an Echo queue bot and three records: A's first one cannot be answered, because Echo's
    // answer repeats the text and SQS refuses a body over 1 MiB
    const queueUrl = await repliesQueue();
    const { handle, log } = handlerFor('Echo', queueUrl);
    const [conversationA, conversationB] = [randomUUID(), randomUUID()];
    const failing = delivery(conversationA, ECHO, humanSays('x'.repeat(1100 * 1024)));
    const other = delivery(conversationB, ECHO, humanSays('hello b'));
    const blocked = delivery(conversationA, ECHO, humanSays('hello a'));

    // when
    const response = await handle(event(failing, other, blocked));

    // then A's records are retried together, in order, and B's answer went out
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }, { itemIdentifier: blocked.messageId }]);
    const sent = await drain(queueUrl);
    expect(sent.map((message) => [message.Attributes?.MessageGroupId, bodyOf(message).message.text])).toEqual([
      [conversationB, 'HELLO B'],
    ]);
    expect(log.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ sqs_message_id: failing.messageId }),
      }),
    );
  });

  it.each([
    ['not valid JSON', '{"conversation_id": ', 'body is not valid JSON'],
    [
      'JSON but not a delivery',
      JSON.stringify({ conversation_id: 'c', message: {} }),
      'conversation_id and bot_participant_id must be non-empty strings',
    ],
  ])('drops a body that is %s, logs why, and answers the next record of that conversation', async (_, body, reason) => {
    // given a broken record followed by a good one of the same conversation
    const queueUrl = await repliesQueue();
    const { handle, log } = handlerFor('Calculator', queueUrl);
    const conversationId = randomUUID();
    const broken = fifoRecord(body, conversationId, 't-bot-Calculator.fifo');
    const next = delivery(conversationId, CALCULATOR, humanSays('6*7'));

    // when
    const response = await handle(event(broken, next));

    // then nothing is reported failed (a retry could not help) and the next one is answered
    expect(response).toEqual({ batchItemFailures: [] });
    expect((await drain(queueUrl)).map((message) => bodyOf(message).message.text)).toEqual(['42']);
    expect(log.lines).toContainEqual({
      level: 'error',
      message: 'queue message is not a delivery; dropped',
      fields: expect.objectContaining({ sqs_message_id: broken.messageId, reason }),
    });
  });
});
