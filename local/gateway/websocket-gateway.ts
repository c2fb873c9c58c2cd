import { setMaxListeners } from 'node:events';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseIdentitySources, type IdentitySource, type WebSocketAuthorizerHandler } from './authorizer';
import { CloseCode, CloseReason, type CloseInfo } from './close-codes';
import { GatewayConnection, type ConnectionHooks } from './connection';
import { negotiateConnect, type ConnectHandler, type HandshakeResult } from './handshake';
import { ErrorType, FORBIDDEN_BODY, refuseUpgrade, sendError, sendJson } from './http-replies';
import { newApiId, newGatewayId } from './ids';
import { buildDisconnectEvent, type ApiInfo, type ConnectionInfo } from './lambda-events';
import { describeError, invokeLambda } from './lambda-invocation';
import { MAX_URL_LENGTH_CHARS, resolveLimits, SHUTDOWN_CLOSE_GRACE_MS, type GatewayLimits } from './limits';
import { handleConnectionRequest } from './management-api';
import { dispatchMessage, type MessageDispatchOptions, type RouteHandler } from './message-dispatch';
import { classifyRequestPath } from './request-paths';
import {
  compileRouteSelectionExpression,
  DEFAULT_ROUTE_KEY,
  DEFAULT_ROUTE_SELECTION_EXPRESSION,
} from './route-selection';

export interface WebSocketGatewayHandlers {
  /** `$connect`: runs before the handshake completes; a non-2xx `statusCode` refuses it with that status. */
  connect?: ConnectHandler;
  /** `$disconnect`: runs once after every close; its result is ignored. */
  disconnect?: RouteHandler;
  /** `$default`: messages no custom route matches, and every non-JSON message. */
  default?: RouteHandler;
  /** Custom route keys (not starting with `$`) → handler. */
  routes?: Record<string, RouteHandler>;
  /** Optional Lambda REQUEST authorizer on `$connect`. */
  authorizer?: WebSocketAuthorizerHandler;
}

/**
 * A local Amazon API Gateway WebSocket API. Example:
 * ```ts
 * const gateway = await startWebSocketGateway({ handlers: { connect, disconnect, default: onMessage } });
 * new ApiGatewayManagementApiClient({ endpoint: gateway.managementEndpoint, region: 'us-east-1', credentials });
 * ```
 */
export interface WebSocketGatewayOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** @default 'local' */
  stage?: string;
  handlers: WebSocketGatewayHandlers;
  /** @default '$request.body.action' */
  routeSelectionExpression?: string;
  /** Route keys that have a `$default` route response: only for those the Lambda's `body` is sent back. @default [] */
  routeResponses?: string[];
  /** @default 600_000 (10 min) */
  idleTimeoutMs?: number;
  /** @default 7_200_000 (2 h) */
  maxConnectionMs?: number;
  /** A larger client frame closes the connection with 1009. @default 32 * 1024 */
  maxFrameBytes?: number;
  /** A larger client message (all its frames) closes the connection with 1009. @default 128 * 1024 */
  maxMessageBytes?: number;
  /** Larger PostToConnection data answers 413 PayloadTooLargeException. @default 131_072 */
  maxPostBytes?: number;
  /** Past it a handler counts as failed (502 on `$connect`, an error frame on messages). @default 29_000 */
  integrationTimeoutMs?: number;
  /** Share (0–1) of `$disconnect` invocations skipped, to exercise cleanup of stale connections. @default 0 */
  disconnectDropRate?: number;
  /** Bytes queued towards a client above which PostToConnection answers 429. @default 4 MiB */
  maxBufferedBytes?: number;
  /** Up to this random delay before each message invocation, to surface ordering bugs. @default 0 */
  invocationJitterMs?: number;
  /** e.g. `['route.request.querystring.token']`: missing ones refuse with 401 before the authorizer runs. @default [] */
  authorizerIdentitySource?: string[];
  /** @default 10 random characters */
  apiId?: string;
  /** One line per event (connect, message, disconnect, management call). @default no output */
  log?: (line: string) => void;
}

