/**
 * Domain errors. Each has a stable `code` that clients and bots can match on; the message is
 * for people. Handlers map codes to `error` frames and HTTP statuses (`lambdas/handlers/error-mapping.ts`);
 * the core knows nothing of HTTP.
 */
export const ErrorCode = {
  INVALID_JSON: 'invalid_json',
  INVALID_FRAME: 'invalid_frame',
  UNKNOWN_ACTION: 'unknown_action',
  INVALID_MESSAGE_TYPE: 'invalid_message_type',
  INVALID_FIELD: 'invalid_field',
  TEXT_TOO_LONG: 'text_too_long',
  LOCAL_ID_TOO_LONG: 'local_id_too_long',
  INVALID_OPTIONS: 'invalid_options',
  EMPTY_MESSAGE: 'empty_message',
  UNKNOWN_QUOTED_MESSAGE: 'unknown_quoted_message',
  CONVERSATION_ENDED: 'conversation_ended',
  NOT_CONNECTED: 'not_connected',
  MISSING_TOKEN: 'missing_token',
  INVALID_TOKEN: 'invalid_token',
  FOREIGN_CONVERSATION: 'foreign_conversation',
  UNKNOWN_CONVERSATION: 'unknown_conversation',
  NOT_A_QUEUE_BOT: 'not_a_queue_bot',
  BUSY: 'busy',
  INVALID_BODY: 'invalid_body',
  BODY_TOO_LARGE: 'body_too_large',
  NAME_TOO_LONG: 'name_too_long',
  UNKNOWN_BOT: 'unknown_bot',
  INVALID_PARAMETER: 'invalid_parameter',
  ROOMS_CLOSED: 'rooms_closed',
  NOT_FOUND: 'not_found',
  INTERNAL_ERROR: 'internal_error',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class ConversationError extends Error {
  readonly code: ErrorCode;
  /** Echoed in the `error` frame so the client can tell which send failed. */
  declare readonly localId?: string;

  constructor(code: ErrorCode, message: string, localId?: string) {
    super(message);
    this.name = 'ConversationError';
    this.code = code;
    if (localId !== undefined) this.localId = localId;
  }

  withLocalId(localId: string | undefined): ConversationError {
    return localId === undefined ? this : new ConversationError(this.code, this.message, localId);
  }
}

/** An error as one log field: its name and message. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
