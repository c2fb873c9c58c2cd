import { ApiGatewayManagementApiClient, DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import WebSocket from 'ws';
import {
  ConversationClient,
  ConversationsHttpClient,
  HttpApiError,
  QueueBotWorker,
  ServerError,
  type ConversationTicket,
  type WireMessage,
} from '../../sdk/node';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/aws-clients';
import { NO_MANAGER_BOTS, startTestStack, type TestStack } from '../support/test-stack';
import { eventually } from '../support/ws-test-client';

jest.setTimeout(30_000);

/**
 * The SDK against the whole local stack: the real handlers behind the local API Gateway, DynamoDB
 * Local and the SQS server. A human uses `ConversationsHttpClient` and `ConversationClient`; the
 * `queue` bot `Calc` runs on `QueueBotWorker`.
 */
describe('SDK end to end (local stack)', () => {
  let stack: TestStack;
  let api: ConversationsHttpClient;
  let management: ApiGatewayManagementApiClient;
  let human: ConversationClient | undefined;
  let worker: QueueBotWorker | undefined;

  beforeAll(async () => {
    stack = await startTestStack('sdk e2e', NO_MANAGER_BOTS);
    api = new ConversationsHttpClient({ baseUrl: stack.http.url });
    management = new ApiGatewayManagementApiClient({
      endpoint: stack.gateway.managementEndpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
    });
  });

  afterAll(async () => {
    management.destroy();
    await stack.stop();
  });

  afterEach(async () => {
    await human?.close();
    // Let the last poll finish: an aborted one could take the next test's first message with it.
    await worker?.stop({ drainPoll: true });
    human = undefined;
    worker = undefined;
  });

  function connectHuman(ticket: ConversationTicket, received: WireMessage[]): Promise<void> {
    human = new ConversationClient({
      url: ticket.websocket_url,
      token: ticket.token,
      WebSocket,
      pingIntervalMs: 0,
      reconnect: { initialDelayMs: 50, jitter: 0 },
    });
    human.on('message', (message) => received.push(message));
    return human.connect();
  }

  /** Calc as a queue bot: answers every human text message, quoting it. */
  function startCalc(): void {
    worker = new QueueBotWorker({
      sqs: stack.sqs,
      queueUrl: stack.botQueueUrls.Calc!,
      repliesQueueUrl: stack.repliesQueueUrl,
      waitTimeSeconds: 1,
      log: { info: () => {}, warn: () => {}, error: () => {} },
      handleMessage: async ({ message }, reply) => {
        if (message.type === 'T' && message.sent_by_human) {
          await reply({ text: `got ${message.text}`, quoted_message_id: message.id });
        }
      },
    });
    worker.start();
  }

  it('reads the bots and the limits', async () => {
    await expect(api.listBots()).resolves.toEqual(['Helper', 'Calc']);
    await expect(api.limits()).resolves.toMatchObject({ max_frame_bytes: 32 * 1024, max_local_id_chars: 32 });
  });

  it('throws HttpApiError with the server code for an unknown bot and for a foreign token', async () => {
    const unknown = api.createConversation({ nickname: 'Ana', bots: ['Nope'] });
    await expect(unknown).rejects.toBeInstanceOf(HttpApiError);
    await expect(unknown).rejects.toMatchObject({ status: 400, code: 'unknown_bot' });
    const ticket = await api.createConversation({ nickname: 'Ana' });
    await expect(api.getConversation(ticket.id, 'not-a-token')).rejects.toMatchObject({ status: 401, code: 'invalid_token' });
  });

  it('talks to a queue bot: the send resolves with the stored message, the reply comes back in order', async () => {
    const ticket = await api.createConversation({ nickname: 'Ana', bots: ['Calc'] });
    const received: WireMessage[] = [];
    await connectHuman(ticket, received);
    startCalc();

    const stored = await human!.send({ text: '2+3' });
    expect(stored).toMatchObject({ text: '2+3', sender_id: ticket.my_participant_id, approval_status: 1 });
    const answer = await eventually(() => received.find((message) => message.quoted_message_id === stored.id), 10_000);
    expect(answer.text).toBe('got 2+3');
    expect(answer.seq).toBe(stored.seq! + 1);

    const seqs = received.map((message) => message.seq);
    expect(seqs).toEqual(seqs.map((_, index) => index + 1));
    const history = await api.listMessages(ticket.id, ticket.token, { after_seq: 0 });
    expect(history.map((message) => message.id)).toEqual(received.map((message) => message.id));
    const view = await api.getConversation(ticket.id, ticket.token);
    expect(view.participants).toContainEqual(expect.objectContaining({ name: 'Ana', type: 'H', online: true }));
  });

  it('misses nothing across a dropped connection, and emits nothing twice', async () => {
    const ticket = await api.createConversation({ nickname: 'Ana', bots: ['Calc'] });
    const received: WireMessage[] = [];
    await connectHuman(ticket, received);
    startCalc();
    await human!.send({ text: 'before' });
    const { connection_id: connectionId } = await human!.ping();

    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    const afterDrop = await human!.send({ text: 'after' }); // queued, then flushed on the new connection
    await eventually(() => received.some((message) => message.quoted_message_id === afterDrop.id), 10_000);

    const history = await api.listMessages(ticket.id, ticket.token);
    await eventually(() => received.length === history.length);
    expect(received.map((message) => message.id)).toEqual(history.map((message) => message.id));
    expect(new Set(received.map((message) => message.id)).size).toBe(received.length);
  });

  it('rejects a send the server refuses with its code', async () => {
    const ticket = await api.createConversation({ nickname: 'Ana' });
    await connectHuman(ticket, []);
    const refused = human!.send({ text: 'x'.repeat(4001) });
    await expect(refused).rejects.toBeInstanceOf(ServerError);
    await expect(refused).rejects.toMatchObject({ code: 'text_too_long' });
  });
});
