import WebSocket from 'ws';
import { ConversationClient, type ConversationClientOptions } from '../../sdk/conversation-client';
import { ClientClosedError, ConnectError, FrameTooLargeError, InvalidFrameError, ServerError } from '../../sdk/errors';
import type { WireMessage } from '../../sdk/protocol';
import { eventually } from '../support/ws-test-client';
import { FakeConversationServer } from './support/fake-conversation-server';

/** Fast, deterministic timings for tests; each test overrides what it exercises. */
const FAST: Partial<ConversationClientOptions> = {
  reconnect: { initialDelayMs: 20, maxDelayMs: 200, jitter: 0 },
  gapTimeoutMs: 150,
  pingIntervalMs: 0,
  ackTimeoutMs: 2000,
};

describe('ConversationClient', () => {
  let server: FakeConversationServer;
  let client: ConversationClient | undefined;
  let received: WireMessage[];

  beforeEach(async () => {
    server = await FakeConversationServer.start();
    received = [];
  });

  afterEach(async () => {
    await client?.close();
    client = undefined;
    await server.stop();
  });

  function start(options: Partial<ConversationClientOptions> = {}): ConversationClient {
    client = new ConversationClient({ url: server.url, token: server.token, WebSocket, ...FAST, ...options });
    client.on('message', (message) => received.push(message));
    return client;
  }

  const seqs = () => received.map((message) => message.seq);

  describe('connecting', () => {
    it('syncs from 0 on the first connection and emits the whole timeline in order, then the state', async () => {
      server.append();
      server.append();
      const states: number[] = [];
      start().on('state', (state) => states.push(state.last_seq));
      await client!.connect();
      await eventually(() => states.length === 1);
      expect(server.syncs()).toEqual([0]);
      expect(seqs()).toEqual([1, 2]);
      expect(client!.lastSeq).toBe(2);
      expect(states).toEqual([2]);
    });

    it('syncs from afterSeq when the caller already has the history', async () => {
      server.append();
      server.append();
      server.append();
      await start({ afterSeq: 2 }).connect();
      await eventually(() => received.length === 1);
      expect(server.syncs()).toEqual([2]);
      expect(seqs()).toEqual([3]);
    });

    it('rejects connect() with ConnectError when the handshake is refused, and does not retry', async () => {
      client = new ConversationClient({ url: server.url, token: 'wrong', WebSocket, ...FAST });
      const closes: boolean[] = [];
      client.on('close', (event) => closes.push(event.willReconnect));
      await expect(client.connect()).rejects.toThrow(ConnectError);
      await expect(client.connect()).rejects.toThrow(ClientClosedError);
      expect(closes).toEqual([false]);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.connections).toHaveLength(0);
    });

    it('says it needs a WebSocket implementation when none is given or global', () => {
      const global = globalThis as { WebSocket?: unknown };
      const saved = global.WebSocket;
      delete global.WebSocket;
      try {
        expect(() => new ConversationClient({ url: server.url, token: 't' })).toThrow(/no WebSocket implementation/);
      } finally {
        if (saved) global.WebSocket = saved;
      }
    });
  });

  describe('reconnecting', () => {
    it('reconnects after a server-side close, re-syncs from lastSeq and emits nothing twice', async () => {
      server.append();
      server.append();
      const events: string[] = [];
      start();
      client!.on('close', (event) => events.push(`close ${event.code} ${event.willReconnect}`));
      client!.on('reconnecting', (event) => events.push(`reconnecting ${event.attempt} ${event.delayMs}`));
      client!.on('open', (event) => events.push(`open ${event.reconnected}`));
      await client!.connect();
      await eventually(() => received.length === 2);

      await server.dropAll(1001, 'Going away');
      server.append(); // stored while the client was away
      server.append();
      await eventually(() => received.length === 4);

      expect(server.syncs()).toEqual([0, 2]);
      expect(seqs()).toEqual([1, 2, 3, 4]);
      expect(new Set(received.map((message) => message.id)).size).toBe(4);
      expect(events).toEqual(['open false', 'close 1001 true', 'reconnecting 1 20', 'open true']);
    });

    it('emits nothing twice even when the server replays more than was asked', async () => {
      server.onFrame = (connection, frame) => {
        if (frame.action === 'sync') server.replay(connection, 0); // sloppy: ignores after_seq
      };
      server.append();
      await start().connect();
      await eventually(() => received.length === 1);
      await server.dropAll();
      server.append();
      await eventually(() => received.length === 2);
      await server.dropAll();
      await eventually(() => server.live().length === 1 && server.syncs().length === 3);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.syncs()).toEqual([0, 1, 2]);
      expect(seqs()).toEqual([1, 2]);
    });

    it('backs off between failed attempts and resets after a successful one', async () => {
      const delays: number[] = [];
      start({ reconnect: { initialDelayMs: 20, factor: 2, maxDelayMs: 1000, jitter: 0 } });
      client!.on('reconnecting', (event) => delays.push(event.delayMs));
      await client!.connect();
      server.refusals = 2; // as API Gateway might while unavailable
      await server.dropAll();
      await eventually(() => client!.connected && delays.length === 3, 3000);
      expect(delays).toEqual([20, 40, 80]);
      await server.dropAll();
      await eventually(() => delays.length === 4 && client!.connected, 3000);
      expect(delays[3]).toBe(20);
    });

    it('reconnects when a ping goes unanswered (a silently dead connection)', async () => {
      server.onFrame = (connection, frame) => {
        // Answers only the sync; pings vanish.
        if (frame.action === 'sync') server.replay(connection, frame.after_seq);
      };
      start({ pingIntervalMs: 100, pongTimeoutMs: 100 });
      const closes: number[] = [];
      client!.on('close', (event) => closes.push(event.code));
      await client!.connect();
      await eventually(() => closes.length >= 1 && server.connections.length >= 2, 3000);
      expect(closes[0]).toBe(4000);
    });

    it('reconnects when the server says it does not know the connection', async () => {
      server.onMessageFrame = (connection, frame) => {
        if (server.connections.length === 1) {
          server.send(connection, { error: { code: 'not_connected', message: 'reconnect', local_id: frame.local_id } });
        } else {
          server.store(connection, frame);
        }
      };
      await start().connect();
      const stored = await client!.send({ text: 'hello' });
      expect(stored.text).toBe('hello');
      expect(server.connections).toHaveLength(2);
    });

    it('does not reconnect after the conversation has ended', async () => {
      server.append({ type: 'S', event: 'conversation-ended', sender_id: undefined, text: undefined });
      const closes: boolean[] = [];
      start().on('close', (event) => closes.push(event.willReconnect));
      await client!.connect();
      await eventually(() => received.length === 1);
      await server.dropAll();
      await eventually(() => closes.length === 1);
      expect(closes).toEqual([false]);
      await expect(client!.send({ text: 'late' })).rejects.toThrow(ClientClosedError);
    });

    it('stops reconnecting after close()', async () => {
      await start().connect();
      await client!.close();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(server.connections).toHaveLength(1);
      expect(client!.connected).toBe(false);
    });
  });

  describe('ordering', () => {
    it('emits messages that arrive out of order in seq order', async () => {
      server.append();
      await start().connect();
      await eventually(() => received.length === 1);
      const second = server.append();
      const third = server.append();
      const fourth = server.append();
      server.broadcast({ message: fourth });
      server.broadcast({ message: second });
      server.broadcast({ message: third });
      await eventually(() => received.length === 4);
      expect(seqs()).toEqual([1, 2, 3, 4]);
      expect(server.syncs()).toEqual([0]);
    });

    it('asks for a sync from the last contiguous seq when a gap does not fill', async () => {
      server.append();
      await start({ gapTimeoutMs: 200 }).connect();
      await eventually(() => received.length === 1);
      server.append(); // seq 2: never broadcast, as if its post had been lost
      const third = server.append();
      const sentAt = Date.now();
      server.broadcast({ message: third });
      await eventually(() => received.length === 3, 3000);
      const syncedAfterMs = Date.now() - sentAt;
      expect(server.syncs()).toEqual([0, 1]);
      expect(seqs()).toEqual([1, 2, 3]);
      expect(syncedAfterMs).toBeGreaterThanOrEqual(190);
    });

    it('syncs when a pong shows a newer seq that never arrives', async () => {
      await start({ gapTimeoutMs: 100 }).connect();
      await eventually(() => server.syncs().length === 1);
      server.append(); // stored, never broadcast
      const pong = await client!.ping();
      expect(pong.last_seq).toBe(1);
      await eventually(() => received.length === 1, 3000);
      expect(server.syncs()).toEqual([0, 0]);
    });

    it('emits messages without seq at once, once per id and approval status', async () => {
      await start().connect();
      const pending: WireMessage = {
        id: 'b0b0b0b0-0000-4000-8000-000000000001',
        type: 'T',
        time: new Date().toISOString(),
        text: 'redirected',
        approval_status: 0,
        sent_by_human: true,
        sent_by_manager: false,
      };
      server.broadcast({ message: pending });
      server.broadcast({ message: pending });
      server.broadcast({ message: { ...pending, approval_status: 2 } });
      await eventually(() => received.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(received.map((message) => message.approval_status)).toEqual([0, 2]);
    });

    it('with ordered: false, does not sync and emits sequenced messages as they come', async () => {
      server.append();
      await start({ ordered: false }).connect();
      const next = server.append();
      server.broadcast({ message: { ...next, seq: 9 } });
      await eventually(() => received.length === 1);
      expect(server.syncs()).toEqual([]);
      expect(seqs()).toEqual([9]);
    });
  });

  describe('sending', () => {
    it('resolves send() with the stored message the server echoes back', async () => {
      await start().connect();
      const stored = await client!.send({ text: 'hello' });
      expect(stored).toMatchObject({ type: 'T', text: 'hello', sender_id: server.participantId, seq: 1 });
      expect(stored.local_id).toMatch(/^[A-Za-z0-9_-]{22}$/);
      const frame = server.framesWith('text')[0]!;
      expect(frame).toEqual({ type: 'T', text: 'hello', local_id: stored.local_id });
      await eventually(() => received.length === 1);
      expect(received[0]!.id).toBe(stored.id);
    });

    it('keeps a given local_id and sends the other fields as they are', async () => {
      await start().connect();
      const stored = await client!.send({ text: 'quoted', local_id: 'my-id-1', quoted_message_id: 'q' });
      expect(stored.local_id).toBe('my-id-1');
      expect(server.framesWith('text')[0]).toEqual({ type: 'T', text: 'quoted', local_id: 'my-id-1', quoted_message_id: 'q' });
    });

    it('rejects send() with the server error for its local_id, and emits the error', async () => {
      server.onMessageFrame = (connection, frame) => {
        server.send(connection, { error: { code: 'unknown_quoted_message', message: 'no such message', local_id: frame.local_id } });
      };
      const errors: string[] = [];
      start().on('error', (error) => errors.push(error.code));
      await client!.connect();
      const refused = client!.send({ text: 'hi', quoted_message_id: 'nope', local_id: 'refused-1' });
      await expect(refused).rejects.toThrow(ServerError);
      await expect(refused).rejects.toMatchObject({ code: 'unknown_quoted_message', message: 'no such message', localId: 'refused-1' });
      expect(errors).toEqual(['unknown_quoted_message']);
    });

    it('settles only the send the error names', async () => {
      server.onMessageFrame = (connection, frame) => {
        if (frame.text === 'bad') {
          server.send(connection, { error: { code: 'text_too_long', message: 'too long', local_id: frame.local_id } });
        } else {
          server.store(connection, frame);
        }
      };
      await start().connect();
      const [good, bad] = await Promise.allSettled([client!.send({ text: 'good' }), client!.send({ text: 'bad' })]);
      expect(good.status).toBe('fulfilled');
      expect(bad).toMatchObject({ status: 'rejected', reason: { code: 'text_too_long' } });
    });

    it('refuses a frame over 32 KB locally, with FrameTooLargeError, and sends nothing', async () => {
      await start().connect();
      expect(() => client!.send({ text: 'x'.repeat(33_000) })).toThrow(FrameTooLargeError);
      expect(() => client!.send({ text: '€'.repeat(11_000) })).toThrow(/over the 32768-byte WebSocket frame limit/);
      await client!.send({ text: 'small' });
      expect(server.framesWith('text').map((frame) => frame.text)).toEqual(['small']);
      expect(client!.connected).toBe(true);
    });

    it('refuses a local_id over 32 characters locally', async () => {
      await start().connect();
      expect(() => client!.send({ text: 'x', local_id: 'x'.repeat(33) })).toThrow(InvalidFrameError);
    });

    it('queues sends while disconnected and flushes them after the reconnect and its sync', async () => {
      await start({ reconnect: { initialDelayMs: 150, jitter: 0 } }).connect();
      await server.dropAll();
      await eventually(() => !client!.connected);
      const first = client!.send({ text: 'while away 1' });
      const second = client!.send({ text: 'while away 2' });
      const [one, two] = await Promise.all([first, second]);
      expect([one.text, two.text]).toEqual(['while away 1', 'while away 2']);
      const second_connection = server.connections[1]!;
      expect(second_connection.frames.map((frame) => frame.action ?? frame.text)).toEqual([
        'sync',
        'while away 1',
        'while away 2',
      ]);
      expect(server.connections[0]!.frames.filter((frame) => frame.text)).toEqual([]);
    });

    it('resends an unconfirmed message on the new connection after a drop, stored once', async () => {
      let firstCopy = true;
      server.onMessageFrame = (connection, frame) => {
        if (firstCopy) {
          // The first copy is stored, but the connection dies before the echo.
          firstCopy = false;
          server.store(connection, frame, { broadcast: false });
          connection.socket.terminate();
          return;
        }
        server.store(connection, frame);
      };
      await start().connect();
      const stored = await client!.send({ text: 'once' });
      expect(server.messages.filter((message) => message.text === 'once')).toHaveLength(1);
      expect(stored.seq).toBe(1);
      await eventually(() => received.length === 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(seqs()).toEqual([1]);
    });

    it('resends after ackTimeoutMs when no echo comes, and resolves with the stored message the server answers', async () => {
      // As for a bot under a bot manager: its message is stored unapproved and not broadcast back.
      const pending = new Map<string, WireMessage>();
      server.onMessageFrame = (connection, frame) => {
        const known = pending.get(frame.local_id);
        if (known) {
          server.send(connection, { message: known });
          return;
        }
        pending.set(frame.local_id, {
          id: 'c0c0c0c0-0000-4000-8000-000000000001',
          type: 'T',
          time: new Date().toISOString(),
          sender_id: server.participantId,
          text: frame.text,
          local_id: frame.local_id,
          approval_status: 0,
          sent_by_human: false,
          sent_by_manager: false,
        });
      };
      await start({ ackTimeoutMs: 100 }).connect();
      const stored = await client!.send({ text: 'bot answer' });
      expect(stored).toMatchObject({ text: 'bot answer', approval_status: 0 });
      expect(stored.seq).toBeUndefined();
      expect(server.framesWith('text')).toHaveLength(2);
    });

    it('rejects send() with SendTimeoutError when nothing confirms it in time', async () => {
      server.onMessageFrame = () => {};
      await start({ ackTimeoutMs: 50, sendTimeoutMs: 200 }).connect();
      await expect(client!.send({ text: 'lost' })).rejects.toMatchObject({ code: 'send_timeout' });
    });

    it('rejects unsettled sends with ClientClosedError on close()', async () => {
      server.onMessageFrame = () => {};
      await start().connect();
      const sending = expect(client!.send({ text: 'never echoed' })).rejects.toThrow(ClientClosedError);
      await client!.close();
      await sending;
      await expect(client!.send({ text: 'after close' })).rejects.toThrow(ClientClosedError);
    });

    it('returns the same promise for the same local_id while it is pending', async () => {
      await start().connect();
      const first = client!.send({ text: 'same', local_id: 'dup' });
      const second = client!.send({ text: 'same', local_id: 'dup' });
      expect(second).toBe(first);
      await first;
    });
  });

  describe('ping', () => {
    it('resolves with last_seq and the connection id', async () => {
      server.append();
      await start().connect();
      const pong = await client!.ping();
      expect(pong).toEqual({ last_seq: 1, connection_id: server.connections[0]!.id });
    });

    it('pings periodically to keep the connection from idling out', async () => {
      await start({ pingIntervalMs: 50 }).connect();
      await eventually(() => server.received.filter(({ frame }) => frame.action === 'ping').length >= 3, 2000);
    });

    it('rejects while disconnected', async () => {
      start();
      await expect(client!.ping()).rejects.toMatchObject({ code: 'not_connected' });
    });
  });
});
