import { reconnectDelayMs, resolveReconnectOptions, type ReconnectOptions } from './backoff';
import {
  ClientClosedError,
  ConnectError,
  InvalidFrameError,
  NotConnectedError,
  PingTimeoutError,
  SendTimeoutError,
  ServerError,
} from './errors';
import { encodeFrame } from './frame-size';
import { generateLocalId, isValidLocalId } from './local-id';
import {
  LIMITS,
  MessageType,
  SystemEvent,
  type ConversationState,
  type ErrorBody,
  type MessageDraft,
  type MessageFrame,
  type Pong,
  type WireMessage,
} from './protocol';
import { RecentKeys } from './recent-keys';
import { SeqReorderBuffer } from './seq-reorder-buffer';
import { TypedEmitter } from './typed-emitter';
import {
  WEBSOCKET_OPEN,
  frameText,
  urlWithToken,
  type CloseEventLike,
  type ErrorEventLike,
  type MessageEventLike,
  type WebSocketConstructor,
  type WebSocketLike,
} from './websocket-like';

export interface ConversationClientOptions {
  /** Gateway URL without token, e.g. `ws://127.0.0.1:3001/local` (the `websocket_url` of SPEC 4). */
  url: string;
  /** The participant's token; sent as `?token=`. */
  token: string;
  /** WebSocket constructor. @default globalThis.WebSocket (pass `ws`'s in Node) */
  WebSocket?: WebSocketConstructor;
  /** Reconnection backoff, or `false` to never reconnect. @default DEFAULT_RECONNECT_OPTIONS */
  reconnect?: Partial<ReconnectOptions> | false;
  /** How long a hole in the `seq` sequence may last before the client asks for a `sync`. @default 1000 */
  gapTimeoutMs?: number;
  /**
   * Interval of the keep-alive `ping`; it also detects missed messages (a newer `last_seq`).
   * API Gateway drops a connection idle for 10 minutes. `0` disables it. @default 60000
   */
  pingIntervalMs?: number;
  /** A `ping` without `pong` this long fails; the periodic one then reconnects. @default 10000 */
  pongTimeoutMs?: number;
  /**
   * A sent message not echoed back this long is sent again with the same `local_id` (the server
   * stores it once and answers a resend with the stored message). This also settles sends the
   * server does not broadcast back, e.g. a bot's unapproved message under a bot manager. @default 5000
   */
  ackTimeoutMs?: number;
  /** `send()` rejects with `SendTimeoutError` when not confirmed this long after the call. `0`: never. @default 60000 */
  sendTimeoutMs?: number;
  /** The last `seq` the caller already has (e.g. from `GET /messages`); `0` replays the whole timeline. @default 0 */
  afterSeq?: number;
  /**
   * Deliver messages in strict `seq` order, fill gaps with `sync`, and `sync` on every (re)connect.
   * Set `false` for a bot in a conversation with a bot manager: it sees only what is redirected to
   * it, so its timeline has gaps by design and it needs no `sync` (SPEC 2). @default true
   */
  ordered?: boolean;
}

export interface ConversationClientEvents {
  /**
   * A message, once per id: in strict `seq` order for messages with `seq`, at once (once per id and
   * approval status) for messages without one.
   */
  message: WireMessage;
  /** The conversation's participants and newest `seq` (after each `sync` and on every roster change). */
  state: ConversationState;
  /**
   * An `error` frame from the server; the matching `send()` (by `local_id`) rejects as well. API
   * Gateway's own error frames (e.g. `Internal server error`) come as code `gateway_error`.
   */
  error: ErrorBody;
  /** A connection opened; `reconnected` is false the first time. */
  open: { reconnected: boolean };
  /** A connection closed; `willReconnect` tells whether the client tries again. */
  close: { code: number; reason: string; willReconnect: boolean };
  /** A reconnection attempt is scheduled after `delayMs`. */
  reconnecting: { attempt: number; delayMs: number };
}

interface PendingSend {
  localId: string;
  text: string;
  promise: Promise<WireMessage>;
  resolve: (message: WireMessage) => void;
  reject: (error: Error) => void;
  ackTimer?: ReturnType<typeof setTimeout>;
  deadlineTimer?: ReturnType<typeof setTimeout>;
}

