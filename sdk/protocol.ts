/**
 * The wire protocol as the SDK sees it (SPEC sections 1-3). Server types and limits come from the
 * two dependency-free server modules `wire.ts` and `limits.ts`, so client and server can never
 * disagree on a field name; this is the only SDK file that reaches outside `sdk/`.
 */
export type {
  BotQueueBody,
  BotReplyBody,
  ConversationState,
  ConversationTicket,
  ConversationView,
  ErrorBody,
  ParticipantState,
  ServerFrame,
  WireMessage,
} from '../lambdas/core/wire';
export { ApprovalStatus, MessageType, ParticipantType, SystemEvent } from '../lambdas/core/wire';
export { LIMITS } from '../lambdas/core/limits';
export { toAsciiJson } from '../lambdas/core/ascii-json';

import type { MessageType } from '../lambdas/core/wire';

/** Answer to `{"action": "ping"}`: the conversation's newest `seq` and this connection's id. */
export interface Pong {
  last_seq: number;
  connection_id: string;
}

/** Message types a client may send (every type but `S`, system). */
export type ClientMessageType = Exclude<MessageType, 'S'>;

/**
 * A message as a client or bot sends it (SPEC 2). The server fills `id`, `seq`, `time`,
 * `sender_id` and `approval_status`; anything else it does not know is ignored.
 */
export interface MessageDraft {
  /** @default 'T' (text) */
  type?: ClientMessageType;
  text?: string;
  /** At most 32 characters; the SDK generates one when absent. Same sender + same `local_id` = same message. */
  local_id?: string;
  quoted_message_id?: string;
  options?: string[];
  /** Bot manager only: a JSON object, or its JSON string (SPEC 3). */
  command?: string | Record<string, unknown>;
  /** File message types only. */
  external_file_url?: string;
  file_name?: string;
  file_size?: number;
  mime_type?: string;
}

/** A message frame as it goes on the wire: a draft with its `type` and `local_id` filled in. */
export type MessageFrame = MessageDraft & { type: ClientMessageType; local_id: string };

export type SyncFrame = { action: 'sync'; after_seq: number };
export type PingFrame = { action: 'ping' };
export type ClientFrame = MessageFrame | SyncFrame | PingFrame;
