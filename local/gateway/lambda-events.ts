import type { APIGatewayEventWebsocketRequestContextV2, APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import type { CloseInfo } from './close-codes';

/**
 * The Lambda proxy events API Gateway sends for WebSocket routes, built to match events captured on AWS
 * (aws/aws-lambda-go `events/testdata/apigw-websocket-request-*.json`, Jan 2024). `@types/aws-lambda` leaves out
 * `identity`, `authorizer`, the headers and the disconnect fields, and wrongly makes `messageId` mandatory.
 */

export type WebSocketEventType = APIGatewayEventWebsocketRequestContextV2['eventType'];

export interface WebSocketIdentity {
  sourceIp: string;
  /** Present when the client sent a User-Agent header (browsers always do). */
  userAgent?: string;
}

/** `principalId` plus the authorizer's `context`, every value a string (as API Gateway passes them on). */
export type AuthorizerContext = Record<string, string>;

export interface WebSocketRequestContext extends Omit<APIGatewayEventWebsocketRequestContextV2, 'messageId'> {
  /** MESSAGE events only. */
  messageId?: string;
  identity: WebSocketIdentity;
  /** Every event of a connection admitted by a Lambda authorizer. */
  authorizer?: AuthorizerContext;
  /** DISCONNECT only: the WebSocket close code. */
  disconnectStatusCode?: number;
  /** DISCONNECT only: the close reason, often `""`. */
  disconnectReason?: string;
}

export interface WebSocketProxyEvent extends Omit<APIGatewayProxyWebsocketEventV2, 'requestContext'> {
  requestContext: WebSocketRequestContext;
  /** CONNECT: the upgrade request's headers; DISCONNECT: fixed placeholders; MESSAGE: absent. */
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
}

/** Per API (fixed for the gateway's life). */
export interface ApiInfo {
  apiId: string;
  stage: string;
  /** `host:port` here; `{apiId}.execute-api.{region}.amazonaws.com` on AWS. */
  domainName: string;
}

/** Per connection (fixed from `$connect` on). */
export interface ConnectionInfo {
  connectionId: string;
  /** Epoch ms; the same in every event of the connection. */
  connectedAt: number;
  identity: WebSocketIdentity;
  authorizer?: AuthorizerContext;
}

export interface HeaderMaps {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
}

export interface QueryMaps {
  queryStringParameters: Record<string, string>;
  multiValueQueryStringParameters: Record<string, string[]>;
}

export interface ConnectRequest extends HeaderMaps {
  /** Only when the URL has a query string: API Gateway leaves the fields out rather than sending `{}`. */
  query?: QueryMaps;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Common Log Format in UTC, as in `requestTime`: `20/Jan/2024:11:55:00 +0000`. */
export function formatClfTime(epochMs: number): string {
  const date = new Date(epochMs);
  const two = (value: number) => String(value).padStart(2, '0');
  return (
    `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

/** Groups Node's `rawHeaders` (name, value, name, value…) keeping the client's spelling of each name. */
export function headerMapsFromRaw(rawHeaders: readonly string[], omit: ReadonlySet<string> = new Set()): HeaderMaps {
  const spelling = new Map<string, string>();
  const maps: HeaderMaps = { headers: {}, multiValueHeaders: {} };
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const value = rawHeaders[i + 1]!;
    const lower = name.toLowerCase();
    if (omit.has(lower)) continue;
    const key = spelling.get(lower) ?? name;
    spelling.set(lower, key);
    // As on REST proxy events: the single-value map keeps the last value, the multi-value map all of them.
    maps.headers[key] = value;
    (maps.multiValueHeaders[key] ??= []).push(value);
  }
  return maps;
}

/** Adds (or replaces, whatever the client's spelling) one header in both maps. */
export function setHeader(maps: HeaderMaps, name: string, value: string): void {
  const lower = name.toLowerCase();
  for (const key of Object.keys(maps.headers)) {
    if (key.toLowerCase() === lower) {
      delete maps.headers[key];
      delete maps.multiValueHeaders[key];
    }
  }
  maps.headers[name] = value;
  maps.multiValueHeaders[name] = [value];
}

/** `undefined` when the URL has no query string; otherwise both maps, values decoded. */
export function queryMapsFromSearch(search: string): QueryMaps | undefined {
  if (search === '' || search === '?') return undefined;
  const maps: QueryMaps = { queryStringParameters: {}, multiValueQueryStringParameters: {} };
  for (const [name, value] of new URLSearchParams(search)) {
    maps.queryStringParameters[name] = value;
    (maps.multiValueQueryStringParameters[name] ??= []).push(value);
  }
  return maps;
}

function requestContextFor(
  api: ApiInfo,
  connection: ConnectionInfo,
  routeKey: string,
  eventType: WebSocketEventType,
  requestId: string,
  nowMs: number,
): WebSocketRequestContext {
  return {
    routeKey,
    eventType,
    // The two are the same value on AWS.
    extendedRequestId: requestId,
    requestTime: formatClfTime(nowMs),
    messageDirection: 'IN',
    stage: api.stage,
    connectedAt: connection.connectedAt,
    requestTimeEpoch: nowMs,
    identity: { ...connection.identity },
    requestId,
    domainName: api.domainName,
    connectionId: connection.connectionId,
    apiId: api.apiId,
    ...(connection.authorizer ? { authorizer: { ...connection.authorizer } } : {}),
  };
}

/** `$connect`: request headers and (only if present) query strings; no body, no messageId. */
export function buildConnectEvent(
  api: ApiInfo,
  connection: ConnectionInfo,
  request: ConnectRequest,
  requestId: string,
  nowMs: number = Date.now(),
): WebSocketProxyEvent {
  return {
    headers: { ...request.headers },
    multiValueHeaders: structuredClone(request.multiValueHeaders),
    ...(request.query ? structuredClone(request.query) : {}),
    requestContext: requestContextFor(api, connection, '$connect', 'CONNECT', requestId, nowMs),
    isBase64Encoded: false,
  };
}

/** A text frame routed to `routeKey`: body and messageId; no headers, no query strings. */
export function buildMessageEvent(
  api: ApiInfo,
  connection: ConnectionInfo,
  routeKey: string,
  body: string,
  ids: { messageId: string; requestId: string },
  nowMs: number = Date.now(),
): WebSocketProxyEvent {
  const { routeKey: key, ...rest } = requestContextFor(api, connection, routeKey, 'MESSAGE', ids.requestId, nowMs);
  return {
    requestContext: { routeKey: key, messageId: ids.messageId, ...rest },
    body,
    isBase64Encoded: false,
  };
}

/** `$disconnect`: the fixed placeholder headers and the close code and reason. */
export function buildDisconnectEvent(
  api: ApiInfo,
  connection: ConnectionInfo,
  close: CloseInfo,
  requestId: string,
  nowMs: number = Date.now(),
): WebSocketProxyEvent {
  const headers = { Host: api.domainName, 'x-api-key': '', 'X-Forwarded-For': '', 'x-restapi': '' };
  return {
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    requestContext: {
      ...requestContextFor(api, connection, '$disconnect', 'DISCONNECT', requestId, nowMs),
      disconnectStatusCode: close.code,
      disconnectReason: close.reason,
    },
    isBase64Encoded: false,
  };
}
