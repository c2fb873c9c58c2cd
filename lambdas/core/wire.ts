/**
 * Wire format shared with clients and bots (SPEC sections 1 and 2). Field names are snake_case
 * on purpose: clients written for the original system read them unchanged.
 */

export const MessageType = {
  SYSTEM: 'S',
  TEXT: 'T',
  VOICE: 'V',
  AUDIO: 'a',
  VIDEO: 'v',
  IMAGE: 'i',
  ATTACHMENT: 'A',
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

export const FILE_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  MessageType.VOICE,
  MessageType.AUDIO,
  MessageType.VIDEO,
  MessageType.IMAGE,
  MessageType.ATTACHMENT,
]);

export const ApprovalStatus = {
  NOT_APPROVED: 0,
  AUTOMATICALLY_APPROVED: 1,
  APPROVED_BY_MANAGER: 2,
} as const;
export type ApprovalStatus = (typeof ApprovalStatus)[keyof typeof ApprovalStatus];

export const SystemEvent = {
  CONVERSATION_CREATED: 'conversation-created',
  PARTICIPANT_JOINED: 'participant-joined',
  PARTICIPANT_LEFT: 'participant-left',
  CONVERSATION_ENDED: 'conversation-ended',
} as const;
export type SystemEvent = (typeof SystemEvent)[keyof typeof SystemEvent];

export const ParticipantType = { HUMAN: 'H', BOT: 'B' } as const;
export type ParticipantType = (typeof ParticipantType)[keyof typeof ParticipantType];

/** A message as stored and as sent on the wire. Fields that do not apply are absent. */
export interface WireMessage {
  id: string;
  /** Absent while the message is not approved. */
  seq?: number;
  type: MessageType;
  time: string;
  sender_id?: string;
  text?: string;
  event?: SystemEvent;
  additional_metadata?: Record<string, unknown>;
  local_id?: string;
  quoted_message_id?: string;
  options?: string[];
  file_url?: string;
  file_name?: string;
  file_size?: number;
  mime_type?: string;
  external_file_url?: string;
  approval_status: ApprovalStatus;
  sent_by_human: boolean;
  sent_by_manager: boolean;
  command?: string;
}

export interface ParticipantState {
  id: string;
  name: string;
  type: ParticipantType;
  online: boolean;
}

export interface ConversationState {
  participants: ParticipantState[];
  last_seq: number;
}

export interface ErrorBody {
  code: string;
  message: string;
  local_id?: string;
}

export type ServerFrame =
  | { message: WireMessage }
  | { state: ConversationState }
  | { error: ErrorBody }
  | { pong: { last_seq: number; connection_id: string } };

/** Answer to `POST /conversations` and `/join` (SPEC 4): the only time a token is shown. */
export interface ConversationTicket {
  id: string;
  name: string | null;
  created_at: string;
  participants: ParticipantState[];
  my_participant_id: string;
  token: string;
  /** Gateway URL without token; a client appends `?token=`. */
  websocket_url: string;
}

/** `GET /conversations/{id}` (SPEC 4). */
export interface ConversationView {
  id: string;
  name: string | null;
  created_at: string;
  ended: boolean;
  participants: ParticipantState[];
}

/** Body of an SQS message sent to a `queue` bot (the bot manager is one). */
export interface BotQueueBody {
  conversation_id: string;
  bot_participant_id: string;
  message: WireMessage;
}

/** Body of an SQS message a `queue` bot sends to the replies queue. */
export interface BotReplyBody {
  conversation_id: string;
  bot_participant_id: string;
  message: Record<string, unknown>;
}

/** A frame as it goes on the wire. */
export function encodeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}