interface PongWaiter {
  resolve: (pong: Pong) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** A `sync` not answered by its `state` frame this long no longer holds back another one. */
const SYNC_REPLY_TIMEOUT_MS = 10_000;
/** After `close()`, the client stops waiting for the socket's close handshake this long. */
const CLOSE_WAIT_MS = 3_000;
/** Close code the client uses when it drops a connection itself (private range 4000-4999). */
const CLIENT_DROP_CLOSE_CODE = 4000;
/** Server error codes after which a send is retried rather than failed. */
const RETRYABLE_SERVER_CODES: ReadonlySet<string> = new Set(['busy', 'not_connected']);
const PING_FRAME = JSON.stringify({ action: 'ping' });
/** `code` of the `error` event for API Gateway's own error frames (a failed or timed-out integration). */
export const GATEWAY_ERROR_CODE = 'gateway_error';

/**
 * A participant's live connection to one conversation (SPEC 2), for humans and `websocket` bots,
 * in browsers and in Node. It survives API Gateway's limits: a periodic `ping` keeps the
 * connection from idling out (10 minutes), and reconnecting with backoff heals the 2-hour cut,
 * each reconnect sending `sync` from the last `seq` seen so nothing is missed nor emitted twice.
 * Messages come out once each and in `seq` order; sends are idempotent (`local_id`), queued while
 * disconnected and resolved with the stored message.
 *
 * @example
 * import WebSocket from 'ws'; // Node only; browsers have one
 * const client = new ConversationClient({ url: ticket.websocket_url, token: ticket.token, WebSocket });
 * client.on('message', (message) => console.log(message.seq, message.text));
 * await client.connect();
 * const stored = await client.send({ text: 'hello' }); // stored.id, stored.seq
 * await client.close();
 */
export class ConversationClient extends TypedEmitter<ConversationClientEvents> {
  private readonly url: string;
  private readonly token: string;
  private readonly WebSocketImpl: WebSocketConstructor;
  private readonly reconnect: ReconnectOptions | false;
  private readonly gapTimeoutMs: number;
  private readonly pingIntervalMs: number;
  private readonly pongTimeoutMs: number;
  private readonly ackTimeoutMs: number;
  private readonly sendTimeoutMs: number;
  private readonly ordered: boolean;

  private readonly timeline: SeqReorderBuffer<WireMessage>;
  private readonly seenUnsequenced = new RecentKeys(1000);
  private readonly pending = new Map<string, PendingSend>();
  private pongWaiters: PongWaiter[] = [];
  private closeWaiters: Array<() => void> = [];

  private socket?: WebSocketLike;
  /** Identifies the current socket: events of older ones are ignored. */
  private generation = 0;
  private isOpen = false;
  private everOpened = false;
  private stopped = false;
  private ended = false;
  private attempt = 0;
  private lastSocketError?: string;
  private connecting?: Promise<void>;
  private firstConnect?: { resolve: () => void; reject: (error: Error) => void };
  private syncSentAt?: number;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private pingTimer?: ReturnType<typeof setInterval>;
  private gapTimer?: ReturnType<typeof setTimeout>;

  constructor(options: ConversationClientOptions) {
    super();
    if (!options.url) throw new TypeError('url is required');
    if (!options.token) throw new TypeError('token is required');
    const WebSocketImpl = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WebSocketImpl) throw new TypeError('no WebSocket implementation: pass `WebSocket` (e.g. from the `ws` package)');
    this.url = options.url;
    this.token = options.token;
    this.WebSocketImpl = WebSocketImpl;
    this.reconnect = options.reconnect === false ? false : resolveReconnectOptions(options.reconnect);
    this.gapTimeoutMs = nonNegative('gapTimeoutMs', options.gapTimeoutMs, 1000);
    this.pingIntervalMs = nonNegative('pingIntervalMs', options.pingIntervalMs, 60_000);
    this.pongTimeoutMs = nonNegative('pongTimeoutMs', options.pongTimeoutMs, 10_000);
    this.ackTimeoutMs = nonNegative('ackTimeoutMs', options.ackTimeoutMs, 5000);
    this.sendTimeoutMs = nonNegative('sendTimeoutMs', options.sendTimeoutMs, 60_000);
    this.ordered = options.ordered ?? true;
    this.timeline = new SeqReorderBuffer(options.afterSeq ?? 0);
  }

  /** The last `seq` emitted: every message up to it was emitted once, in order. */
  get lastSeq(): number {
    return this.timeline.lastSeq;
  }

  /** True while a connection is open. */
  get connected(): boolean {
    return this.isOpen;
  }

