/**
 * The Lambda handlers called directly with API Gateway / SQS event shapes (fixtures captured from
 * the local gateway, which follows AWS's), against real DynamoDB Local and SQS.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import connectFixture from '../../local/gateway/fixtures/connect-event.json';
import disconnectFixture from '../../local/gateway/fixtures/disconnect-event.json';
import messageFixture from '../../local/gateway/fixtures/message-event.json';
import { repliesHandler } from '../../../lambdas/handlers/replies-consumer';
import { connectHandler } from '../../../lambdas/handlers/websocket-connect';
import { defaultHandler } from '../../../lambdas/handlers/websocket-default';
import { disconnectHandler } from '../../../lambdas/handlers/websocket-disconnect';
import { MalformedEvent } from '../../../lambdas/handlers/websocket-event';
import { createApp } from '../../../lambdas/runtime/app';
import { TEST_BOTS, httpJson, recordingLogger, startTestStack, type TestStack } from '../../support/test-stack';
import { fifoRecord } from '../../support/sqs-records';
import { withContext } from '../../support/gateway-events';
import { TestSocket } from '../../support/ws-test-client';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack('handlers', TEST_BOTS);
});

afterAll(async () => {
  await stack?.stop();
});

describe('connect handler', () => {
  it('refuses a CONNECT event without a token with 401 and an error body', async () => {
    const event = withContext(connectFixture, { connectionId: 'AAAAAAAAAAAAAAA=' });
    delete (event as { queryStringParameters?: unknown }).queryStringParameters;
    const result = await connectHandler(stack.app.consumer)(event);
    expect(result.statusCode).toBe(401);
    expect(JSON.parse(result.body!)).toEqual({ error: { code: 'missing_token', message: 'a token query parameter is required' } });
  });

  it('throws MalformedEvent for an event that is not an API Gateway WebSocket event', async () => {
    await expect(connectHandler(stack.app.consumer)({ requestContext: {} })).rejects.toBeInstanceOf(MalformedEvent);
    await expect(defaultHandler(stack.app.consumer)('nonsense')).rejects.toBeInstanceOf(MalformedEvent);
  });
});

describe('default and disconnect handlers', () => {
  it('decode a base64 body, and treat an unknown connection on $disconnect as already gone', async () => {
    const ticket = (await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body;
    const socket = await TestSocket.open(stack.gateway.url, { token: ticket.token });
    const connectionId = await socket.connectionId();

    const encoded = Buffer.from(JSON.stringify({ type: 'T', text: 'via base64', local_id: 'b64' })).toString('base64');
    const result = await defaultHandler(stack.app.consumer)(
      withContext({ ...messageFixture, body: encoded, isBase64Encoded: true }, { connectionId }),
    );
    expect(result.statusCode).toBe(200);
    expect((await socket.waitFor((frame) => frame.message?.local_id === 'b64')).message.text).toBe('via base64');

    const gone = await disconnectHandler(stack.app.consumer)(withContext(disconnectFixture, { connectionId: 'ZZZZZZZZZZZZZZZ=' }));
    expect(gone.statusCode).toBe(200);
    await socket.close();
  });
});


describe('replies handler', () => {
  it('stores good replies, dead-letters refused ones at once, and reports nothing failed', async () => {
    const ticket = (await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Ana', bots: ['Calc'] } })).body;
    const managerId = ticket.participants.find((p: { name: string }) => p.name === 'Manager').id;
    const good = fifoRecord(
      JSON.stringify({
        conversation_id: ticket.id,
        bot_participant_id: managerId,
        message: { type: 'T', text: 'hi from the manager', local_id: 'r-1', command: '{"self_approve":true}' },
      }),
      ticket.id,
    );
    const refused = fifoRecord(JSON.stringify({ conversation_id: ticket.id, bot_participant_id: managerId, message: { type: 'S' } }), ticket.id);
    const handler = repliesHandler({
      consumer: stack.app.consumer,
      sqs: stack.sqs,
      deadLetterQueueUrl: stack.repliesDeadLetterQueueUrl,
      log: stack.log,
    });

    const response = await handler({ Records: [good, refused] } as SQSEvent);

    expect(response).toEqual({ batchItemFailures: [] });
    const history = await httpJson(stack, 'GET', `/conversations/${ticket.id}/messages`, { token: ticket.token });
    expect(history.body.results.some((m: { local_id?: string }) => m.local_id === 'r-1')).toBe(true);
    const dead = await stack.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.repliesDeadLetterQueueUrl, WaitTimeSeconds: 2, MessageAttributeNames: ['All'] }),
    );
    expect(dead.Messages?.[0]?.Body).toBe(refused.body);
    expect(dead.Messages?.[0]?.MessageAttributes?.error_code?.StringValue).toBe('invalid_message_type');
  });

  it('reports a failure of its own as a batch item failure, with every later record of that conversation', async () => {
    // A real fault: DynamoDB is not reachable (nothing listens on this port).
    const unreachable = new DynamoDBClient({
      endpoint: 'http://127.0.0.1:9',
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const broken = createApp(stack.app.config, { dynamoDb: unreachable, sqs: stack.sqs }, recordingLogger());
    const handler = repliesHandler({
      consumer: broken.consumer,
      sqs: stack.sqs,
      deadLetterQueueUrl: stack.repliesDeadLetterQueueUrl,
      log: broken.log,
    });
    const conversationA = randomUUID();
    const conversationB = randomUUID();
    const body = (conversationId: string): string =>
      JSON.stringify({ conversation_id: conversationId, bot_participant_id: randomUUID(), message: { type: 'T', text: 'x' } });
    const first = fifoRecord(body(conversationA), conversationA);
    // Unparseable: would go to the dead-letter queue at once, were it not behind a failed record.
    const second = fifoRecord('{blocked', conversationA);
    const other = fifoRecord('{not blocked', conversationB);

    const response = await handler({ Records: [first, other, second] } as SQSEvent);

    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(
      [first.messageId, second.messageId].sort(),
    );
    const dead = await stack.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: stack.repliesDeadLetterQueueUrl, WaitTimeSeconds: 2, MaxNumberOfMessages: 10 }),
    );
    expect((dead.Messages ?? []).map((m) => m.Body)).toEqual(['{not blocked']);
    unreachable.destroy();
  });
});
