/**
 * `startLocalStack`'s options for harnesses (the benchmark uses them all): `instrument`,
 * `wrapHandler`, `tableName` and `httpApi: false`, against the run's real DynamoDB Local and SQS
 * server, through the real local gateway.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { startLocalStack, type HandlerInvocation, type HeadlessLocalStack } from '../../local/stack';
import { QueuePeer } from '../support/queue-peer';
import { testSqsClient } from '../support/aws-clients';
import { deleteTestTable, uniquePrefix } from '../support/isolation';
import { NO_MANAGER_BOTS, httpJson, recordingLogger, startTestStack, type TestStack } from '../support/test-stack';
import { TestSocket, eventually, type Frame } from '../support/ws-test-client';

interface SdkCall {
  client: 'dynamoDb' | 'sqs:handlers' | 'sqs:event-source' | 'managementApi';
  command: string;
  /** The route of the handler invocation the call ran in (from `wrapHandler`), if any. */
  route?: string;
}

const isMessage = (predicate: (message: Frame) => boolean) => (frame: Frame) =>
  frame.message !== undefined && predicate(frame.message);

describe('instrument and wrapHandler', () => {
  const calls: SdkCall[] = [];
  const invocations: HandlerInvocation[] = [];
  const currentRoute = new AsyncLocalStorage<string>();
  /** SDK middleware that notes each call of a client, with the handler invocation it ran in. */
  const recording =
    (client: SdkCall['client']) =>
    <A, R>(next: (args: A) => Promise<R>, context: { commandName?: string }) =>
    async (args: A): Promise<R> => {
      const route = currentRoute.getStore();
      calls.push({ client, command: (context.commandName ?? '?').replace(/Command$/, ''), ...(route ? { route } : {}) });
      return next(args);
    };
  const step = { step: 'initialize', name: 'stackTestRecorder' } as const;

  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack('instrument', NO_MANAGER_BOTS, {
      instrument: {
        dynamoDb: (client) => client.middlewareStack.add(recording('dynamoDb'), step),
        sqs: (client, user) => client.middlewareStack.add(recording(`sqs:${user}`), step),
        managementApi: (client) => client.middlewareStack.add(recording('managementApi'), step),
      },
      wrapHandler: (invocation, run) => {
        invocations.push(invocation);
        return currentRoute.run(invocation.route, run);
      },
    });

    // A conversation with the queue bot Calc: a human sends a message, Calc answers through the
    // replies queue, the human leaves.
    const ticket = (await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Ana', bots: ['Calc'] } })).body;
    const calcId = ticket.participants.find((participant: Frame) => participant.name === 'Calc').id as string;
    const human = await TestSocket.open(stack.gateway.url, { token: ticket.token });
    human.send({ action: 'sync', after_seq: 0 });
    await human.waitFor((frame) => frame.state !== undefined);
    human.send({ type: 'T', text: '2+2', local_id: 'question-1' });
    const question = (await human.waitFor(isMessage((message) => message.local_id === 'question-1'))).message;
    const peerSqs = testSqsClient();
    try {
      const calc = new QueuePeer(peerSqs, stack.botQueueUrls.Calc!, stack.repliesQueueUrl);
      await calc.waitFor((body) => body.message.id === question.id);
      await calc.reply(ticket.id, calcId, { type: 'T', text: '4', local_id: 'answer-1', quoted_message_id: question.id });
    } finally {
      peerSqs.destroy();
    }
    await human.waitFor(isMessage((message) => message.text === '4'));
    const connectionId = await human.connectionId();
    await human.close();
    await eventually(async () => (await stack.app.store.findConnection(connectionId)) === undefined);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('hands every client the stack builds to `instrument` before its first use', () => {
    const commands = (client: SdkCall['client']) => new Set(calls.filter((call) => call.client === client).map((call) => call.command));
    // the table was created through the instrumented client: nothing ran before the hook
    expect([...commands('dynamoDb')]).toEqual(expect.arrayContaining(['CreateTable', 'Query', 'TransactWriteItems']));
    // the handlers' SQS client provisions the queues and delivers to Calc's queue
    expect([...commands('sqs:handlers')]).toEqual(expect.arrayContaining(['CreateQueue', 'SendMessage']));
    // the replies queue's poller has a client of its own, told apart from the handlers'
    expect([...commands('sqs:event-source')]).toEqual(expect.arrayContaining(['ReceiveMessage', 'DeleteMessageBatch']));
    expect(commands('sqs:event-source').has('SendMessage')).toBe(false);
    expect([...commands('managementApi')]).toEqual(expect.arrayContaining(['PostToConnection']));
  });

  it('runs every handler invocation inside `wrapHandler`, with its event, and passes its result on', () => {
    const routes = new Set(invocations.map((invocation) => invocation.route));
    expect([...routes].sort()).toEqual(['authorizer', 'connect', 'default', 'disconnect', 'http-api', 'replies']);
    // the event is the one the handler gets: `$default`'s carries the frame
    const frames = invocations.flatMap((invocation) => (invocation.route === 'default' ? [invocation.event.body ?? ''] : []));
    expect(frames.some((body) => body.includes('"question-1"'))).toBe(true);
    const replies = invocations.flatMap((invocation) => (invocation.route === 'replies' ? invocation.event.Records : []));
    expect(replies.some((record) => record.body.includes('"answer-1"'))).toBe(true);
    // the handlers' SDK calls run inside the wrapper (so a harness can attribute them)
    const inRoute = (route: string) => new Set(calls.filter((call) => call.route === route).map((call) => call.command));
    expect([...inRoute('authorizer')]).toEqual(['GetItem']);
    expect([...inRoute('default')]).toEqual(expect.arrayContaining(['TransactWriteItems', 'PostToConnection', 'SendMessage']));
    expect([...inRoute('replies')]).toEqual(expect.arrayContaining(['TransactWriteItems', 'PostToConnection']));
    // and the event source's own calls do not
    expect(calls.filter((call) => call.client === 'sqs:event-source' && call.route !== undefined)).toEqual([]);
  });
});

describe('tableName', () => {
  const tableName = `${uniquePrefix('shared')}-conversations`;
  let first: TestStack;
  let second: TestStack;

  beforeAll(async () => {
    first = await startTestStack('table-a', NO_MANAGER_BOTS, { tableName });
    second = await startTestStack('table-b', NO_MANAGER_BOTS, { tableName });
  });

  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
    await deleteTestTable(tableName);
  });

  it('lets several stacks, each with queues of its own, share one table', async () => {
    expect([first.tableName, second.tableName]).toEqual([tableName, tableName]);
    expect(first.repliesQueueUrl).not.toBe(second.repliesQueueUrl);

    // a conversation created through one stack is read through the other
    const ticket = (await httpJson(first, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body;
    const read = await httpJson(second, 'GET', `/conversations/${ticket.id}`, { token: ticket.token });
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(ticket.id);
  });
});

describe('httpApi: false', () => {
  let stack: HeadlessLocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      dynamoDbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT!,
      sqsEndpoint: process.env.TEST_SQS_ENDPOINT!,
      prefix: uniquePrefix('headless'),
      bots: NO_MANAGER_BOTS,
      log: recordingLogger(),
      inviter: { invite: async () => undefined },
      httpApi: false,
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('starts no HTTP API server, and the rest works without it', async () => {
    expect('http' in stack).toBe(false);

    const ticket = await stack.app.lifecycle.createConversation({ nickname: 'Ana' });
    const human = await TestSocket.open(stack.gateway.url, { token: ticket.token });
    human.send({ action: 'sync', after_seq: 0 });
    const state = (await human.waitFor((frame) => frame.state !== undefined)).state;
    expect(state.participants.map((participant: Frame) => participant.name)).toEqual(['Ana']);
    await human.close();
  });
});
