/**
 * The `$connect` REQUEST authorizer, and what its context saves the handlers: called directly and
 * through the local gateway (which runs it as API Gateway does), against real DynamoDB Local.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TABLE_KEYS } from '../../../lambdas/adapters/dynamodb/table-design';
import { ErrorCode } from '../../../lambdas/core/errors';
import { authorizerContextFor } from '../../../lambdas/handlers/authorizer-context';
import { authorizerHandler } from '../../../lambdas/handlers/websocket-authorizer';
import { disconnectHandler } from '../../../lambdas/handlers/websocket-disconnect';
import disconnectFixture from '../../local/gateway/fixtures/disconnect-event.json';
import { HandshakeRefused, TestSocket } from '../../support/ws-test-client';
import { NO_MANAGER_BOTS, TEST_BOTS, httpJson, startTestStack, type TestStack } from '../../support/test-stack';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef1234/local/$connect';

let stack: TestStack;
let noManager: TestStack;

beforeAll(async () => {
  [stack, noManager] = await Promise.all([
    startTestStack('authorizer', TEST_BOTS),
    startTestStack('authorizer-nomgr', NO_MANAGER_BOTS, { openRooms: true }),
  ]);
});

afterAll(async () => {
  await Promise.all([stack?.stop(), noManager?.stop()]);
});

function authorizerEvent(query?: Record<string, string>): unknown {
  return {
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    headers: {},
    multiValueHeaders: {},
    ...(query ? { queryStringParameters: query } : {}),
    stageVariables: {},
    requestContext: { connectionId: 'Q2hlY2tFdmVudA=', eventType: 'CONNECT', routeKey: '$connect' },
  };
}

/** Every DynamoDB request the stack's handlers make, as `Command PK-prefix`, from now on. */
function recordDynamoDbRequests(client: DynamoDBClient): { requests: string[]; stop(): void } {
  const requests: string[] = [];
  const name = `count-${Math.random()}`;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      // The document client's commands reach the client's stack marshalled (`{ S: "CONV#…" }`).
      const input = args.input as { Key?: Record<string, { S?: string }>; ExpressionAttributeValues?: Record<string, { S?: string }> };
      const pk = input.Key?.[TABLE_KEYS.partitionKey]?.S ?? input.ExpressionAttributeValues?.[':pk']?.S ?? '';
      requests.push(`${(context.commandName ?? '?').replace(/Command$/, '')} ${pk.split('#')[0]}`.trim());
      return next(args);
    },
    { step: 'build', name },
  );
  return { requests, stop: () => client.middlewareStack.remove(name) };
}

describe('the $connect authorizer handler', () => {
  it('allows a participant token, naming the participant in the context', async () => {
    // given a conversation with a human and a required websocket bot
    const ticket = (await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Ana', bots: ['Keeper'] } })).body;
    const ana = await stack.app.store.getParticipant(ticket.id, ticket.my_participant_id);

    // when the authorizer runs on Ana's token
    const result = await authorizerHandler(stack.app.store, stack.log)(authorizerEvent({ token: ticket.token }));

    // then it allows exactly this $connect, as Ana
    expect(result).toEqual({
      principalId: ticket.my_participant_id,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }] },
      context: authorizerContextFor(ana!),
    });
    expect(result.context).toMatchObject({ conversation_id: ticket.id, participant_name: 'Ana', participant_type: 'H' });
  });

  it.each([
    ['an unknown token', { token: 'x'.repeat(43) }, ErrorCode.INVALID_TOKEN],
    ['no token', undefined, ErrorCode.MISSING_TOKEN],
    ['an empty token', { token: '' }, ErrorCode.MISSING_TOKEN],
  ])('refuses %s with "Unauthorized" (401) and logs why', async (_label, query, code) => {
    const before = stack.log.lines.length;
    await expect(authorizerHandler(stack.app.store, stack.log)(authorizerEvent(query))).rejects.toThrow(/^Unauthorized$/);
    expect(stack.log.lines.slice(before)).toContainEqual(
      expect.objectContaining({ level: 'info', message: 'connection refused', fields: expect.objectContaining({ code }) }),
    );
  });

  it('fails loudly on an event that is not an authorizer event (a configuration error, not a refusal)', async () => {
    await expect(authorizerHandler(stack.app.store, stack.log)({ queryStringParameters: { token: 't' } })).rejects.toThrow(
      'malformed authorizer event: methodArn must be a non-empty string',
    );
  });
});

