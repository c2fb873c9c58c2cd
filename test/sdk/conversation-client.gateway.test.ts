import WebSocket from 'ws';
import { ConversationClient, type ConversationClientOptions } from '../../sdk/conversation-client';
import { FrameTooLargeError } from '../../sdk/errors';
import type { WireMessage } from '../../sdk/protocol';
import { eventually } from '../support/ws-test-client';
import { GatewayBackend } from './support/gateway-backend';

/**
 * The client against the real local API Gateway emulator (`local/gateway`): handshakes, Lambda-style
 * invocations that overlap, PostToConnection and DeleteConnection through the real AWS SDK client,
 * and the gateway's idle and connection-duration limits.
 */
describe('ConversationClient through the local API Gateway', () => {
  let backend: GatewayBackend;
  let client: ConversationClient | undefined;
  let received: WireMessage[];
  let closes: Array<{ code: number; willReconnect: boolean }>;

  async function startBackend(options: Parameters<typeof GatewayBackend.start>[0] = {}): Promise<void> {
    backend = await GatewayBackend.start(options);
  }

  function start(options: Partial<ConversationClientOptions> = {}): ConversationClient {
    client = new ConversationClient({
      url: backend.url,
      token: backend.token,
      WebSocket,
      reconnect: { initialDelayMs: 20, maxDelayMs: 200, jitter: 0 },
      gapTimeoutMs: 200,
      pingIntervalMs: 0,
      ...options,
    });
    client.on('message', (message) => received.push(message));
    client.on('close', (event) => closes.push(event));
    return client;
  }

  beforeEach(() => {
    received = [];
    closes = [];
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await backend.stop();
  });

  const seqs = () => received.map((message) => message.seq);

  it('refuses the connection when $connect refuses the token', async () => {
    await startBackend();
    client = new ConversationClient({ url: backend.url, token: 'nope', WebSocket, pingIntervalMs: 0 });
    await expect(client.connect()).rejects.toMatchObject({ code: 'connect_failed', message: expect.stringMatching(/401/) });
  });

  it('reconnects after a DeleteConnection, re-syncs from lastSeq and emits nothing twice', async () => {
    await startBackend();
    backend.append();
    backend.append();
    await start().connect();
    await eventually(() => received.length === 2);
    const { connection_id: first } = await client!.ping();

    await backend.drop(first);
    backend.append();
    await eventually(() => received.length === 3 && backend.connections.size === 1, 3000);
    await backend.broadcast({ message: backend.append() });
    await eventually(() => received.length === 4);

    expect(closes).toEqual([{ code: 1000, reason: 'Connection Closed Normally', willReconnect: true }]);
    expect(backend.syncs()).toEqual([0, 2]);
    expect(seqs()).toEqual([1, 2, 3, 4]);
    expect((await client!.ping()).connection_id).not.toBe(first);
  });

  it('emits messages posted out of order in seq order', async () => {
    await startBackend();
    await start().connect();
    await eventually(() => backend.connections.size === 1 && backend.syncs().length === 1);
    const posted = [backend.append(), backend.append(), backend.append()];
    for (const message of [...posted].reverse()) await backend.broadcast({ message });
    await eventually(() => received.length === 3);
    expect(seqs()).toEqual([1, 2, 3]);
    expect(backend.syncs()).toEqual([0]);
  });

  it('keeps order and emits each message once when many sends race through overlapping invocations', async () => {
    await startBackend({ invocationJitterMs: 30 });
    await start().connect();
    const sent = await Promise.all(Array.from({ length: 20 }, (_, index) => client!.send({ text: `m${index}` })));
    await eventually(() => received.length === 20, 5000);
    expect(seqs()).toEqual(Array.from({ length: 20 }, (_, index) => index + 1));
    expect(new Set(sent.map((message) => message.id)).size).toBe(20);
  });

  it('asks for a sync when a gap does not fill', async () => {
    await startBackend();
    await start().connect();
    await eventually(() => backend.syncs().length === 1);
    backend.append(); // its post is "lost"
    await backend.broadcast({ message: backend.append() });
    await eventually(() => received.length === 2, 3000);
    expect(backend.syncs()).toEqual([0, 0]);
    expect(seqs()).toEqual([1, 2]);
  });

  it('resolves send() with the stored message, and rejects it with the server error for its local_id', async () => {
    await startBackend();
    backend.onMessageFrame = async (connectionId, frame) => {
      if (frame.text === 'refuse me') {
        await backend.post(connectionId, { error: { code: 'text_too_long', message: 'text is too long', local_id: frame.local_id } });
      } else {
        await backend.store(connectionId, frame);
      }
    };
    await start().connect();
    const stored = await client!.send({ text: 'hello' });
    expect(stored).toMatchObject({ text: 'hello', sender_id: backend.participantId, seq: 1 });
    await expect(client!.send({ text: 'refuse me' })).rejects.toMatchObject({ code: 'text_too_long', message: 'text is too long' });
  });

  it('refuses an oversized frame locally, where the gateway would have closed the connection with 1009', async () => {
    await startBackend();
    await start().connect();
    expect(() => client!.send({ text: 'x'.repeat(40_000) })).toThrow(FrameTooLargeError);
    await client!.send({ text: 'still connected' });
    expect(closes).toEqual([]);
    expect(backend.received.filter(({ frame }) => frame.text !== undefined)).toHaveLength(1);
  });

  it('flushes sends queued while disconnected after the reconnect and its sync', async () => {
    await startBackend();
    await start({ reconnect: { initialDelayMs: 200, jitter: 0 } }).connect();
    await eventually(() => backend.connections.size === 1);
    await backend.dropAll();
    await eventually(() => !client!.connected);
    const stored = await client!.send({ text: 'sent while away' });
    expect(stored.seq).toBe(1);
    const second = backend.accepted[1]!;
    const frames = backend.framesOf(second).map((frame) => frame.action ?? frame.text);
    expect(frames[0]).toBe('sync');
    expect(frames).toContain('sent while away');
    expect(backend.framesOf(backend.accepted[0]!).filter((frame) => frame.text)).toEqual([]);
  });

  it("survives the gateway's idle timeout by pinging", async () => {
    await startBackend({ idleTimeoutMs: 400 });
    await start({ pingIntervalMs: 150 }).connect();
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(closes).toEqual([]);
    expect(backend.accepted).toHaveLength(1);
  });

  it('without pings, is cut by the idle timeout and heals by reconnecting', async () => {
    await startBackend({ idleTimeoutMs: 300 });
    await start().connect();
    await eventually(() => closes.length >= 1 && client!.connected, 3000);
    expect(closes[0]).toMatchObject({ code: 1001, willReconnect: true });
  });

  it("heals the gateway's connection-duration limit and misses nothing stored meanwhile", async () => {
    await startBackend({ maxConnectionMs: 500 });
    await start({ pingIntervalMs: 100 }).connect();
    for (let index = 0; index < 6; index++) {
      await backend.broadcast({ message: backend.append() });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await eventually(() => received.length === 6, 3000);
    expect(closes.length).toBeGreaterThanOrEqual(1);
    expect(seqs()).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
