import { ConversationError, ErrorCode } from './errors';
import { LIMITS } from './limits';
import { characterCount } from './text-length';
import { FILE_MESSAGE_TYPES, MessageType } from './wire';

/** A message as a client or bot sends it, validated; the server fills everything else. */
export interface MessageDraft {
  type: Exclude<MessageType, 'S'>;
  text?: string;
  local_id?: string;
  quoted_message_id?: string;
  options?: string[];
  /** Raw JSON string; only the bot manager's is kept. */
  command?: string;
  external_file_url?: string;
  file_name?: string;
  file_size?: number;
  mime_type?: string;
}

export type ClientFrame =
  | { kind: 'message'; draft: MessageDraft }
  | { kind: 'sync'; afterSeq: number }
  | { kind: 'ping' };

const CLIENT_MESSAGE_TYPES = Object.values(MessageType).filter((type) => type !== MessageType.SYSTEM);

/**
 * What a field check found: the value fits, is of the wrong kind or form, or is too long. Plain
 * checks rather than a schema library: this runs in every frame's Lambda, where every kilobyte of
 * bundle is cold-start time (`npm run bench`, section 5).
 */
type Verdict = 'ok' | 'invalid' | 'too_long';

function stringOf(value: unknown, minChars: number, maxChars: number): Verdict {
  if (typeof value !== 'string' || value.length < minChars) return 'invalid';
  return characterCount(value) > maxChars ? 'too_long' : 'ok';
}

const UUID_PATTERN = /^[\da-f]{8}(?:-[\da-f]{4}){3}-[\da-f]{12}$/i;

function httpUrl(value: unknown): Verdict {
  if (typeof value !== 'string' || !/^https?:\/\//i.test(value)) return 'invalid';
  if (value.length > LIMITS.MAX_URL_CHARS) return 'too_long';
  try {
    new URL(value);
    return 'ok';
  } catch {
    return 'invalid';
  }
}

/** Each field with its check and the error code a too-long value maps to (a wrong one is invalid_field). */
const MESSAGE_FIELDS: Record<string, { check: (value: unknown) => Verdict; code: ErrorCode; expected: string }> = {
  text: {
    check: (value) => stringOf(value, 0, LIMITS.MAX_TEXT_CHARS),
    code: ErrorCode.TEXT_TOO_LONG,
    expected: `a string of at most ${LIMITS.MAX_TEXT_CHARS} characters`,
  },
  local_id: {
    check: (value) => stringOf(value, 1, LIMITS.MAX_LOCAL_ID_CHARS),
    code: ErrorCode.LOCAL_ID_TOO_LONG,
    expected: `a non-empty string of at most ${LIMITS.MAX_LOCAL_ID_CHARS} characters`,
  },
  quoted_message_id: {
    check: (value) => (typeof value === 'string' && UUID_PATTERN.test(value) ? 'ok' : 'invalid'),
    code: ErrorCode.INVALID_FIELD,
    expected: 'a message id (UUID)',
  },
  options: {
    check: (value) => {
      const valid =
        Array.isArray(value) &&
        value.every((option) => typeof option === 'string' && option.length >= 1 && option.length <= LIMITS.MAX_OPTION_CHARS);
      return !valid ? 'invalid' : value.length > LIMITS.MAX_OPTIONS ? 'too_long' : 'ok';
    },
    code: ErrorCode.INVALID_OPTIONS,
    expected: `a list of at most ${LIMITS.MAX_OPTIONS} non-empty strings of at most ${LIMITS.MAX_OPTION_CHARS} characters`,
  },
  command: {
    check: (value) => (typeof value !== 'string' ? 'invalid' : value.length > LIMITS.MAX_TEXT_CHARS ? 'too_long' : 'ok'),
    code: ErrorCode.INVALID_FIELD,
    expected: `a JSON string of at most ${LIMITS.MAX_TEXT_CHARS} characters`,
  },
  external_file_url: {
    check: httpUrl,
    code: ErrorCode.INVALID_FIELD,
    expected: `an http(s) URL of at most ${LIMITS.MAX_URL_CHARS} characters`,
  },
  file_name: {
    check: (value) => (typeof value === 'string' && value.length >= 1 && value.length <= 255 ? 'ok' : 'invalid'),
    code: ErrorCode.INVALID_FIELD,
    expected: 'a file name of at most 255 characters',
  },
  file_size: {
    check: (value) => (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? 'ok' : 'invalid'),
    code: ErrorCode.INVALID_FIELD,
    expected: 'a non-negative integer',
  },
  mime_type: {
    check: (value) => (typeof value === 'string' && value.length >= 1 && value.length <= 255 ? 'ok' : 'invalid'),
    code: ErrorCode.INVALID_FIELD,
    expected: 'a MIME type of at most 255 characters',
  },
};

const FILE_FIELDS = ['external_file_url', 'file_name', 'file_size', 'mime_type'] as const;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `local_id` a frame carries, as sent (even one refused as too long), so an `error` frame can echo it. */
export function localIdOf(frame: unknown): string | undefined {
  if (!isPlainObject(frame)) return undefined;
  const localId = frame.local_id;
  return typeof localId === 'string' && localId.length > 0 ? localId : undefined;
}

/** Whether a frame's text is a message frame: a JSON object without `action` (valid or not). */
export function isMessageFrameText(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return isPlainObject(value) && !('action' in value);
  } catch {
    return false;
  }
}

