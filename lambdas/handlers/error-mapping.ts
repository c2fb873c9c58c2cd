import { ErrorCode } from '../core/errors';

/**
 * The one table from error code to HTTP status (HTTP API and `$connect` refusals). WebSocket
 * frames carry the code itself in an `error` frame.
 */
const HTTP_STATUS_BY_CODE: Partial<Record<string, number>> = {
  [ErrorCode.MISSING_TOKEN]: 401,
  [ErrorCode.INVALID_TOKEN]: 401,
  [ErrorCode.FOREIGN_CONVERSATION]: 403,
  [ErrorCode.CONVERSATION_ENDED]: 403,
  [ErrorCode.UNKNOWN_CONVERSATION]: 403,
  [ErrorCode.ROOMS_CLOSED]: 403,
  [ErrorCode.NOT_FOUND]: 404,
  [ErrorCode.BODY_TOO_LARGE]: 413,
  [ErrorCode.BUSY]: 503,
  [ErrorCode.INTERNAL_ERROR]: 500,
};

/** Validation failures not listed above are the client's: 400. */
export function httpStatusFor(code: string): number {
  return HTTP_STATUS_BY_CODE[code] ?? 400;
}

export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}
