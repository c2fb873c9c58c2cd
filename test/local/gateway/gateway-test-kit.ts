import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import WebSocket, { type ClientOptions } from 'ws';
import {
  startWebSocketGateway,
  type WebSocketGateway,
  type WebSocketGatewayHandlers,
  type WebSocketGatewayOptions,
  type WebSocketProxyEvent,
} from '../../../local/gateway';

/** Real `ws` clients, real SDK clients and real gateways, all closed by `cleanup()` after each test. */
export class GatewayTestKit {
  private readonly cleanups: Array<() => Promise<void> | void> = [];

  /** Records every event each handler receives. Handlers given in `handlers` replace the recording ones. */
  async start(
    options: Partial<Omit<WebSocketGatewayOptions, 'handlers'>> = {},
    handlers: WebSocketGatewayHandlers = {},
  ): Promise<RecordingGateway> {
    const events: RecordedEvents = { connect: [], message: [], disconnect: [] };
    const gateway = await startWebSocketGateway({
      ...options,
      handlers: {
        connect: async (event) => {
          events.connect.push(event);
          return { statusCode: 200 };
        },
        disconnect: async (event) => {
          events.disconnect.push(event);
        },
        default: async (event) => {
          events.message.push(event);
        },
        ...handlers,
      },
    });
    this.cleanups.push(() => gateway.close());
    return { gateway, events };
  }

  /** Opens a client and waits for the handshake; rejects with the refusal when there is one. */
  async connect(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<TestClient> {
    const client = this.client(url, options);
    await client.opened;
    return client;
  }

  /** A client whose handshake has not necessarily completed. */
  client(url: string, options: ClientOptions & { protocols?: string[] } = {}): TestClient {
    const { protocols, ...clientOptions } = options;
    const socket = new WebSocket(url, protocols ?? [], {
      headers: { 'User-Agent': 'gateway-test-kit' },
      ...clientOptions,
    });
    const client = new TestClient(socket);
    this.cleanups.push(() => client.dispose());
    return client;
  }

  /** The refusal of a handshake that must fail. */
  async refusal(url: string, options: ClientOptions & { protocols?: string[] } = {}): Promise<Refusal> {
    const error = await this.connect(url, options).then(
      () => {
        throw new Error('handshake unexpectedly succeeded');
      },
      (refusal: unknown) => refusal,
    );
    if (!(error instanceof Refusal)) throw error;
    return error;
  }

  managementClient(endpoint: string): ApiGatewayManagementApiClient {
    const client = new ApiGatewayManagementApiClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    this.cleanups.push(() => client.destroy());
    return client;
  }

  async cleanup(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup();
  }
}

export interface RecordedEvents {
  connect: WebSocketProxyEvent[];
  message: WebSocketProxyEvent[];
  disconnect: WebSocketProxyEvent[];
}

export interface RecordingGateway {
  gateway: WebSocketGateway;
  events: RecordedEvents;
}

export class Refusal extends Error {
  constructor(
    readonly statusCode: number,
    readonly headers: Record<string, string | string[] | undefined>,
    readonly body: string,
  ) {
    super(`handshake refused with ${statusCode}: ${body}`);
  }
}

export interface CloseEvent {
  code: number;
  reason: string;
}

export class TestClient {
  readonly frames: string[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<CloseEvent>;
  private waiters: Array<() => void> = [];

  constructor(readonly socket: WebSocket) {
    this.opened = new Promise((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => reject(new Refusal(response.statusCode ?? 0, response.headers, body)));
      });
      // Permanent: a refused or terminated client may report more than one error.
      socket.on('error', reject);
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => {
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('message', (data) => {
      this.frames.push(data.toString());
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  send(data: string): void {
    this.socket.send(data);
  }

  /** The first frame (from index `from` on) that satisfies `predicate`. */
  async frame(predicate: (frame: string) => boolean = () => true, timeoutMs = 3000, from = 0): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.slice(from).find(predicate);
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async dispose(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    this.socket.terminate();
    await this.closed;
  }
}

/** Polls until `check` returns a value other than undefined/false. */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => (resolve = settle));
  return { promise, resolve };
}

/** Sorted keys of an object, for comparing event shapes with fixtures. */
export function keysOf(value: unknown): string[] {
  return Object.keys(value as object).sort();
}