  /**
   * Opens the connection (`url?token=…`). Resolves when it is open; rejects with `ConnectError`
   * when the first handshake fails (bad token, ended conversation, unreachable gateway), and the
   * client then stops. Later drops reconnect by themselves.
   */
  connect(): Promise<void> {
    if (this.stopped) return Promise.reject(new ClientClosedError());
    if (!this.connecting) {
      this.connecting = new Promise<void>((resolve, reject) => {
        this.firstConnect = { resolve, reject };
      });
      this.openSocket();
    }
    return this.connecting;
  }

  /**
   * Sends a message. Resolves with the stored message (the server's echo, matched by `local_id`);
   * rejects with `ServerError` when the server refuses it, `SendTimeoutError` after `sendTimeoutMs`,
   * `ClientClosedError` when the client closes first. While disconnected the message waits and
   * goes out after the reconnect's `sync`. Sending the same `local_id` again is safe.
   *
   * @param draft `type` defaults to `'T'`; `local_id` to a fresh random one.
   * @throws FrameTooLargeError (synchronously) when the frame is over 32 KB of UTF-8: it is not sent.
   * @throws InvalidFrameError (synchronously) for a `local_id` over 32 characters.
   * @example
   * const message = await client.send({ text: 'hi', quoted_message_id: earlier.id });
   */
  send(draft: MessageDraft): Promise<WireMessage> {
    const localId = draft.local_id ?? generateLocalId();
    if (!isValidLocalId(localId)) {
      throw new InvalidFrameError(`local_id must be a non-empty string of at most ${LIMITS.MAX_LOCAL_ID_CHARS} characters`);
    }
    const frame: MessageFrame = { ...draft, type: draft.type ?? MessageType.TEXT, local_id: localId };
    const text = encodeFrame(frame);
    if (this.stopped) return Promise.reject(new ClientClosedError());
    const existing = this.pending.get(localId);
    if (existing) return existing.promise;

    let resolve!: (message: WireMessage) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<WireMessage>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    const pending: PendingSend = { localId, text, promise, resolve, reject };
    if (this.sendTimeoutMs > 0) {
      pending.deadlineTimer = setTimeout(
        () => this.rejectPending(localId, new SendTimeoutError(localId, this.sendTimeoutMs)),
        this.sendTimeoutMs,
      );
    }
    this.pending.set(localId, pending);
    this.transmit(pending);
    return promise;
  }

