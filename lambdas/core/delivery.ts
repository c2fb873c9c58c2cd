import type { ConnectionRecord, ConversationBot, ConversationRecord, ConversationRoster } from './records';
import { BotDelivery } from './bot-delivery';
import { ApprovalStatus, ParticipantType, type ConversationState, type WireMessage } from './wire';

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
 * - with a bot manager, a message goes to the manager, and once approved to humans only: other bots
 *   see only what the manager redirects to them. System messages are stored approved, so they too
 *   reach humans only, and the manager, which needs joins and departures to know whom it can route to;
 * - without one, approved messages (system ones included) reach every connection and every queue bot.
 * The sender's own connections come last: it already shows its message and only learns the `seq`
 * from the echo, while everyone else is waiting to read it.
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

  const manager = managerOf(conversation);
  if (manager) {
    const humans = approved ? live.filter((c) => c.participantType === ParticipantType.HUMAN) : [];
    return { connectionIds: senderLast(humans, message.sender_id), queueBots: [manager] };
  }
  if (!approved) return { connectionIds: [], queueBots: [] };
  return { connectionIds: senderLast(live, message.sender_id), queueBots };
}

function senderLast(connections: readonly ConnectionRecord[], senderId: string | undefined): string[] {
  const others = connections.filter((c) => c.participantId !== senderId);
  const sender = connections.filter((c) => c.participantId === senderId);
  return [...others, ...sender].map((c) => c.connectionId);
}

/** A bot of the conversation by name or participant id (as `deliver_message_to_bot` finds it). */
export function findBot(conversation: ConversationRecord, nameOrId: string): ConversationBot | undefined {
  return (
    conversation.bots.find((bot) => bot.id === nameOrId) ?? conversation.bots.find((bot) => bot.name === nameOrId)
  );
}

/**
 * The `state` frame: every participant, with `online` true for those with a live connection (SPEC 2).
 * Queue bots, the manager included, hold none, so they are never online.
 */
export function buildState(roster: ConversationRoster): ConversationState {
  const connected = new Set(roster.connections.map((c) => c.participantId));
  const participants = [...roster.participants]
    .sort((a, b) => (a.type === b.type ? a.name.localeCompare(b.name) : a.type === ParticipantType.HUMAN ? -1 : 1))
    .map((participant) => ({
      id: participant.id,
      name: participant.name,
      type: participant.type,
      online: connected.has(participant.id),
    }));
  return { participants, last_seq: roster.conversation.lastSeq };
}