export interface WebSocketGateway {
  /** `ws://127.0.0.1:<port>/<stage>` */
  url: string;
  /** `http://127.0.0.1:<port>/<stage>`: the same host and port, as on AWS. */
  managementEndpoint: string;
  port: number;
  /** Connections that completed `$connect` and are not closing. */
  connectionCount(): number;
  /** Closes every connection (running `$disconnect` for each), the server and all timers. */
  close(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_STAGE = 'local';
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);

export async function startWebSocketGateway(options: WebSocketGatewayOptions): Promise<WebSocketGateway> {
  const gateway = new LocalWebSocketGateway(options);
  await gateway.listen(options.port ?? 0);
  return gateway;
}

class LocalWebSocketGateway implements WebSocketGateway {
  url = '';
  managementEndpoint = '';
  port = 0;

  private readonly host: string;
  private readonly stage: string;
  private readonly limits: GatewayLimits;
  private readonly handlers: WebSocketGatewayHandlers;
  private readonly log: (line: string) => void;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly dispatch: Omit<MessageDispatchOptions, 'api'>;
  private readonly identitySources: IdentitySource[];
  private api: ApiInfo;

  /** Addressable connections: `$connect` done, not closing. */
  private readonly registry = new Map<string, GatewayConnection>();
  /** Every connection whose socket is not closed yet, closing ones included. */
  private readonly live = new Set<GatewayConnection>();
  private readonly pendingSockets = new Set<Duplex>();
  private readonly upgradeErrorListeners = new WeakMap<Duplex, (error: Error) => void>();
  private readonly pendingHandshakes = new Set<Promise<void>>();
  private readonly disconnects = new Set<Promise<void>>();
  private readonly negotiated = new WeakMap<IncomingMessage, Extract<HandshakeResult, { accepted: true }>>();
  /** Aborted on close: stops waiting for `$connect`, message handlers and jitter delays. */
  private readonly shutdown = new AbortController();
  private closing: Promise<void> | undefined;