  /**
   * Sends `{"action": "ping"}`; resolves with the `pong` (the conversation's newest `seq` and this
   * connection's id). A newer `last_seq` than `lastSeq` makes the client `sync` if it does not
   * fill by itself within `gapTimeoutMs`.
   */
  ping(): Promise<Pong> {
    if (!this.isOpen) return Promise.reject(new NotConnectedError());
    return new Promise<Pong>((resolve, reject) => {
      const waiter: PongWaiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.pongWaiters = this.pongWaiters.filter((candidate) => candidate !== waiter);
          reject(new PingTimeoutError(this.pongTimeoutMs));
        }, this.pongTimeoutMs),
      };
      this.pongWaiters.push(waiter);
      this.rawSend(PING_FRAME);
    });
  }

  /**
   * Asks for every approved message after `afterSeq`, then `state`. The client does this by itself
   * on every connect (and on gaps); call it to re-read history, e.g. with `ordered: false`.
   *
   * @param afterSeq @default lastSeq
   * @throws NotConnectedError
   */
  sync(afterSeq: number = this.timeline.lastSeq): void {
    if (!this.isOpen) throw new NotConnectedError();
    this.rawSend(JSON.stringify({ action: 'sync', after_seq: afterSeq }));
    this.syncSentAt = Date.now();
  }

  /**
   * Closes the connection and stops reconnecting. Unsettled sends reject with `ClientClosedError`.
   * Resolves once the socket has closed.
   */
  close(code = 1000, reason = 'client closed'): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.failAll(new ClientClosedError());
    const socket = this.socket;
    if (!socket) {
      if (this.firstConnect) {
        this.firstConnect.reject(new ClientClosedError());
        this.firstConnect = undefined;
      }
      return Promise.resolve();
    }
    const generation = this.generation;
    return new Promise<void>((resolve) => {
      // A dead TCP connection can take long to finish the close handshake: do not wait for it.
      const giveUp = setTimeout(() => {
        if (generation === this.generation) this.handleClose(code, reason);
      }, CLOSE_WAIT_MS);
      this.closeWaiters.push(() => {
        clearTimeout(giveUp);
        resolve();
      });
      try {
        socket.close(code, reason);
      } catch {
        this.handleClose(code, reason);
      }
    });
  }

  // ---- connection ----

  private openSocket(): void {
    const generation = ++this.generation;
    this.lastSocketError = undefined;
    let socket: WebSocketLike;
    try {
      socket = new this.WebSocketImpl(urlWithToken(this.url, this.token));
    } catch (error) {
      this.lastSocketError = describe(error);
      this.handleClose(1006, this.lastSocketError);
      return;
    }
    this.socket = socket;
    const current = () => generation === this.generation;
    socket.onopen = () => {
      if (current()) this.handleOpen();
    };
    socket.onmessage = (event: MessageEventLike) => {
      if (current()) this.handleFrame(frameText(event.data));
    };
    socket.onerror = (event: ErrorEventLike) => {
      if (current()) this.lastSocketError = errorText(event);
    };
    socket.onclose = (event: CloseEventLike) => {
      if (current()) this.handleClose(event.code ?? 1006, String(event.reason ?? ''));
    };
  }

  private handleOpen(): void {
    if (this.stopped) return;
    this.isOpen = true;
    const reconnected = this.everOpened;
    this.everOpened = true;
    this.attempt = 0;
    // Sync first, so a reconnect misses nothing; then (re)send what is unconfirmed: the server stores a local_id once.
    if (this.ordered) this.sync();
    for (const pending of this.pending.values()) this.transmit(pending);
    if (this.pingIntervalMs > 0) this.pingTimer = setInterval(() => this.keepAlive(), this.pingIntervalMs);
    if (this.firstConnect) {
      this.firstConnect.resolve();
      this.firstConnect = undefined;
    }
    this.emit('open', { reconnected });
  }

  private handleClose(code: number, reason: string): void {
    this.generation++;
    this.isOpen = false;
    this.socket = undefined;
    clearInterval(this.pingTimer);
    clearTimeout(this.gapTimer);
    this.pingTimer = undefined;
    this.gapTimer = undefined;
    this.syncSentAt = undefined;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.ackTimer);
      pending.ackTimer = undefined;
    }
    this.failPings(new NotConnectedError('the connection closed'));

    let willReconnect = false;
    if (this.firstConnect) {
      // The first handshake failed: most likely a bad token or an ended conversation, which retrying cannot fix.
      const error = this.stopped
        ? new ClientClosedError()
        : new ConnectError(`could not connect: ${this.lastSocketError ?? `closed with code ${code}`}`, code);
      this.firstConnect.reject(error);
      this.firstConnect = undefined;
      this.stopped = true;
      this.failAll(error);
    } else {
      willReconnect =
        !this.stopped && !this.ended && this.reconnect !== false && this.attempt < this.reconnect.maxAttempts;
      if (!willReconnect && !this.stopped) {
        this.stopped = true;
        this.failAll(new ClientClosedError(this.ended ? 'the conversation has ended' : 'gave up reconnecting'));
      }
    }
    this.emit('close', { code, reason, willReconnect });
    if (willReconnect && !this.stopped) this.scheduleReconnect();
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private scheduleReconnect(): void {
    if (this.reconnect === false) return;
    this.attempt += 1;
    const delayMs = reconnectDelayMs(this.attempt, this.reconnect);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.openSocket();
    }, delayMs);
    this.emit('reconnecting', { attempt: this.attempt, delayMs });
  }

  /** Drops the current connection as if the server had closed it; the client then reconnects. */
  private dropConnection(reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.handleClose(CLIENT_DROP_CLOSE_CODE, reason);
    try {
      socket.close(CLIENT_DROP_CLOSE_CODE, reason);
    } catch {
      // Already closing: its close event is ignored (stale generation).
    }
  }

  private keepAlive(): void {
    const generation = this.generation;
    this.ping().catch((error: unknown) => {
      // A connection that does not answer a ping is dead, even if TCP has not noticed.
      if (error instanceof PingTimeoutError && generation === this.generation) this.dropConnection('no pong');
    });
  }

  private rawSend(text: string): void {
    if (!this.socket || this.socket.readyState !== WEBSOCKET_OPEN) return;
    try {
      this.socket.send(text);
    } catch {
      // The socket is closing; its close event reschedules whatever needs it.
    }
  }

  // ---- frames from the server ----

  private handleFrame(text: string | undefined): void {
    if (text === undefined || this.stopped) return;
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (!isObject(frame)) return;
    if (isObject(frame.message)) this.handleMessage(frame.message as unknown as WireMessage);
    else if (isObject(frame.state)) this.handleState(frame.state as unknown as ConversationState);
    else if (isObject(frame.error)) this.handleError(frame.error as unknown as ErrorBody);
    else if (isObject(frame.pong)) this.handlePong(frame.pong as unknown as Pong);
    else if (typeof frame.message === 'string' && typeof frame.requestId === 'string') {
      // API Gateway's own error frame (`{"message": "Internal server error", "connectionId", "requestId"}`):
      // the frame's fate is unknown, so unconfirmed sends stay pending and are resent after ackTimeoutMs.
      this.emit('error', { code: GATEWAY_ERROR_CODE, message: frame.message });
    }
  }

  private handleMessage(message: WireMessage): void {
    // The stored message confirms a send as soon as it arrives, even if it still waits for an earlier seq.
    if (typeof message.local_id === 'string') this.settle(message.local_id, message);
    if (this.ordered && typeof message.seq === 'number') {
      for (const ready of this.timeline.push(message)) this.deliver(ready);
      this.updateGapTimer();
    } else if (this.seenUnsequenced.add(`${message.id}:${message.approval_status}`)) {
      this.deliver(message);
    }
  }

  private deliver(message: WireMessage): void {
    if (message.event === SystemEvent.CONVERSATION_ENDED) this.ended = true;
    this.emit('message', message);
  }

  private handleState(state: ConversationState): void {
    this.syncSentAt = undefined;
    if (this.ordered && typeof state.last_seq === 'number') {
      this.timeline.noteRemoteLastSeq(state.last_seq);
      this.updateGapTimer();
    }
    this.emit('state', state);
  }

  private handleError(error: ErrorBody): void {
    if (RETRYABLE_SERVER_CODES.has(error.code)) {
      // The send stays pending: it is resent after ackTimeoutMs, or after the reconnect below.
      if (error.code === 'not_connected') this.dropConnection('the server does not know this connection');
    } else if (error.local_id !== undefined) {
      this.rejectPending(error.local_id, new ServerError(error.code, error.message, error.local_id));
    }
    this.emit('error', error);
  }

  private handlePong(pong: Pong): void {
    const waiter = this.pongWaiters.shift();
    if (waiter) {
      clearTimeout(waiter.timer);
      waiter.resolve(pong);
    }
    if (this.ordered && typeof pong.last_seq === 'number') {
      this.timeline.noteRemoteLastSeq(pong.last_seq);
      this.updateGapTimer();
    }
  }

  // ---- gaps ----

  private updateGapTimer(): void {
    if (!this.timeline.hasGap) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
      return;
    }
    if (this.gapTimer || !this.isOpen) return;
    this.gapTimer = setTimeout(() => {
      this.gapTimer = undefined;
      if (!this.isOpen || !this.timeline.hasGap) return;
      const syncAnswered = this.syncSentAt === undefined || Date.now() - this.syncSentAt > SYNC_REPLY_TIMEOUT_MS;
      if (syncAnswered) this.sync();
      this.updateGapTimer();
    }, this.gapTimeoutMs);
  }

  // ---- sends ----

  private transmit(pending: PendingSend): void {
    if (!this.isOpen) return;
    this.rawSend(pending.text);
    clearTimeout(pending.ackTimer);
    if (this.ackTimeoutMs > 0) {
      pending.ackTimer = setTimeout(() => {
        pending.ackTimer = undefined;
        if (this.pending.get(pending.localId) === pending) this.transmit(pending);
      }, this.ackTimeoutMs);
    }
  }

  private settle(localId: string, message: WireMessage): void {
    const pending = this.pending.get(localId);
    if (!pending) return;
    this.forget(pending);
    pending.resolve(message);
  }

  private rejectPending(localId: string, error: Error): void {
    const pending = this.pending.get(localId);
    if (!pending) return;
    this.forget(pending);
    pending.reject(error);
  }

  private forget(pending: PendingSend): void {
    this.pending.delete(pending.localId);
    clearTimeout(pending.ackTimer);
    clearTimeout(pending.deadlineTimer);
  }

  private failAll(error: Error): void {
    for (const pending of [...this.pending.values()]) {
      this.forget(pending);
      pending.reject(error);
    }
    this.failPings(error);
  }

  private failPings(error: Error): void {
    const waiters = this.pongWaiters;
    this.pongWaiters = [];
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(value >= 0) || !Number.isFinite(value)) throw new RangeError(`${name} must be a non-negative number of milliseconds`);
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function errorText(event: ErrorEventLike): string | undefined {
  if (typeof event.message === 'string' && event.message) return event.message;
  if (event.error instanceof Error) return event.error.message;
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
