import { GetConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { WebSocketProxyEvent } from '../../../local/gateway';
import { interpretConnectOutcome } from '../../../local/gateway/handshake';
import { deferred, eventually, GatewayTestKit, sleep } from './gateway-test-kit';

describe('$connect and the handshake', () => {
  const kit = new GatewayTestKit();
  afterEach(() => kit.cleanup());

  it.each([401, 403, 400, 429])('refuses the handshake with the %i its $connect returned', async (statusCode) => {
    const { gateway, events } = await kit.start({}, { connect: async () => ({ statusCode, body: 'secret detail' }) });

    const refusal = await kit.refusal(gateway.url);

    expect(refusal.statusCode).toBe(statusCode);
    expect(refusal.body).not.toContain('secret detail');
    expect(gateway.connectionCount()).toBe(0);
    // A refused connection never existed: no $disconnect either.
    await sleep(50);
    expect(events.disconnect).toHaveLength(0);
  });

  it.each([
    ['throws', async () => Promise.reject(new Error('boom'))],
    ['returns a string', async () => 'OK'],
    ['returns no statusCode', async () => ({ body: 'hi' })],
    ['returns a non-integer statusCode', async () => ({ statusCode: '200' })],
  ])('answers 502 when $connect %s', async (_case, connect) => {
    const { gateway } = await kit.start({}, { connect: connect as never });

    const refusal = await kit.refusal(gateway.url);

    expect(refusal.statusCode).toBe(502);
    expect(JSON.parse(refusal.body)).toEqual({ message: 'Internal server error' });
  });

  it('answers 502 when $connect outlives the integration timeout', async () => {
    const release = deferred();
    const { gateway } = await kit.start(
      { integrationTimeoutMs: 100 },
      { connect: async () => release.promise.then(() => ({ statusCode: 200 })) },
    );

    const started = Date.now();
    const refusal = await kit.refusal(gateway.url);

    expect(refusal.statusCode).toBe(502);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    release.resolve();
  });

  it('accepts every connection when there is no $connect route', async () => {
    const { gateway } = await kit.start({}, { connect: undefined });

    await kit.connect(gateway.url);

    expect(gateway.connectionCount()).toBe(1);
  });

  it('echoes only Sec-WebSocket-Protocol from a 2xx $connect result', async () => {
    const { gateway } = await kit.start(
      {},
      {
        connect: async (event: WebSocketProxyEvent) => {
          const offered = (event.headers?.['Sec-WebSocket-Protocol'] ?? '').split(',').map((value) => value.trim());
          if (!offered.includes('chat.v2')) return { statusCode: 400 };
          return { statusCode: 200, headers: { 'Sec-WebSocket-Protocol': 'chat.v2', 'X-Custom': 'nope' } };
        },
      },
    );

    const client = kit.client(gateway.url, { protocols: ['chat.v1', 'chat.v2'] });
    const upgrade = new Promise<Record<string, string | string[] | undefined>>((resolve) =>
      client.socket.once('upgrade', (response) => resolve(response.headers)),
    );
    await client.opened;

    expect(client.socket.protocol).toBe('chat.v2');
    const headers = await upgrade;
    expect(headers['sec-websocket-protocol']).toBe('chat.v2');
    expect(headers['x-custom']).toBeUndefined();
    expect((await kit.refusal(gateway.url, { protocols: ['chat.v1'] })).statusCode).toBe(400);
  });

  it('holds the handshake until $connect resolves, and the connection is gone (410) until then', async () => {
    const release = deferred<{ statusCode: number }>();
    const seen = deferred<string>();
    const { gateway } = await kit.start(
      {},
      {
        connect: async (event) => {
          seen.resolve(event.requestContext.connectionId);
          return release.promise;
        },
      },
    );
    const management = kit.managementClient(gateway.managementEndpoint);
    const client = kit.client(gateway.url);
    let opened = false;
    void client.opened.then(() => (opened = true));

    const connectionId = await seen.promise;
    const early = management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('early') }));
    await expect(early).rejects.toBeInstanceOf(GoneException);
    await expect(management.send(new GetConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(
      GoneException,
    );
    expect(opened).toBe(false);
    expect(gateway.connectionCount()).toBe(0);

    release.resolve({ statusCode: 200 });
    await client.opened;
    expect(gateway.connectionCount()).toBe(1);
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('late') }));
    expect(await client.frame()).toBe('late');
    expect(client.frames).not.toContain('early');
  });

  it('runs $disconnect when the client left while its $connect was being accepted', async () => {
    const release = deferred<{ statusCode: number }>();
    const { gateway, events } = await kit.start({}, { connect: async () => release.promise });
    const client = kit.client(gateway.url);
    await sleep(50);
    await client.dispose();

    release.resolve({ statusCode: 200 });

    const disconnect = await eventually(() => events.disconnect[0]);
    expect(disconnect.requestContext.disconnectStatusCode).toBe(1006);
    expect(gateway.connectionCount()).toBe(0);
  });
});

describe('interpretConnectOutcome', () => {
  it('accepts 2xx and no result, refuses other statuses with that status, 502 for the rest', () => {
    expect(interpretConnectOutcome({ status: 'returned', value: { statusCode: 204 } })).toEqual({ accepted: true });
    expect(interpretConnectOutcome({ status: 'returned', value: undefined })).toEqual({ accepted: true });
    expect(interpretConnectOutcome({ status: 'returned', value: { statusCode: 302 } })).toMatchObject({
      accepted: false,
      refusal: { statusCode: 302 },
    });
    expect(interpretConnectOutcome({ status: 'returned', value: { statusCode: 101 } })).toMatchObject({
      refusal: { statusCode: 502 },
    });
    expect(interpretConnectOutcome({ status: 'returned', value: [200] })).toMatchObject({ refusal: { statusCode: 502 } });
    expect(interpretConnectOutcome({ status: 'timed-out' })).toMatchObject({ refusal: { statusCode: 502 } });
    expect(
      interpretConnectOutcome({ status: 'returned', value: { statusCode: 200, headers: { 'sec-websocket-protocol': 'p' } } }),
    ).toEqual({ accepted: true, protocol: 'p' });
  });
});
