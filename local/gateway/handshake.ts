import type { IncomingMessage } from 'node:http';
import {
  decideAuthorization,
  methodArnFor,
  missingIdentitySource,
  type IdentitySource,
  type WebSocketAuthorizerEvent,
  type WebSocketAuthorizerHandler,
} from './authorizer';
import { newGatewayId, newTraceId } from './ids';
import {
  buildConnectEvent,
  headerMapsFromRaw,
  queryMapsFromSearch,
  setHeader,
  type ApiInfo,
  type ConnectRequest,
  type ConnectionInfo,
  type WebSocketProxyEvent,
} from './lambda-events';
import { describeError, invokeLambda, type InvocationOutcome, type LambdaContextLike } from './lambda-invocation';

/** What a `$connect` handler returns; only `statusCode` and the `Sec-WebSocket-Protocol` header matter. */
export interface ConnectResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
}

export type ConnectHandler = (
  event: WebSocketProxyEvent,
  context: LambdaContextLike,
) => Promise<ConnectResult | undefined | void>;

export interface HandshakeOptions {
  api: ApiInfo;
  connect?: ConnectHandler;
  authorizer?: WebSocketAuthorizerHandler;
  identitySources: readonly IdentitySource[];
  integrationTimeoutMs: number;
  /** The port clients reached, for `X-Forwarded-Port`. */
  port: number;
  signal: AbortSignal;
  log(line: string): void;
}

/** An HTTP refusal of the upgrade. The body is ours: API Gateway does not forward the Lambda's. */
export interface Refusal {
  statusCode: number;
  message: string;
}

export type HandshakeResult =
  | { accepted: true; connection: ConnectionInfo; protocol?: string }
  | { accepted: false; refusal: Refusal; connection: ConnectionInfo };

const FAILED_INTEGRATION: Refusal = { statusCode: 502, message: 'Internal server error' };
/** Hop-by-hop headers API Gateway shows the authorizer but not the `$connect` integration. */
const UPGRADE_ONLY_HEADERS = new Set(['connection', 'upgrade']);
const IPV4_MAPPED_PREFIX = '::ffff:';

/**
 * Everything API Gateway does between the upgrade request and the 101: the optional REQUEST authorizer,
 * then `$connect`. Nothing is registered here; the caller completes or refuses the handshake.
 */
export async function negotiateConnect(request: IncomingMessage, options: HandshakeOptions): Promise<HandshakeResult> {
  const nowMs = Date.now();
  // One upgrade request, one request id: the authorizer and $connect see the same one.
  const requestId = newGatewayId();
  const userAgent = request.headers['user-agent'];
  let connection: ConnectionInfo = {
    connectionId: newGatewayId(),
    connectedAt: nowMs,
    identity: { sourceIp: sourceIpOf(request), ...(userAgent !== undefined ? { userAgent } : {}) },
  };
  const url = new URL(request.url ?? '/', 'http://gateway.invalid');
  const query = queryMapsFromSearch(url.search);
  const forwarded = headerMapsFromRaw(request.rawHeaders);
  setHeader(forwarded, 'X-Amzn-Trace-Id', newTraceId(nowMs));
  setHeader(forwarded, 'X-Forwarded-For', connection.identity.sourceIp);
  setHeader(forwarded, 'X-Forwarded-Port', String(options.port));
  setHeader(forwarded, 'X-Forwarded-Proto', 'http');

  if (options.authorizer) {
    const missing = missingIdentitySource(options.identitySources, forwarded.headers, query?.queryStringParameters);
    if (missing) {
      options.log(`$connect ${connection.connectionId} -> 401 (identity source ${missing.kind}.${missing.name} missing)`);
      return { accepted: false, refusal: { statusCode: 401, message: 'Unauthorized' }, connection };
    }
    const methodArn = methodArnFor(options.api);
    const event = authorizerEvent(options.api, connection, forwarded, query, methodArn, requestId);
    const outcome = await invokeLambda(options.authorizer, event, {
      functionName: 'local-authorizer',
      timeoutMs: options.integrationTimeoutMs,
      signal: options.signal,
    });
    const decision = decideAuthorization(outcome, methodArn);
    if (!decision.allowed) {
      options.log(`$connect ${connection.connectionId} -> ${decision.statusCode} (${decision.detail}${errorSuffix(outcome)})`);
      return { accepted: false, refusal: { statusCode: decision.statusCode, message: decision.message }, connection };
    }
    connection = { ...connection, authorizer: decision.authorizer };
  }

  if (!options.connect) {
    // A $connect integration is optional; without one every connection is accepted.
    options.log(`$connect ${connection.connectionId} -> 101 (no $connect route)`);
    return { accepted: true, connection };
  }
  const connectRequest: ConnectRequest = {
    ...headerMapsWithout(forwarded, UPGRADE_ONLY_HEADERS),
    ...(query ? { query } : {}),
  };
  const event = buildConnectEvent(options.api, connection, connectRequest, requestId, nowMs);
  const outcome = await invokeLambda(options.connect, event, {
    functionName: 'local-connect',
    timeoutMs: options.integrationTimeoutMs,
    signal: options.signal,
  });
  const result = interpretConnectOutcome(outcome);
  if (result.accepted) {
    options.log(`$connect ${connection.connectionId} -> 101${result.protocol ? ` (${result.protocol})` : ''}`);
    return { accepted: true, connection, ...(result.protocol ? { protocol: result.protocol } : {}) };
  }
  options.log(`$connect ${connection.connectionId} -> ${result.refusal.statusCode} (${result.detail})`);
  return { accepted: false, refusal: result.refusal, connection };
}

