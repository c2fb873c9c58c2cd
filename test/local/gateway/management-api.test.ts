import {
  DeleteConnectionCommand,
  ForbiddenException,
  GetConnectionCommand,
  GoneException,
  LimitExceededException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { eventually, GatewayTestKit, type RecordingGateway, type TestClient } from './gateway-test-kit';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

describe('@connections management API', () => {
  const kit = new GatewayTestKit();
  afterEach(() => kit.cleanup());

  async function connected(options: Parameters<GatewayTestKit['start']>[0] = {}) {
    const recording: RecordingGateway = await kit.start(options);
    const client: TestClient = await kit.connect(recording.gateway.url);
    const connectionId = recording.events.connect[0]!.requestContext.connectionId;
    const management = kit.managementClient(recording.gateway.managementEndpoint);
    return { ...recording, client, connectionId, management };
  }

  it('serves on the WebSocket port under the stage', async () => {
    const { gateway } = await kit.start({ stage: 'dev' });
    expect(gateway.url).toBe(`ws://127.0.0.1:${gateway.port}/dev`);
    expect(gateway.managementEndpoint).toBe(`http://127.0.0.1:${gateway.port}/dev`);
  });

  it('PostToConnection delivers the raw data as one text frame and answers 200 with no body', async () => {
    const { client, connectionId, management } = await connected();
    const payload = JSON.stringify({ type: 'message', text: 'héllo' });

    const result = await management.send(
      new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(payload) }),
    );

    expect(result.$metadata.httpStatusCode).toBe(200);
    expect(await client.frame()).toBe(payload);
    expect(client.frames).toHaveLength(1);
  });

  it('GetConnection answers connectedAt, identity and lastActiveAt', async () => {
    const { client, connectionId, management, events } = await connected();
    const before = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.send('activity');
    await eventually(() => events.message.length === 1);

    const after = await management.send(new GetConnectionCommand({ ConnectionId: connectionId }));

    expect(after.ConnectedAt?.getTime()).toBe(events.connect[0]!.requestContext.connectedAt);
    expect(after.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'gateway-test-kit' });
    expect(after.LastActiveAt!.getTime()).toBeGreaterThan(before.LastActiveAt!.getTime());
  });

  it('GetConnection sends ISO 8601 dates on the wire', async () => {
    const { gateway, connectionId } = await connected();
    const response = await fetch(`${gateway.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`);
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['connectedAt', 'identity', 'lastActiveAt']);
    expect(body.connectedAt).toMatch(ISO_8601);
    expect(body.lastActiveAt).toMatch(ISO_8601);
  });

  it('DeleteConnection answers 204 and closes with 1000 "Connection Closed Normally", then runs $disconnect with it', async () => {
    const { client, connectionId, management, events, gateway } = await connected();

    const result = await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));

    expect(result.$metadata.httpStatusCode).toBe(204);
    expect(await client.closed).toEqual({ code: 1000, reason: 'Connection Closed Normally' });
    const disconnect = await eventually(() => events.disconnect[0]);
    expect(disconnect.requestContext).toMatchObject({ disconnectStatusCode: 1000, disconnectReason: 'Connection Closed Normally' });
    expect(gateway.connectionCount()).toBe(0);
  });

  it('answers 410 GoneException for an unknown id and for every call after the connection closed', async () => {
    const { client, connectionId, management, events } = await connected();
    const unknown = management.send(new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAAAAAA=', Data: Buffer.from('x') }));
    await expect(unknown).rejects.toBeInstanceOf(GoneException);

    client.socket.close(1000, 'bye');
    await eventually(() => events.disconnect.length === 1);

    const post = management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('x') }));
    await expect(post).rejects.toBeInstanceOf(GoneException);
    await expect(post).rejects.toMatchObject({ $metadata: { httpStatusCode: 410 } });
    await expect(management.send(new GetConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(GoneException);
    await expect(management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(
      GoneException,
    );
  });

  it('answers 410 as soon as DeleteConnection was accepted, before the closing handshake ends', async () => {
    const { client, connectionId, management, events } = await connected();
    // A client that reads nothing never answers the close frame, so the socket stays half-closed.
    client.socket.pause();
    await management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
    expect(events.disconnect).toHaveLength(0);
    await expect(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('x') })),
    ).rejects.toBeInstanceOf(GoneException);
  });

  it('sets x-amzn-ErrorType and a JSON message on errors', async () => {
    const { gateway } = await kit.start();
    const response = await fetch(`${gateway.managementEndpoint}/@connections/nobody`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(410);
    expect(response.headers.get('x-amzn-errortype')).toBe('GoneException');
    expect(await response.json()).toEqual({ message: expect.any(String) });
  });

  it('answers 413 PayloadTooLargeException above maxPostBytes and delivers nothing', async () => {
    const { client, connectionId, management } = await connected({ maxPostBytes: 1000 });

    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.alloc(1000, 'a') }));
    const tooLarge = management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.alloc(1001, 'b') }));

    await expect(tooLarge).rejects.toBeInstanceOf(PayloadTooLargeException);
    await expect(tooLarge).rejects.toMatchObject({ $metadata: { httpStatusCode: 413 } });
    expect(await client.frame()).toHaveLength(1000);
    expect(client.frames).toHaveLength(1);
  });

  it('accepts 128 KiB by default and refuses one byte more', async () => {
    const { client, connectionId, management } = await connected();
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.alloc(131_072, 'a') }));
    expect(await client.frame()).toHaveLength(131_072);
    await expect(
      management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.alloc(131_073, 'a') })),
    ).rejects.toBeInstanceOf(PayloadTooLargeException);
  });

  it('answers 403 ForbiddenException {"message":"Forbidden"} for a wrong stage', async () => {
    const { gateway, connectionId } = await connected();
    const wrongStage = kit.managementClient(`http://127.0.0.1:${gateway.port}/prod`);
    const noStage = kit.managementClient(`http://127.0.0.1:${gateway.port}`);

    await expect(
      wrongStage.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('x') })),
    ).rejects.toBeInstanceOf(ForbiddenException);
    await expect(noStage.send(new GetConnectionCommand({ ConnectionId: connectionId }))).rejects.toBeInstanceOf(
      ForbiddenException,
    );
    const response = await fetch(`http://127.0.0.1:${gateway.port}/prod/@connections/${encodeURIComponent(connectionId)}`);
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
    expect(await response.json()).toEqual({ message: 'Forbidden' });
  });

  it('accepts %40connections and decodes the id exactly once', async () => {
    const { gateway, client, connectionId } = await connected();
    const encoded = encodeURIComponent(connectionId);
    expect(encoded).toContain('%3D');

    const viaPercent = await fetch(`${gateway.managementEndpoint}/%40connections/${encoded}`, { method: 'POST', body: 'one' });
    expect(viaPercent.status).toBe(200);
    expect(await client.frame()).toBe('one');

    const doubleEncoded = encodeURIComponent(encoded);
    const viaDouble = await fetch(`${gateway.managementEndpoint}/@connections/${doubleEncoded}`, { method: 'POST', body: 'two' });
    expect(viaDouble.status).toBe(410);
  });

  it('answers 429 LimitExceededException while too much data waits for a client that does not read', async () => {
    const { client, connectionId, management } = await connected({ maxBufferedBytes: 256 * 1024 });
    client.socket.pause();
    const chunk = Buffer.alloc(100_000, 'z');

    let limited: unknown;
    for (let sent = 0; sent < 2000 && !limited; sent++) {
      await management
        .send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: chunk }))
        .catch((error: unknown) => (limited = error));
    }

    expect(limited).toBeInstanceOf(LimitExceededException);
    expect(limited).toMatchObject({ $metadata: { httpStatusCode: 429 } });
  });

  it('ignores SigV4: unsigned requests work too', async () => {
    const { gateway, client, connectionId } = await connected();
    const response = await fetch(`${gateway.managementEndpoint}/@connections/${encodeURIComponent(connectionId)}`, {
      method: 'POST',
      body: 'unsigned',
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(await client.frame()).toBe('unsigned');
  });
});
