/**
 * The composition roots the Lambda entries use (`lambdas/runtime/route-apps.ts`), each building only
 * its part of the consumer, driven through their handlers with API Gateway / SQS event shapes,
 * against real DynamoDB Local, SQS and the local gateway's management API.
 */
import type { SQSEvent } from 'aws-lambda';
import connectFixture from '../../local/gateway/fixtures/connect-event.json';
import disconnectFixture from '../../local/gateway/fixtures/disconnect-event.json';
import messageFixture from '../../local/gateway/fixtures/message-event.json';
import { createManagementApiClient } from '../../../lambdas/adapters/management-api/management-client';
import { repliesHandler } from '../../../lambdas/handlers/replies-consumer';
import { connectHandler } from '../../../lambdas/handlers/websocket-connect';
import { defaultHandler } from '../../../lambdas/handlers/websocket-default';
import { disconnectHandler } from '../../../lambdas/handlers/websocket-disconnect';
import type { ConsumerClients, ConsumerConfig } from '../../../lambdas/runtime/backend-adapters';
import {
  createConnectRoute,
  createDefaultRoute,
  createDisconnectRoute,
  createRepliesRoute,
} from '../../../lambdas/runtime/route-apps';
import { httpJson, NO_MANAGER_BOTS, recordingLogger, startTestStack, type TestStack } from '../../support/test-stack';
import { fifoRecord } from '../../support/sqs-records';
import { withContext } from '../../support/gateway-events';
import { TestSocket } from '../../support/ws-test-client';

let stack: TestStack;
let config: ConsumerConfig;
let clients: ConsumerClients;

beforeAll(async () => {
  stack = await startTestStack('routes', NO_MANAGER_BOTS, { openRooms: true });
  config = { tableName: stack.tableName, managementApiEndpoint: stack.gateway.managementEndpoint, botQueueUrls: stack.botQueueUrls };
  clients = {
    dynamoDb: stack.dynamoDb,
    sqs: stack.sqs,
    managementApi: createManagementApiClient(stack.gateway.managementEndpoint, {
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  };
});

afterAll(async () => {
  clients?.managementApi?.destroy();
  await stack?.stop();
});

describe('the Lambda routes, each built alone', () => {
  it('$connect, $default and $disconnect store and deliver as the whole consumer does', async () => {
    const ticket = (await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body;
    const bia = (await httpJson(stack, 'POST', `/conversations/${ticket.id}/join`, { body: { nickname: 'Bia' } })).body;
    const ana = await TestSocket.open(stack.gateway.url, { token: ticket.token });
    const anaConnectionId = await ana.connectionId();

    // Bia connects through the $connect route alone (a connection id the gateway does not hold: posts to it are 410s).
    const biaConnectionId = 'RouteBiaConn0=';
    const connected = await connectHandler(createConnectRoute(config, clients))(
      withContext(connectFixture, { connectionId: biaConnectionId, connectedAt: Date.now() }, { queryStringParameters: { token: bia.token } }),
    );
    expect(connected.statusCode).toBe(200);
    const joined = await ana.waitFor(
      (frame) => frame.message?.event === 'participant-joined' && frame.message.additional_metadata?.participant_id === bia.my_participant_id,
    );
    expect(joined.message.seq).toBeGreaterThan(1);

    // Ana's message through the $default route alone reaches her socket with the next seq.
    const sent = await defaultHandler(createDefaultRoute(config, clients))(
      withContext(messageFixture, { connectionId: anaConnectionId }, { body: JSON.stringify({ type: 'T', text: 'by route', local_id: 'route-1' }) }),
    );
    expect(sent.statusCode).toBe(200);
    const echoed = await ana.waitFor((frame) => frame.message?.local_id === 'route-1');
    expect(echoed.message).toMatchObject({ text: 'by route', seq: joined.message.seq + 1, sender_id: ticket.my_participant_id });

    // Bia leaves through the $disconnect route alone: participant-left, and twice is harmless.
    const disconnect = disconnectHandler(createDisconnectRoute(config, clients));
    expect((await disconnect(withContext(disconnectFixture, { connectionId: biaConnectionId }))).statusCode).toBe(200);
    expect((await disconnect(withContext(disconnectFixture, { connectionId: biaConnectionId }))).statusCode).toBe(200);
    const left = await ana.waitFor((frame) => frame.message?.event === 'participant-left');
    expect(left.message.additional_metadata.participant_id).toBe(bia.my_participant_id);
    const history = await httpJson(stack, 'GET', `/conversations/${ticket.id}/messages`, { token: ticket.token });
    expect(history.body.results.filter((m: { event?: string }) => m.event === 'participant-left')).toHaveLength(1);
    await ana.close();
  });

  it('the replies route stores a queue bot reply and delivers it', async () => {
    const ticket = (await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Ana', bots: ['Calc'] } })).body;
    const calcId = ticket.participants.find((p: { name: string }) => p.name === 'Calc').id;
    const ana = await TestSocket.open(stack.gateway.url, { token: ticket.token });
    const route = createRepliesRoute(config, { ...clients });
    const handler = repliesHandler({ ...route, deadLetterQueueUrl: stack.repliesDeadLetterQueueUrl, log: recordingLogger() });

    const body = JSON.stringify({ conversation_id: ticket.id, bot_participant_id: calcId, message: { type: 'T', text: '4', local_id: 'calc-1' } });
    const response = await handler({ Records: [fifoRecord(body, ticket.id)] } as SQSEvent);

    expect(response).toEqual({ batchItemFailures: [] });
    expect((await ana.waitFor((frame) => frame.message?.local_id === 'calc-1')).message).toMatchObject({ text: '4', sender_id: calcId });
    await ana.close();
  });
});