type ConnectVerdict = { accepted: true; protocol?: string } | { accepted: false; refusal: Refusal; detail: string };

/**
 * 2xx admits (echoing only `Sec-WebSocket-Protocol`), another status refuses with that status; a throw,
 * a timeout or a malformed result refuses with 502 (AWS's exact status is unconfirmed; serverless-offline
 * uses 502). Returning nothing at all is accepted, like a missing `$connect` integration.
 */
export function interpretConnectOutcome(outcome: InvocationOutcome<unknown>): ConnectVerdict {
  switch (outcome.status) {
    case 'threw':
      return { accepted: false, refusal: FAILED_INTEGRATION, detail: `handler threw ${describeError(outcome.error)}` };
    case 'timed-out':
      return { accepted: false, refusal: FAILED_INTEGRATION, detail: 'handler timed out' };
    case 'aborted':
      return { accepted: false, refusal: { statusCode: 503, message: 'Service Unavailable' }, detail: 'gateway closing' };
    case 'returned':
      break;
  }
  const result = outcome.value;
  if (result === undefined || result === null) return { accepted: true };
  const statusCode = (result as { statusCode?: unknown }).statusCode;
  if (typeof result !== 'object' || Array.isArray(result) || !Number.isInteger(statusCode)) {
    return { accepted: false, refusal: FAILED_INTEGRATION, detail: 'malformed result (no integer statusCode)' };
  }
  const status = statusCode as number;
  if (status < 200 || status > 599) {
    return { accepted: false, refusal: FAILED_INTEGRATION, detail: `malformed result (statusCode ${status})` };
  }
  if (status >= 300) return { accepted: false, refusal: { statusCode: status, message: '' }, detail: `statusCode ${status}` };
  const protocol = headerValue((result as ConnectResult).headers, 'sec-websocket-protocol');
  return protocol ? { accepted: true, protocol } : { accepted: true };
}

function authorizerEvent(
  api: ApiInfo,
  connection: ConnectionInfo,
  forwarded: ReturnType<typeof headerMapsFromRaw>,
  query: ReturnType<typeof queryMapsFromSearch>,
  methodArn: string,
  requestId: string,
): WebSocketAuthorizerEvent {
  const maps = { headers: { ...forwarded.headers }, multiValueHeaders: structuredClone(forwarded.multiValueHeaders) };
  if (headerValue(maps.headers, 'content-length') === undefined) setHeader(maps, 'content-length', '0');
  const { requestContext } = buildConnectEvent(api, connection, { headers: {}, multiValueHeaders: {} }, requestId);
  return {
    type: 'REQUEST',
    methodArn,
    ...maps,
    ...(query ? structuredClone(query) : {}),
    stageVariables: {},
    requestContext,
  };
}

function headerMapsWithout(maps: ReturnType<typeof headerMapsFromRaw>, omit: ReadonlySet<string>) {
  const keep = ([name]: [string, unknown]) => !omit.has(name.toLowerCase());
  return {
    headers: Object.fromEntries(Object.entries(maps.headers).filter(keep)),
    multiValueHeaders: Object.fromEntries(Object.entries(maps.multiValueHeaders).filter(keep)),
  };
}

function headerValue(headers: Record<string, unknown> | undefined, lowerName: string): string | undefined {
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [name, value] of Object.entries(headers)) {
    if (name.toLowerCase() === lowerName && value !== undefined && value !== null) return String(value);
  }
  return undefined;
}

function sourceIpOf(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? '';
  return address.startsWith(IPV4_MAPPED_PREFIX) ? address.slice(IPV4_MAPPED_PREFIX.length) : address;
}

function errorSuffix(outcome: InvocationOutcome<unknown>): string {
  return outcome.status === 'threw' ? `: ${describeError(outcome.error)}` : '';
}
