/**
 * Errors the SDK throws or rejects with. Each has a stable `code` to match on; the message is
 * for people. `ServerError` and `HttpApiError` carry the server's own code (SPEC 2 and 4).
 */
export const SdkErrorCode = {
  FRAME_TOO_LARGE: 'frame_too_large',
  INVALID_FRAME: 'invalid_frame',
  NOT_CONNECTED: 'not_connected',
  CONNECT_FAILED: 'connect_failed',
  CLIENT_CLOSED: 'client_closed',
  SEND_TIMEOUT: 'send_timeout',
  PING_TIMEOUT: 'ping_timeout',
} as const;
export type SdkErrorCode = (typeof SdkErrorCode)[keyof typeof SdkErrorCode];

/** Base class of every SDK error. */
export class SdkError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A frame larger than API Gateway's WebSocket frame limit (32 KB). It was not sent: the gateway
 * would close the connection with code 1009 instead of answering.
 */
export class FrameTooLargeError extends SdkError {
  constructor(
    readonly sizeBytes: number,
    readonly maxBytes: number,
  ) {
    super(
      SdkErrorCode.FRAME_TOO_LARGE,
      `frame is ${sizeBytes} bytes of UTF-8, over the ${maxBytes}-byte WebSocket frame limit; ` +
        'it was not sent (the gateway would close the connection with code 1009). Shorten the text, or send a file by URL.',
    );
  }
}

/** A frame the SDK refuses before sending (e.g. a `local_id` over 32 characters). */
export class InvalidFrameError extends SdkError {
  constructor(message: string) {
    super(SdkErrorCode.INVALID_FRAME, message);
  }
}

/**
 * The server refused a frame with an `error` frame (SPEC 2); nothing was stored. `code` is the
 * server's stable code, e.g. `text_too_long`, `unknown_quoted_message`, `conversation_ended`.
 */
export class ServerError extends SdkError {
  constructor(
    code: string,
    message: string,
    readonly localId?: string,
  ) {
    super(code, message);
  }
}

export class NotConnectedError extends SdkError {
  constructor(message = 'not connected') {
    super(SdkErrorCode.NOT_CONNECTED, message);
  }
}

/** The first connection failed: bad or foreign token, ended conversation, or unreachable gateway. */
export class ConnectError extends SdkError {
  constructor(
    message: string,
    readonly closeCode?: number,
  ) {
    super(SdkErrorCode.CONNECT_FAILED, message);
  }
}

/** The client was closed (or gave up reconnecting) before the operation completed. */
export class ClientClosedError extends SdkError {
  constructor(message = 'the client is closed') {
    super(SdkErrorCode.CLIENT_CLOSED, message);
  }
}

/** No echo of a sent message within `sendTimeoutMs`. It may still have been stored; resending the same `local_id` is safe. */
export class SendTimeoutError extends SdkError {
  constructor(readonly localId: string, timeoutMs: number) {
    super(SdkErrorCode.SEND_TIMEOUT, `message ${localId} was not confirmed within ${timeoutMs} ms`);
  }
}

export class PingTimeoutError extends SdkError {
  constructor(timeoutMs: number) {
    super(SdkErrorCode.PING_TIMEOUT, `no pong within ${timeoutMs} ms`);
  }
}

/** An HTTP API error response: `{"error": {"code", "message"}}` with its status (SPEC 4). */
export class HttpApiError extends SdkError {
  constructor(
    readonly status: number,
    /** The server's stable code, e.g. `unknown_bot`, `invalid_token`, `rooms_closed`. */
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}
