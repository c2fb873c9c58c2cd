/** Small builders of core records and messages for the unit tests. */
import type {
  ConnectionRecord,
  ConversationBot,
  ConversationRecord,
  ParticipantRecord,
} from '../../../lambdas/core/records';
import { ApprovalStatus, type WireMessage } from '../../../lambdas/core/wire';

export const CONVERSATION_ID = '11111111-2222-4333-8444-555555555555';

export function conversation(overrides: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    id: CONVERSATION_ID,
    createdAt: '2024-05-01T10:00:00.000Z',
    ended: false,
    lastSeq: 0,
    rosterVersion: 0,
    bots: [],
    ...overrides,
  };
}

export function bot(name: string, overrides: Partial<ConversationBot> = {}): ConversationBot {
  return { id: `id-${name}`, name, delivery: 'queue', isManager: false, isRequired: false, ...overrides };
}

export function human(id: string, name: string): ParticipantRecord {
  return { id, conversationId: CONVERSATION_ID, name, type: 'H', isRequired: false, isManager: false };
}

export function botParticipant(entry: ConversationBot): ParticipantRecord {
  return {
    id: entry.id,
    conversationId: CONVERSATION_ID,
    name: entry.name,
    type: 'B',
    isRequired: entry.isRequired,
    delivery: entry.delivery,
    isManager: entry.isManager,
  };
}

export function connection(connectionId: string, participantId: string, participantType: 'H' | 'B'): ConnectionRecord {
  return { connectionId, conversationId: CONVERSATION_ID, participantId, participantType, connectedAt: 1 };
}

export function message(overrides: Partial<WireMessage> = {}): WireMessage {
  return {
    id: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    seq: 5,
    type: 'T',
    time: '2024-05-01T10:00:01.000Z',
    sender_id: 'h1',
    text: 'hi',
    approval_status: ApprovalStatus.AUTOMATICALLY_APPROVED,
    sent_by_human: true,
    sent_by_manager: false,
    ...overrides,
  };
}
