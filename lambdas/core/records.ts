import type { BotDelivery } from './bots-config';
import type { ParticipantType } from './wire';

/** A bot of one conversation, kept on the conversation so fan-out needs no extra read. */
export interface ConversationBot {
  id: string;
  name: string;
  delivery: BotDelivery;
  isManager: boolean;
  isRequired: boolean;
}

export interface ConversationRecord {
  id: string;
  name?: string;
  createdAt: string;
  ended: boolean;
  /** Newest `seq` of the timeline (0 before `conversation-created`). */
  lastSeq: number;
  /** Bumped by every new connection, so a fan-out read before it cannot commit after it. */
  rosterVersion: number;
  bots: ConversationBot[];
}

export interface ParticipantRecord {
  id: string;
  conversationId: string;
  name: string;
  type: ParticipantType;
  isRequired: boolean;
  /** Bots only. */
  delivery?: BotDelivery;
  isManager: boolean;
}

export interface ConnectionRecord {
  connectionId: string;
  conversationId: string;
  participantId: string;
  participantType: ParticipantType;
  /** Epoch ms, from API Gateway's `connectedAt`. */
  connectedAt: number;
}

/** What fan-out needs: the conversation and its live connections. */
export interface ConversationConnections {
  conversation: ConversationRecord;
  connections: ConnectionRecord[];
}

/** What a `state` frame needs: also every participant. */
export interface ConversationRoster extends ConversationConnections {
  participants: ParticipantRecord[];
}

export interface ConnectionOwner {
  connection: ConnectionRecord;
  participant: ParticipantRecord;
}
