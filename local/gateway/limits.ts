/**
 * API Gateway WebSocket quotas and timeouts, as defaults the local gateway enforces.
 * Source: https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html
 * None of the connection quotas is adjustable on AWS; here every one is an option so tests can shorten them.
 */

/** No data in either direction for this long closes the connection. */
export const DEFAULT_IDLE_TIMEOUT_MS = 10 * 60 * 1000;
/** Hard cap on a connection's lifetime. */
export const DEFAULT_MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;
/** One WebSocket frame from the client; larger closes with 1009. */
export const DEFAULT_MAX_FRAME_BYTES = 32 * 1024;
/** One (possibly fragmented) message from the client; larger closes with 1009. */
export const DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024;
/** PostToConnection `Data`; larger answers 413 PayloadTooLargeException (service model). */
export const DEFAULT_MAX_POST_BYTES = 131_072;
/** How long API Gateway waits for an integration (Lambda) before giving up. */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;
/** Share of $disconnect invocations silently skipped, to mirror "best effort" delivery. */
export const DEFAULT_DISCONNECT_DROP_RATE = 0;
/**
 * Bytes queued towards a slow client above which PostToConnection answers 429 LimitExceededException
 * ("the client-side WebSocket buffer is full"). AWS does not publish its threshold; this one is ours.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/** Random delay added before each message invocation, to surface ordering assumptions. */
export const DEFAULT_INVOCATION_JITTER_MS = 0;
/** Request URLs longer than this are refused with 414. */
export const MAX_URL_LENGTH_CHARS = 4096;
/** On gateway shutdown, clients get this long to finish the closing handshake before being cut. */
export const SHUTDOWN_CLOSE_GRACE_MS = 1000;

export interface GatewayLimits {
  idleTimeoutMs: number;
  maxConnectionMs: number;
  maxFrameBytes: number;
  maxMessageBytes: number;
  maxPostBytes: number;
  integrationTimeoutMs: number;
  disconnectDropRate: number;
  maxBufferedBytes: number;
  invocationJitterMs: number;
}

/** Fills in the defaults and fails at start on a value that cannot work. */
export function resolveLimits(options: Partial<GatewayLimits>): GatewayLimits {
  const limits: GatewayLimits = {
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    maxConnectionMs: options.maxConnectionMs ?? DEFAULT_MAX_CONNECTION_MS,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
    maxPostBytes: options.maxPostBytes ?? DEFAULT_MAX_POST_BYTES,
    integrationTimeoutMs: options.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS,
    disconnectDropRate: options.disconnectDropRate ?? DEFAULT_DISCONNECT_DROP_RATE,
    maxBufferedBytes: options.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES,
    invocationJitterMs: options.invocationJitterMs ?? DEFAULT_INVOCATION_JITTER_MS,
  };
  const positive: Array<keyof GatewayLimits> = [
    'idleTimeoutMs',
    'maxConnectionMs',
    'maxFrameBytes',
    'maxMessageBytes',
    'maxPostBytes',
    'integrationTimeoutMs',
    'maxBufferedBytes',
  ];
  for (const name of positive) {
    const value = limits[name];
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
  if (!(limits.disconnectDropRate >= 0 && limits.disconnectDropRate <= 1)) {
    throw new RangeError(`disconnectDropRate must be between 0 and 1, got ${limits.disconnectDropRate}`);
  }
  if (!(limits.invocationJitterMs >= 0) || !Number.isFinite(limits.invocationJitterMs)) {
    throw new RangeError(`invocationJitterMs must be 0 or more, got ${limits.invocationJitterMs}`);
  }
  return limits;
}
