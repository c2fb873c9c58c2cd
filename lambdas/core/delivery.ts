import type { ConnectionRecord, ConversationBot, ConversationRecord, ConversationRoster } from './records';
import { BotDelivery } from './bot-delivery';
import { ApprovalStatus, MessageType, ParticipantType, type ConversationState, type WireMessage } from './wire';

/** Who receives a stored message: connections get a `message` frame, queue bots an SQS message. */
export interface DeliveryPlan {
  connectionIds: string[];
  queueBots: ConversationBot[];
}

export function managerOf(conversation: ConversationRecord): ConversationBot | undefined {
  return conversation.bots.find((bot) => bot.isManager);
}

/**
 * The rules of who sees what (SPEC 3):
 * - system messages reach everyone: every connection and every queue bot;
 * - with a bot manager, every other message goes to the manager, and once approved to humans only;
 * - without one, approved messages reach every connection and every queue bot.
 */
export function planBroadcast(
  message: WireMessage,
  conversation: ConversationRecord,
  connections: readonly ConnectionRecord[],
  excludeConnectionIds: ReadonlySet<string> = new Set(),
): DeliveryPlan {
  const live = connections.filter((connection) => !excludeConnectionIds.has(connection.connectionId));
  const queueBots = conversation.bots.filter((bot) => bot.delivery === BotDelivery.QUEUE);
  const approved = message.approval_status !== ApprovalStatus.NOT_APPROVED;

  if (message.type === MessageType.SYSTEM) {
    return { connectionIds: live.map((c) => c.connectionId), queueBots };
  }
  const manager = managerOf(conversation);
  if (manager) {
    const humans = approved ? live.filter((c) => c.participantType === ParticipantType.HUMAN) : [];
    return { connectionIds: humans.map((c) => c.connectionId), queueBots: [manager] };
  }
  if (!approved) return { connectionIds: [], queueBots: [] };
  return { connectionIds: live.map((c) => c.connectionId), queueBots };
}

/** A bot of the conversation by name or participant id (as `deliver_message_to_bot` finds it). */
export function findBot(conversation: ConversationRecord, nameOrId: string): ConversationBot | undefined {
  return (
    conversation.bots.find((bot) => bot.id === nameOrId) ?? conversation.bots.find((bot) => bot.name === nameOrId)
  );
}

/**
 * The `state` frame: every participant with `online`. Queue bots hold no connection; they count as
 * online while the conversation is open, since their queue reaches them.
 */
export function buildState(roster: ConversationRoster): ConversationState {
  const connected = new Set(roster.connections.map((c) => c.participantId));
  const queueBotIds = new Set(
    roster.conversation.bots.filter((bot) => bot.delivery === BotDelivery.QUEUE).map((bot) => bot.id),
  );
  const participants = [...roster.participants]
    .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === ParticipantType.HUMAN ? -1 : 1))
    .map((participant) => ({
      id: participant.id,
      name: participant.name,
      type: participant.type,
      online: connected.has(participant.id) || (queueBotIds.has(participant.id) && !roster.conversation.ended),
    }));
  return { participants, last_seq: roster.conversation.lastSeq };
}