/** Parses the raw text of a WebSocket frame. Throws `ConversationError` with a stable code. */
export function parseClientFrameText(text: string): ClientFrame {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConversationError(ErrorCode.INVALID_JSON, 'frame is not valid JSON');
  }
  return parseClientFrame(value);
}

/** Validates a decoded frame: an action (`sync`, `ping`) or a message. */
export function parseClientFrame(value: unknown): ClientFrame {
  if (!isPlainObject(value)) {
    throw new ConversationError(ErrorCode.INVALID_FRAME, 'frame must be a JSON object');
  }
  if ('action' in value) return parseAction(value);
  return { kind: 'message', draft: parseMessageDraft(value) };
}

function parseAction(frame: Record<string, unknown>): ClientFrame {
  switch (frame.action) {
    case 'ping':
      return { kind: 'ping' };
    case 'sync': {
      const afterSeq = frame.after_seq ?? 0;
      if (typeof afterSeq !== 'number' || !Number.isSafeInteger(afterSeq) || afterSeq < 0) {
        throw new ConversationError(ErrorCode.INVALID_FIELD, 'after_seq must be a non-negative integer');
      }
      return { kind: 'sync', afterSeq };
    }
    default:
      throw new ConversationError(
        ErrorCode.UNKNOWN_ACTION,
        `unknown action ${JSON.stringify(frame.action)}; expected "sync" or "ping"`,
      );
  }
}

/** Validates a message frame (also a bot's reply). Unknown fields are ignored; server-owned fields are never taken from it. */
export function parseMessageDraft(frame: Record<string, unknown>): MessageDraft {
  const localId = localIdOf(frame);
  const fail = (code: ErrorCode, message: string) => new ConversationError(code, message, localId);

  const type = frame.type;
  if (type === MessageType.SYSTEM) {
    throw fail(ErrorCode.INVALID_MESSAGE_TYPE, 'clients cannot send system messages');
  }
  if (typeof type !== 'string' || !(CLIENT_MESSAGE_TYPES as string[]).includes(type)) {
    throw fail(
      ErrorCode.INVALID_MESSAGE_TYPE,
      `type must be one of ${CLIENT_MESSAGE_TYPES.map((t) => `"${t}"`).join(', ')}`,
    );
  }

  const draft: MessageDraft = { type: type as MessageDraft['type'] };
  // Any JSON value is kept as a string: only the manager's command is read, and a malformed one is
  // ignored with a warning, never a refusal (SPEC 3); other senders' commands are dropped.
  const commandValue =
    frame.command === undefined || frame.command === null || typeof frame.command === 'string'
      ? frame.command
      : JSON.stringify(frame.command);
  const input: Record<string, unknown> = { ...frame, command: commandValue };
  for (const [field, rule] of Object.entries(MESSAGE_FIELDS)) {
    const fieldValue = input[field];
    if (fieldValue === undefined || fieldValue === null) continue;
    const verdict = rule.check(fieldValue);
    if (verdict !== 'ok') {
      // The specific code is for a value that is too long; a value of the wrong kind is invalid_field.
      const code = verdict === 'too_long' || rule.code === ErrorCode.INVALID_OPTIONS ? rule.code : ErrorCode.INVALID_FIELD;
      throw fail(code, `${field} must be ${rule.expected}`);
    }
    (draft as unknown as Record<string, unknown>)[field] = fieldValue;
  }

  const isFile = FILE_MESSAGE_TYPES.has(type);
  if (!isFile) {
    const stray = FILE_FIELDS.find((field) => draft[field] !== undefined);
    if (stray) throw fail(ErrorCode.INVALID_FIELD, `${stray} is only allowed on file messages`);
  } else if (draft.external_file_url === undefined) {
    throw fail(ErrorCode.INVALID_FIELD, `a message of type "${type}" needs external_file_url`);
  }
  if (draft.options && draft.options.length === 0) delete draft.options;
  if (type === MessageType.TEXT && !draft.text?.trim() && draft.command === undefined) {
    throw fail(ErrorCode.EMPTY_MESSAGE, 'a text message needs a non-empty text');
  }
  return draft;
}
