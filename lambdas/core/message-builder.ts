import type { MessageDraft } from './client-frame';
import type { ParticipantRecord } from './records';
import { ApprovalStatus, FILE_MESSAGE_TYPES, MessageType, ParticipantType, type SystemEvent, type WireMessage } from './wire';

/** A system message (`participant-joined`, …): approved at once, no sender, no text. */
export function buildSystemMessage(
  id: string,
  event: SystemEvent,
  time: Date,
  additionalMetadata?: Record<string, unknown>,
): WireMessage {
  const message: WireMessage = {
    id,
    type: MessageType.SYSTEM,
    time: time.toISOString(),
    event,
    approval_status: ApprovalStatus.AUTOMATICALLY_APPROVED,
    sent_by_human: false,
    sent_by_manager: false,
  };
  if (additionalMetadata) message.additional_metadata = additionalMetadata;
  return message;
}

export interface MessageAuthorship {
  /** Who the message is stored as sent by (the manager may send on behalf of another participant). */
  sender: ParticipantRecord;
  sentByManager: boolean;
  /** Kept only on messages from the bot manager. */
  keepCommand: boolean;
}

/** A client's or bot's message as stored; `seq` is set by the caller when it is approved. */
export function buildMessage(
  id: string,
  draft: MessageDraft,
  authorship: MessageAuthorship,
  approvalStatus: ApprovalStatus,
  time: Date,
): WireMessage {
  const message: WireMessage = {
    id,
    type: draft.type,
    time: time.toISOString(),
    sender_id: authorship.sender.id,
    approval_status: approvalStatus,
    sent_by_human: authorship.sender.type === ParticipantType.HUMAN,
    sent_by_manager: authorship.sentByManager,
  };
  if (draft.text !== undefined) message.text = draft.text;
  if (draft.local_id !== undefined) message.local_id = draft.local_id;
  if (draft.quoted_message_id !== undefined) message.quoted_message_id = draft.quoted_message_id;
  if (draft.options !== undefined && draft.options.length > 0) message.options = draft.options;
  if (authorship.keepCommand && draft.command !== undefined) message.command = draft.command;
  if (FILE_MESSAGE_TYPES.has(draft.type) && draft.external_file_url !== undefined) {
    // No upload service here: the file stays where the client put it.
    message.external_file_url = draft.external_file_url;
    message.file_url = draft.external_file_url;
    if (draft.file_name !== undefined) message.file_name = draft.file_name;
    if (draft.file_size !== undefined) message.file_size = draft.file_size;
    if (draft.mime_type !== undefined) message.mime_type = draft.mime_type;
  }
  return message;
}

/** Wire fields a redirect may not replace: identity and timeline position stay the stored ones. */
const PROTECTED_FIELDS = new Set(['id', 'seq', '__proto__', 'constructor', 'prototype']);

/** The copy of a message a redirect delivers, with the manager's overrides applied. */
export function withOverrides(message: WireMessage, overrides: Record<string, unknown>): WireMessage {
  const copy: Record<string, unknown> = { ...message };
  for (const [field, value] of Object.entries(overrides)) {
    if (!PROTECTED_FIELDS.has(field)) copy[field] = value;
  }
  return copy as unknown as WireMessage;
}

/**
 * `additional_metadata` of joined/left messages: the id as in the original, plus name and type so
 * queue bots (which never see a `state` frame) know who is in the conversation.
 */
export function participantMetadata(participant: Pick<ParticipantRecord, 'id' | 'name' | 'type'>): Record<string, string> {
  return { participant_id: participant.id, participant_name: participant.name, participant_type: participant.type };
}
