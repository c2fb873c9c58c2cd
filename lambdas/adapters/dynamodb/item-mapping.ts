import type { BotDelivery } from '../../core/bots-config';
import type { ConnectionRecord, ConversationBot, ConversationRecord, ParticipantRecord } from '../../core/records';
import type { ParticipantType, WireMessage } from '../../core/wire';

/** Translates between domain records and table items. Attribute names are snake_case like the wire. */

export interface ParticipantAttributes {
  id: string;
  conversation_id: string;
  name: string;
  type: ParticipantType;
  is_required: boolean;
  delivery?: BotDelivery;
  is_manager: boolean;
}

export function participantToAttributes(participant: ParticipantRecord): ParticipantAttributes {
  const attributes: ParticipantAttributes = {
    id: participant.id,
    conversation_id: participant.conversationId,
    name: participant.name,
    type: participant.type,
    is_required: participant.isRequired,
    is_manager: participant.isManager,
  };
  if (participant.delivery) attributes.delivery = participant.delivery;
  return attributes;
}

export function participantFromAttributes(attributes: ParticipantAttributes): ParticipantRecord {
  const participant: ParticipantRecord = {
    id: attributes.id,
    conversationId: attributes.conversation_id,
    name: attributes.name,
    type: attributes.type,
    isRequired: attributes.is_required,
    isManager: attributes.is_manager,
  };
  if (attributes.delivery) participant.delivery = attributes.delivery;
  return participant;
}

interface BotAttributes {
  id: string;
  name: string;
  delivery: BotDelivery;
  is_manager: boolean;
  is_required: boolean;
}

export interface ConversationAttributes {
  id: string;
  name?: string;
  created_at: string;
  ended: boolean;
  last_seq: number;
  roster_version: number;
  bots: BotAttributes[];
}

export function conversationToAttributes(conversation: ConversationRecord): ConversationAttributes {
  const attributes: ConversationAttributes = {
    id: conversation.id,
    created_at: conversation.createdAt,
    ended: conversation.ended,
    last_seq: conversation.lastSeq,
    roster_version: conversation.rosterVersion,
    bots: conversation.bots.map((bot) => ({
      id: bot.id,
      name: bot.name,
      delivery: bot.delivery,
      is_manager: bot.isManager,
      is_required: bot.isRequired,
    })),
  };
  if (conversation.name !== undefined) attributes.name = conversation.name;
  return attributes;
}

export function conversationFromAttributes(attributes: ConversationAttributes): ConversationRecord {
  const conversation: ConversationRecord = {
    id: attributes.id,
    createdAt: attributes.created_at,
    ended: attributes.ended,
    lastSeq: Number(attributes.last_seq),
    rosterVersion: Number(attributes.roster_version),
    bots: (attributes.bots ?? []).map(
      (bot): ConversationBot => ({
        id: bot.id,
        name: bot.name,
        delivery: bot.delivery,
        isManager: bot.is_manager,
        isRequired: bot.is_required,
      }),
    ),
  };
  if (attributes.name !== undefined) conversation.name = attributes.name;
  return conversation;
}

export interface ConnectionAttributes {
  connection_id: string;
  conversation_id: string;
  participant_id: string;
  participant_type: ParticipantType;
  connected_at: number;
}

export function connectionToAttributes(connection: ConnectionRecord): ConnectionAttributes {
  return {
    connection_id: connection.connectionId,
    conversation_id: connection.conversationId,
    participant_id: connection.participantId,
    participant_type: connection.participantType,
    connected_at: connection.connectedAt,
  };
}

export function connectionFromAttributes(attributes: ConnectionAttributes): ConnectionRecord {
  return {
    connectionId: attributes.connection_id,
    conversationId: attributes.conversation_id,
    participantId: attributes.participant_id,
    participantType: attributes.participant_type,
    connectedAt: Number(attributes.connected_at),
  };
}

/** Messages are stored in wire format; numbers come back from DynamoDB as numbers already. */
export function messageFromAttribute(value: unknown): WireMessage {
  return value as WireMessage;
}
