/**
 * The parts of an API Gateway WebSocket proxy event the handlers read; everything else is
 * optional and ignored. Checked by hand: these handlers are on every frame's cold start.
 */
export interface WebSocketEvent {
  requestContext: {
    connectionId: string;
    routeKey: string;
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    connectedAt: number;
    disconnectStatusCode?: number | null;
    /** What the `$connect` authorizer returned; read by `authorizer-context.ts`. */
    authorizer?: unknown;
  };
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
}

export class MalformedEvent extends Error {
  constructor(detail: string) {
    super(`malformed API Gateway WebSocket event: ${detail}`);
    this.name = 'MalformedEvent';
  }
}

const EVENT_TYPES: ReadonlySet<string> = new Set(['CONNECT', 'MESSAGE', 'DISCONNECT']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function parseWebSocketEvent(event: unknown): WebSocketEvent {
  if (!isObject(event)) throw new MalformedEvent('not an object');
  const context = event.requestContext;
  if (!isObject(context)) throw new MalformedEvent('requestContext is missing');
  if (typeof context.connectionId !== 'string' || context.connectionId === '') {
    throw new MalformedEvent('requestContext.connectionId must be a non-empty string');
  }
  if (typeof context.routeKey !== 'string') throw new MalformedEvent('requestContext.routeKey must be a string');
  if (typeof context.eventType !== 'string' || !EVENT_TYPES.has(context.eventType)) {
    throw new MalformedEvent('requestContext.eventType must be CONNECT, MESSAGE or DISCONNECT');
  }
  if (typeof context.connectedAt !== 'number') throw new MalformedEvent('requestContext.connectedAt must be a number');
  const status = context.disconnectStatusCode;
  if (status !== undefined && status !== null && typeof status !== 'number') {
    throw new MalformedEvent('requestContext.disconnectStatusCode must be a number');
  }
  const query = event.queryStringParameters;
  if (query !== undefined && query !== null) {
    if (!isObject(query) || Object.values(query).some((value) => value !== undefined && typeof value !== 'string')) {
      throw new MalformedEvent('queryStringParameters must map names to strings');
    }
  }
  if (event.body !== undefined && event.body !== null && typeof event.body !== 'string') {
    throw new MalformedEvent('body must be a string');
  }
  if (event.isBase64Encoded !== undefined && typeof event.isBase64Encoded !== 'boolean') {
    throw new MalformedEvent('isBase64Encoded must be a boolean');
  }
  return event as unknown as WebSocketEvent;
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}
