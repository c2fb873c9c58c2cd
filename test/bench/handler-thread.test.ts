/**
 * The benchmark's `$default` in a worker thread (`bench/handler-thread.ts`), against the test
 * stack's real DynamoDB Local, SQS and gateway: what the worker does must be what the Lambda does.
 */
import messageFixture from '../local/gateway/fixtures/message-event.json';
import { HandlerThread } from '../../bench/handler-thread';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/stack';
import { httpJson, NO_MANAGER_BOTS, recordingLogger, startTestStack, type TestStack } from '../support/test-stack';
import { withContext } from '../support/gateway-events';
import { TestSocket } from '../support/ws-test-client';

let stack: TestStack;
let thread: HandlerThread;
const log = recordingLogger();

beforeAll(async () => {
  stack = await startTestStack('handler-thread', NO_MANAGER_BOTS);
  thread = await HandlerThread.start(
    {
      config: { tableName: stack.tableName, managementApiEndpoint: stack.gateway.managementEndpoint, botQueueUrls: stack.botQueueUrls },
      dynamoDbEndpoint: process.env.TEST_DYNAMODB_ENDPOINT!,
      sqsEndpoint: process.env.TEST_SQS_ENDPOINT!,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    },
    log,
  );
});

afterAll(async () => {
  await thread?.stop();
  await stack?.stop();
});

describe('HandlerThread', () => {
  it('stores and delivers a message like the $default Lambda, and hands its warnings back', async () => {
    const ticket = (await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body;
    const ana = await TestSocket.open(stack.gateway.url, { token: ticket.token });
    const connectionId = await ana.connectionId();

    const result = await thread.invoke<{ statusCode: number }>(
      withContext(messageFixture, { connectionId }, { body: JSON.stringify({ type: 'T', text: 'from the worker', local_id: 'w-1', command: '{}' }) }),
    );

    expect(result.statusCode).toBe(200);
    const delivered = await ana.waitFor((frame) => frame.message?.local_id === 'w-1');
    expect(delivered.message).toMatchObject({ text: 'from the worker', sender_id: ticket.my_participant_id, seq: 3 });
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 'warn', message: 'command from a participant other than the manager dropped' }));
    await ana.close();
  });

  it('reports the DynamoDB calls and pauses of its handler while watched, and none outside a watch', async () => {
    const ticket = (await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Bia' } })).body;
    const bia = await TestSocket.open(stack.gateway.url, { token: ticket.token });
    const connectionId = await bia.connectionId();
    const send = (localId: string) =>
      thread.invoke(withContext(messageFixture, { connectionId }, { body: JSON.stringify({ type: 'T', text: 'hi', local_id: localId }) }));

    await send('before-watch');
    const stop = await thread.watch();
    const watchedFrom = performance.timeOrigin + performance.now();
    await send('watched');
    const watched = await stop();
    await send('after-watch');

    // The fixture carries no authorizer context, so the handler looks the connection up first;
    // then one Query of the conversation's connections and one transaction, as the Lambda makes them.
    expect(watched.calls.map((call) => call.command)).toEqual(['GetItem', 'Query', 'TransactWriteItems']);
    for (const call of watched.calls) {
      expect(call.failed).toBeUndefined();
      expect(call.startedAt).toBeGreaterThanOrEqual(watchedFrom);
      expect(call.endedAt).toBeGreaterThanOrEqual(call.startedAt);
    }
    expect(watched.pauses).toMatchObject({ dynamoDbGcCount: 0, eventLoopMaxMs: expect.any(Number), gcCount: expect.any(Number) });
    const nothing = await (await thread.watch())();
    expect(nothing.calls).toEqual([]);
    await bia.close();
  });

  it('rejects an invocation whose handler throws, with the reason', async () => {
    await expect(thread.invoke({ requestContext: {} })).rejects.toThrow(/\$default in the handler thread failed: MalformedEvent/);
  });
});
