import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { CloseCode, CloseReason, closeCodeForWsError, type CloseInfo } from './close-codes';
import { FrameSizeGuard } from './frame-size-guard';
import type { ConnectionInfo } from './lambda-events';

export interface ConnectionTiming {
  idleTimeoutMs: number;
  maxConnectionMs: number;
  maxFrameBytes: number;
}

export interface ConnectionHooks {
  /** A text message arrived (binary frames never get here). */
  onMessage(connection: GatewayConnection, body: string): void;
  /** The connection stopped being addressable: called once, as soon as either side starts closing. */
  onLeave(connection: GatewayConnection): void;
  /** The socket is closed: called once, with the code and reason `$disconnect` must report. */
  onClosed(connection: GatewayConnection, close: CloseInfo): void;
  log(line: string): void;
}

export class ConnectionGone extends Error {
  constructor(connectionId: string) {
    super(`connection ${connectionId} is gone`);
    this.name = 'ConnectionGone';
  }
}

/**
 * One live WebSocket connection: enforces the idle and lifetime limits, the per-frame size limit and
 * the text-only rule, and remembers which close (ours or the client's) `$disconnect` must report.
 */
export class GatewayConnection {
  readonly id: string;
  lastActiveAt: number;
  /** Resolves once the socket has closed, whoever closed it. */
  readonly closed: Promise<void>;

  private closeIntent: CloseInfo | undefined;
  private isClosed = false;
  private left = false;
  private readonly idleTimer: NodeJS.Timeout;
  private readonly lifetimeTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    rawSocket: Duplex,
    readonly info: ConnectionInfo,
    timing: ConnectionTiming,
    private readonly hooks: ConnectionHooks,
  ) {
    this.id = info.connectionId;
    this.lastActiveAt = info.connectedAt;
    this.idleTimer = setTimeout(() => this.close(CloseCode.GOING_AWAY, CloseReason.GOING_AWAY), timing.idleTimeoutMs);
    this.lifetimeTimer = setTimeout(
      () => this.close(CloseCode.GOING_AWAY, CloseReason.GOING_AWAY),
      timing.maxConnectionMs,
    );

    const guard = new FrameSizeGuard(timing.maxFrameBytes, (bytes) => {
      hooks.log(`${this.id} sent a ${bytes}-byte frame (limit ${timing.maxFrameBytes})`);
      this.close(CloseCode.MESSAGE_TOO_BIG, CloseReason.NONE);
    });
    // First in line: `ws` may emit 'message' synchronously from its own 'data' listener, and an
    // oversized frame must be caught before that.
    rawSocket.prependListener('data', (chunk: Buffer) => guard.push(chunk));

    let markClosed: () => void = () => undefined;
    this.closed = new Promise((resolve) => (markClosed = resolve));
    socket.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    socket.on('error', (error: Error & { code?: string }) => {
      // `ws` has already sent the close frame (1009 for a message over maxPayload, 1007 for bad UTF-8…).
      hooks.log(`${this.id} protocol error: ${error.message}`);
      this.recordIntent({ code: closeCodeForWsError(error), reason: CloseReason.NONE });
    });
    socket.on('close', (code, reason) => {
      this.isClosed = true;
      this.clearTimers();
      this.leave();
      hooks.onClosed(this, this.closeIntent ?? { code, reason: reason.toString() });
      markClosed();
    });
  }

  get connectedAt(): number {
    return this.info.connectedAt;
  }

  /** Open and not closing: management calls and route replies may still reach it. */
  get isOpen(): boolean {
    return !this.closeIntent && !this.isClosed;
  }

  /** Bytes queued towards the client and not yet handed to the OS. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  /** Sends one text frame; counts as activity for the idle timer. */
  send(data: string | Buffer): void {
    if (!this.isOpen) throw new ConnectionGone(this.id);
    this.touch();
    this.socket.send(data, { binary: false }, (error) => {
      if (error) this.hooks.log(`${this.id} send failed: ${error.message}`);
    });
  }

  /** Sends if still open; gateway-generated frames to a closing connection are simply dropped. */
  sendIfOpen(data: string): void {
    if (this.isOpen) this.send(data);
  }

  /** Starts the closing handshake with this code and reason; later calls are ignored. */
  close(code: number, reason: string): void {
    if (!this.isOpen) return;
    this.recordIntent({ code, reason });
    this.socket.close(code, reason);
  }

  /** Cuts the TCP connection without a closing handshake (shutdown fallback). */
  terminate(): void {
    this.socket.terminate();
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    // Frames still arriving after we decided to close are not routed.
    if (!this.isOpen) return;
    if (isBinary) {
      this.close(CloseCode.UNSUPPORTED_DATA, CloseReason.NONE);
      return;
    }
    this.touch();
    this.hooks.onMessage(this, rawDataToString(data));
  }

  private touch(): void {
    this.lastActiveAt = Date.now();
    this.idleTimer.refresh();
  }

  private recordIntent(close: CloseInfo): void {
    if (this.closeIntent || this.isClosed) return;
    this.closeIntent = close;
    this.clearTimers();
    this.leave();
  }

  private leave(): void {
    if (this.left) return;
    this.left = true;
    this.hooks.onLeave(this);
  }

  private clearTimers(): void {
    clearTimeout(this.idleTimer);
    clearTimeout(this.lifetimeTimer);
  }
}

function rawDataToString(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