describe('through the local gateway', () => {
  it('refuses a missing or unknown token at the handshake (401), writing nothing', async () => {
    const ticket = (await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body;
    const lastSeq = (await stack.app.store.getConversation(ticket.id))!.lastSeq;

    for (const query of [{}, { token: 'not-a-token' }] as Array<Record<string, string>>) {
      const refused = await TestSocket.open(stack.gateway.url, query).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(HandshakeRefused);
      expect((refused as HandshakeRefused).status).toBe(401);
    }
    expect((await stack.app.store.getConversation(ticket.id))!.lastSeq).toBe(lastSeq);
  });

  it('still refuses a foreign conversation_id (403): $connect checks it against the authorized participant', async () => {
    const ticket = (await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body;
    const other = (await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Bia' } })).body;
    const refused = await TestSocket.open(stack.gateway.url, { token: ticket.token, conversation_id: other.id }).catch(
      (error: unknown) => error,
    );
    expect((refused as HandshakeRefused).status).toBe(403);
  });

  it('reads the token once per connection: $connect looks up only the conversation', async () => {
    const ticket = (await httpJson(noManager, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body;
    const recording = recordDynamoDbRequests(noManager.dynamoDb);
    const socket = await TestSocket.open(noManager.gateway.url, { token: ticket.token });
    recording.stop();

    // the authorizer's token read, then $connect: the conversation, the join, the roster for `state`
    expect(recording.requests).toEqual(['GetItem TOKEN', 'GetItem CONV', 'TransactWriteItems', 'Query CONV']);
    await socket.close();
  });

  it('stores and fans out a message with two DynamoDB requests: no lookup of the connection', async () => {
    // given Ana and Bia connected
    const ticket = (await httpJson(noManager, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body;
    const ana = await TestSocket.open(noManager.gateway.url, { token: ticket.token });
    const bia = await TestSocket.open(noManager.gateway.url, { token: await joinToken(noManager, ticket.id) });

    // when Ana sends a message
    const recording = recordDynamoDbRequests(noManager.dynamoDb);
    ana.send({ type: 'T', text: 'hello', local_id: 'two-requests' });
    const received = await bia.waitFor((frame) => frame.message?.local_id === 'two-requests');
    await ana.waitFor((frame) => frame.message?.local_id === 'two-requests');
    recording.stop();

    // then it was stored as Ana's, read and written once each
    expect(received.message).toMatchObject({ text: 'hello', sender_id: ticket.my_participant_id, approval_status: 1 });
    expect(recording.requests).toEqual(['Query CONV', 'TransactWriteItems']);
    await Promise.all([ana.close(), bia.close()]);
  });

  it('answers not_connected, storing nothing, when the connection is no longer registered', async () => {
    // given Ana connected, and her connection's record gone (as after a 410 clean-up)
    const ticket = (await httpJson(noManager, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body;
    const ana = await TestSocket.open(noManager.gateway.url, { token: ticket.token });
    const connectionId = await ana.connectionId();
    const owner = await noManager.app.store.findConnection(connectionId);
    await noManager.app.store.forgetConnection(owner!.connection);
    const lastSeq = (await noManager.app.store.getConversation(ticket.id))!.lastSeq;

    // when she sends a message on it
    ana.send({ type: 'T', text: 'anyone?', local_id: 'orphan' });

    // then she is told to reconnect, and nothing is stored
    const error = await ana.waitFor((frame) => frame.error !== undefined);
    expect(error.error).toEqual({
      code: 'not_connected',
      message: 'this connection is not registered; reconnect',
      local_id: 'orphan',
    });
    expect((await noManager.app.store.getConversation(ticket.id))!.lastSeq).toBe(lastSeq);
    await ana.close();
  });

  it('disconnects without looking the connection up, and is still idempotent', async () => {
    // given Ana and Bia connected
    const ticket = (await httpJson(noManager, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body;
    const ana = await TestSocket.open(noManager.gateway.url, { token: ticket.token });
    const bia = await TestSocket.open(noManager.gateway.url, { token: await joinToken(noManager, ticket.id) });

    const biaConnectionId = await bia.connectionId();
    const biaParticipant = (await noManager.app.store.findConnection(biaConnectionId))!.participant;

    // when Bia leaves
    const recording = recordDynamoDbRequests(noManager.dynamoDb);
    await bia.close();
    const left = await ana.waitFor((frame) => frame.message?.event === 'participant-left');
    await ana.waitFor((frame) => frame.state !== undefined && frame.state.last_seq === left.message.seq);
    recording.stop();

    // then $disconnect read the conversation's connections, wrote once and read the roster for `state`
    expect(recording.requests).toEqual(['Query CONV', 'TransactWriteItems', 'Query CONV']);
    expect(recording.requests.filter((request) => request.startsWith('GetItem'))).toEqual([]);

    // and a second $disconnect for the same connection, with the same context, stores nothing
    const lastSeq = (await noManager.app.store.getConversation(ticket.id))!.lastSeq;
    const again = await disconnectHandler(noManager.app.consumer)({
      ...structuredClone(disconnectFixture),
      requestContext: {
        ...structuredClone(disconnectFixture.requestContext),
        connectionId: biaConnectionId,
        authorizer: { ...authorizerContextFor(biaParticipant), principalId: biaParticipant.id },
      },
    });
    expect(again.statusCode).toBe(200);
    expect((await noManager.app.store.getConversation(ticket.id))!.lastSeq).toBe(lastSeq);
    await ana.close();
  });
});

async function joinToken(target: TestStack, conversationId: string): Promise<string> {
  const response = await httpJson(target, 'POST', `/conversations/${conversationId}/join`, { body: { nickname: 'Bia' } });
  expect(response.status).toBe(201);
  return response.body.token as string;
}
