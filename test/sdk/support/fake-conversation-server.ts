import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import type { WireMessage } from '../../../sdk/protocol';

export type Frame = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface FakeConnection {
  id: string;
  socket: WebSocket;
  /** Frames this connection sent, parsed. */
  frames: Frame[];
}

/**
 * Plays the conversation backend (SPEC 2) behind a plain `ws` server, as far as the client SDK can
 * tell: `sync` replays then sends `state`, `ping` answers `pong`, a message frame is stored once per
 * `local_id` and broadcast (a resend is answered with the stored message). Tests replace
 * `onMessageFrame` (or `onFrame`) to misbehave on purpose: reorder, drop, refuse, stay silent.
 */
export class FakeConversationServer {
  readonly token = 'participant-token';
  readonly participantId = randomUUID();
  /** The approved timeline: `messages[i].seq === i + 1`. */
  readonly messages: WireMessage[] = [];
  readonly connections: FakeConnection[] = [];
  /** Every frame from every connection, in arrival order. */
  readonly received: Array<{ connection: FakeConnection; frame: Frame }> = [];
  private readonly byLocalId = new Map<string, WireMessage>();

  onFrame: (connection: FakeConnection, frame: Frame) => void = (connection, frame) => this.defaultFrame(connection, frame);
  onMessageFrame: (connection: FakeConnection, frame: Frame) => void = (connection, frame) => this.store(connection, frame);

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  /** Handshakes to refuse (with `refusalStatus`) before accepting again. */
  refusals = 0;
  refusalStatus = 503;

  static async start(): Promise<FakeConversationServer> {
    const http = createServer();
    let server: FakeConversationServer | undefined;
    const wss = new WebSocketServer({
      server: http,
      path: '/local',
      maxPayload: 32 * 1024,
      verifyClient: ({ req }, done) => {
        const token = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
        if (token !== 'participant-token') return done(false, 401, 'Unauthorized');
        if (server && server.refusals > 0) {
          server.refusals -= 1;
          return done(false, server.refusalStatus);
        }
        done(true);
      },
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    server = new FakeConversationServer(http, wss, `ws://127.0.0.1:${(http.address() as AddressInfo).port}/local`);
    wss.on('connection', (socket) => server!.accept(socket));
    return server;
  }

  /** Connections still open. */
  live(): FakeConnection[] {
    return this.connections.filter((connection) => connection.socket.readyState === WebSocket.OPEN);
  }

  /** Appends an approved message to the timeline (next `seq`) without sending it anywhere. */
  append(fields: Partial<WireMessage> = {}): WireMessage {
    const message: WireMessage = {
      id: randomUUID(),
      type: 'T',
      time: new Date().toISOString(),
      sender_id: randomUUID(),
      text: `message ${this.messages.length + 1}`,
      approval_status: 1,
      sent_by_human: true,
      sent_by_manager: false,
      ...fields,
      seq: this.messages.length + 1,
    };
    this.messages.push(message);
    return message;
  }

  send(connection: FakeConnection, frame: Frame): void {
    if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(JSON.stringify(frame));
  }

  broadcast(frame: Frame): void {
    for (const connection of this.live()) this.send(connection, frame);
  }

  /** `sync`: every message after `afterSeq`, then `state`. */
  replay(connection: FakeConnection, afterSeq: number): void {
    for (const message of this.messages.filter((candidate) => candidate.seq! > afterSeq)) this.send(connection, { message });
    this.send(connection, { state: { participants: [], last_seq: this.messages.length } });
  }

  /** Closes every connection from the server side, as API Gateway does at its 2-hour limit. */
  async dropAll(code = 1001, reason = 'Going away'): Promise<void> {
    const closing = this.live().map(
      (connection) => new Promise<void>((resolve) => {
        connection.socket.once('close', () => resolve());
        connection.socket.close(code, reason);
      }),
    );
    await Promise.all(closing);
  }

  /** Frames of one kind, in arrival order. */
  framesWith(key: string): Frame[] {
    return this.received.map((entry) => entry.frame).filter((frame) => key in frame);
  }

  syncs(): number[] {
    return this.received.filter(({ frame }) => frame.action === 'sync').map(({ frame }) => frame.after_seq as number);
  }

  async stop(): Promise<void> {
    for (const connection of this.connections) connection.socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /**
   * The default: stores once per local_id, broadcasts to every connection (the sender included);
   * a resend is answered with the stored message. `broadcast: false` stores without telling anyone.
   */
  store(connection: FakeConnection, frame: Frame, options: { broadcast?: boolean } = {}): void {
    const known = this.byLocalId.get(frame.local_id);
    if (known) {
      this.send(connection, { message: known });
      return;
    }
    const message = this.append({
      type: frame.type,
      text: frame.text,
      local_id: frame.local_id,
      sender_id: this.participantId,
      ...(frame.quoted_message_id ? { quoted_message_id: frame.quoted_message_id } : {}),
    });
    this.byLocalId.set(frame.local_id, message);
    if (options.broadcast ?? true) this.broadcast({ message });
  }

  private accept(socket: WebSocket): void {
    const connection: FakeConnection = { id: randomUUID(), socket, frames: [] };
    this.connections.push(connection);
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      connection.frames.push(frame);
      this.received.push({ connection, frame });
      this.onFrame(connection, frame);
    });
  }

  private defaultFrame(connection: FakeConnection, frame: Frame): void {
    if (frame.action === 'ping') {
      this.send(connection, { pong: { last_seq: this.messages.length, connection_id: connection.id } });
    } else if (frame.action === 'sync') {
      this.replay(connection, frame.after_seq);
    } else {
      this.onMessageFrame(connection, frame);
    }
  }
}
