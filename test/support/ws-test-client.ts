import WebSocket from 'ws';

export type Frame = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A real `ws` client that records every frame and lets a test wait for the one it expects. */
export class TestSocket {
  readonly frames: Frame[] = [];
  closed?: { code: number; reason: string };
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      this.notify();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.notify();
    });
  }

  /** Opens `url?token=…`; rejects with the HTTP status when the handshake is refused. */
  static open(url: string, query: Record<string, string> = {}): Promise<TestSocket> {
    const target = new URL(url);
    for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(target.toString());
      socket.once('open', () => resolve(new TestSocket(socket)));
      socket.once('unexpected-response', (_request, response) => {
        reject(new HandshakeRefused(response.statusCode ?? 0));
        socket.terminate();
      });
      socket.once('error', (error) => reject(error));
    });
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** Resolves with the first recorded frame (from `from` on) that matches; fails after `timeoutMs`. */
  async waitFor(predicate: (frame: Frame) => boolean, timeoutMs = 5000, from = 0): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames).slice(0, 2000)}`);
      }
      await this.nextEvent(deadline - Date.now());
    }
  }

  messages(): Frame[] {
    return this.frames.filter((frame) => frame.message).map((frame) => frame.message);
  }

  /** This connection's API Gateway id, as `ping` answers it. */
  async connectionId(): Promise<string> {
    this.send({ action: 'ping' });
    return (await this.waitFor((frame) => frame.pong !== undefined)).pong.connection_id as string;
  }

  async waitForClose(timeoutMs = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error('socket did not close');
      await this.nextEvent(deadline - Date.now());
    }
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.socket.close(1000);
    await this.waitForClose();
  }

  private nextEvent(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(timeoutMs, 0));
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export class HandshakeRefused extends Error {
  constructor(readonly status: number) {
    super(`handshake refused with HTTP ${status}`);
    this.name = 'HandshakeRefused';
  }
}

/** Polls `check` until it returns a value other than undefined/false. */
export async function eventually<T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