  constructor(options: WebSocketGatewayOptions) {
    this.host = options.host ?? DEFAULT_HOST;
    this.stage = options.stage ?? DEFAULT_STAGE;
    if (!/^[A-Za-z0-9_-]+$/.test(this.stage)) throw new Error(`invalid stage name ${JSON.stringify(this.stage)}`);
    this.limits = resolveLimits(options);
    this.handlers = options.handlers;
    this.log = options.log ?? (() => undefined);
    this.identitySources = parseIdentitySources(options.authorizerIdentitySource ?? []);
    this.api = { apiId: options.apiId ?? newApiId(), stage: this.stage, domainName: '' };
    // Every in-flight invocation listens for shutdown; there is no leak to warn about.
    setMaxListeners(0, this.shutdown.signal);

    const customRouteKeys = Object.keys(options.handlers.routes ?? {});
    const reserved = customRouteKeys.find((key) => key.startsWith('$'));
    if (reserved) throw new Error(`custom route key ${reserved} must not start with $ (use handlers.default etc.)`);
    const routes = options.handlers.routes ?? {};
    this.dispatch = {
      routeTable: { customRouteKeys: new Set(customRouteKeys), hasDefaultRoute: Boolean(options.handlers.default) },
      handlerFor: (routeKey) =>
        routeKey === DEFAULT_ROUTE_KEY
          ? this.handlers.default
          : Object.prototype.hasOwnProperty.call(routes, routeKey)
            ? routes[routeKey]
            : undefined,
      evaluate: compileRouteSelectionExpression(options.routeSelectionExpression ?? DEFAULT_ROUTE_SELECTION_EXPRESSION),
      routeResponses: new Set(options.routeResponses ?? []),
      integrationTimeoutMs: this.limits.integrationTimeoutMs,
      invocationJitterMs: this.limits.invocationJitterMs,
      functionNameFor: (routeKey) => `local-${routeKey.replace(/^\$/, '').replace(/[^A-Za-z0-9_-]/g, '_')}`,
      signal: this.shutdown.signal,
      log: this.log,
    };

    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: this.limits.maxMessageBytes,
      // Echo only the subprotocol `$connect` chose; none leaves the header out (and browsers then fail).
      handleProtocols: (_offered, request) => this.negotiated.get(request)?.protocol ?? false,
      verifyClient: (info, done) => this.verify(info.req, done),
    });
    this.server = createServer();
    this.server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.onUpgrade(request, socket, head),
    );
    this.server.on('request', (request, response) => this.onRequest(request, response));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.port = (this.server.address() as AddressInfo).port;
    const host = WILDCARD_HOSTS.has(this.host) ? DEFAULT_HOST : this.host;
    const authority = `${host.includes(':') ? `[${host}]` : host}:${this.port}`;
    this.api = { ...this.api, domainName: authority };
    this.url = `ws://${authority}/${this.stage}`;
    this.managementEndpoint = `http://${authority}/${this.stage}`;
  }

  connectionCount(): number {
    return this.registry.size;
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    // A client resetting the TCP connection while $connect runs must not crash the process.
    const onSocketError = (error: Error) => this.log(`upgrade socket error: ${error.message}`);
    socket.on('error', onSocketError);
    this.upgradeErrorListeners.set(socket, onSocketError);
    if (this.closing) {
      refuseUpgrade(socket, 503, JSON.stringify({ message: 'Service Unavailable' }));
      return;
    }
    if ((request.url ?? '').length > MAX_URL_LENGTH_CHARS) {
      refuseUpgrade(socket, 414, JSON.stringify({ message: 'URI Too Long' }));
      return;
    }
    if (classifyRequestPath(request.url, this.stage).kind !== 'stage') {
      this.log(`upgrade ${request.url} -> 403 (not the stage path)`);
      refuseUpgrade(socket, 403, FORBIDDEN_BODY, { 'x-amzn-ErrorType': ErrorType.FORBIDDEN });
      return;
    }
    this.pendingSockets.add(socket);
    socket.once('close', () => this.pendingSockets.delete(socket));
    // `ws` validates the handshake, then calls `verify` ($connect), then writes the 101 and calls back.
    this.wss.handleUpgrade(request, socket, head, (ws) => this.onUpgraded(ws, request, socket));
  }

  private verify(
    request: IncomingMessage,
    done: (accept: boolean, code?: number, message?: string, headers?: Record<string, string>) => void,
  ): void {
    const task = negotiateConnect(request, {
      api: this.api,
      connect: this.handlers.connect,
      authorizer: this.handlers.authorizer,
      identitySources: this.identitySources,
      integrationTimeoutMs: this.limits.integrationTimeoutMs,
      port: this.port,
      signal: this.shutdown.signal,
      log: this.log,
    })
      .then((result) => {
        if (!result.accepted) {
          const message = result.refusal.message || STATUS_CODES[result.refusal.statusCode] || 'Refused';
          done(false, result.refusal.statusCode, JSON.stringify({ message }), { 'Content-Type': 'application/json' });
          return;
        }
        const socket = request.socket;
        if (this.closing || socket.destroyed || !socket.readable || !socket.writable) {
          // $connect admitted a client that is already gone: it never becomes addressable, but the
          // backend still hears about the end of what it accepted (AWS's behaviour here is unconfirmed).
          this.log(`$connect ${result.connection.connectionId} admitted a client that already left`);
          socket.destroy();
          this.track(this.disconnects, this.runDisconnect(result.connection, { code: CloseCode.ABNORMAL, reason: '' }));
          return;
        }
        this.negotiated.set(request, result);
        done(true);
      })
      .catch((error: unknown) => {
        this.log(`$connect failed unexpectedly: ${describeError(error)}`);
        done(false, 500);
      });
    this.track(this.pendingHandshakes, task);
  }

  private onUpgraded(ws: WebSocket, request: IncomingMessage, socket: Duplex): void {
    this.pendingSockets.delete(socket);
    // From here on `ws` owns the socket and its errors.
    const onSocketError = this.upgradeErrorListeners.get(socket);
    if (onSocketError) socket.off('error', onSocketError);
    const negotiated = this.negotiated.get(request);
    this.negotiated.delete(request);
    if (!negotiated) {
      ws.terminate();
      return;
    }
    const connection = new GatewayConnection(ws, socket, negotiated.connection, this.limits, this.connectionHooks);
    this.live.add(connection);
    this.registry.set(connection.id, connection);
  }

  private readonly connectionHooks: ConnectionHooks = {
    onMessage: (connection, body) => {
      dispatchMessage(connection, body, { ...this.dispatch, api: this.api }).catch((error: unknown) =>
        this.log(`MESSAGE ${connection.id} failed unexpectedly: ${describeError(error)}`),
      );
    },
    onLeave: (connection) => {
      if (this.registry.get(connection.id) === connection) this.registry.delete(connection.id);
    },
    onClosed: (connection, close) => {
      this.live.delete(connection);
      this.track(this.disconnects, this.runDisconnect(connection.info, close));
    },
    log: (line) => this.log(line),
  };

  /** After the registry no longer holds the connection; never throws. */
  private async runDisconnect(connection: ConnectionInfo, close: CloseInfo): Promise<void> {
    const label = `$disconnect ${connection.connectionId} ${close.code} ${JSON.stringify(close.reason)}`;
    const handler = this.handlers.disconnect;
    if (!handler) return;
    if (this.limits.disconnectDropRate > 0 && Math.random() < this.limits.disconnectDropRate) {
      this.log(`${label} -> dropped (disconnectDropRate ${this.limits.disconnectDropRate})`);
      return;
    }
    const event = buildDisconnectEvent(this.api, connection, close, newGatewayId());
    // No abort signal: close() waits for $disconnect handlers so none runs after it resolves.
    const outcome = await invokeLambda(handler, event, {
      functionName: 'local-disconnect',
      timeoutMs: this.limits.integrationTimeoutMs,
    });
    if (outcome.status === 'threw') this.log(`${label} -> handler threw ${describeError(outcome.error)}`);
    else if (outcome.status === 'timed-out') this.log(`${label} -> timed out`);
    else this.log(`${label} -> ok`);
  }

  private onRequest(request: IncomingMessage, response: ServerResponse): void {
    if ((request.url ?? '').length > MAX_URL_LENGTH_CHARS) {
      request.resume();
      sendJson(response, 414, { message: 'URI Too Long' });
      return;
    }
    const target = classifyRequestPath(request.url, this.stage);
    switch (target.kind) {
      case 'stage':
        // A plain request to the WebSocket URL.
        request.resume();
        sendJson(response, 426, { message: 'Upgrade Required' }, { Upgrade: 'websocket' });
        return;
      case 'connection':
        handleConnectionRequest(request, response, target.rawId, {
          lookup: (id) => this.registry.get(id),
          maxPostBytes: this.limits.maxPostBytes,
          maxBufferedBytes: this.limits.maxBufferedBytes,
          log: this.log,
        }).catch((error: unknown) => {
          this.log(`${request.method} ${request.url} failed: ${describeError(error)}`);
          if (!response.headersSent) sendJson(response, 500, { message: 'Internal server error' });
          else response.destroy();
        });
        return;
      case 'unknown':
        request.resume();
        this.log(`${request.method} ${request.url} -> 403`);
        sendError(response, 403, ErrorType.FORBIDDEN, 'Forbidden');
        return;
    }
  }

  private async shutDown(): Promise<void> {
    for (const socket of this.pendingSockets) socket.destroy();
    const connections = [...this.live];
    for (const connection of connections) connection.close(CloseCode.GOING_AWAY, CloseReason.GOING_AWAY);
    const allClosed = Promise.all(connections.map((connection) => connection.closed));
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (graceTimer = setTimeout(resolve, SHUTDOWN_CLOSE_GRACE_MS)));
    await Promise.race([allClosed, graceOver]);
    clearTimeout(graceTimer);
    for (const connection of this.live) connection.terminate();
    await allClosed;

    this.shutdown.abort();
    await settleAll(this.pendingHandshakes);
    await settleAll(this.disconnects);
    this.wss.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private track(set: Set<Promise<void>>, task: Promise<void>): void {
    set.add(task);
    void task.finally(() => set.delete(task));
  }
}

/** Waits until the set is empty, including tasks added while waiting. */
async function settleAll(tasks: Set<Promise<void>>): Promise<void> {
  while (tasks.size > 0) await Promise.allSettled([...tasks]);
}
