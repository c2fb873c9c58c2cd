import type { BotQueueBody, WireMessage } from '../../lambdas/core/wire';
import { looksLikeArithmetic } from '../calculator/arithmetic';
import { quotingReply, type ReplyFrame } from '../bot-reply';
import type { ConversationBots } from './conversation-bots';

export interface RoutingNames {
  /** @default 'Echo' */
  echo: string;
  /** @default 'Calculator' */
  calculator: string;
}

const DEFAULT_NAMES: RoutingNames = { echo: 'Echo', calculator: 'Calculator' };

function command(message: { id: string }, prefix: string, quotedId: string, body: Record<string, unknown>): ReplyFrame {
  return { ...quotingReply(message as WireMessage, '', prefix), quoted_message_id: quotedId, command: JSON.stringify(body) };
}

/**
 * The default bot manager (SPEC 4.1): arithmetic goes to the Calculator, the rest to Echo (or to
 * the other one when the preferred bot is not in the conversation); the bots' answers are approved,
 * except the Calculator's `?`, whose question is redirected to Echo. When Echo is known not to be
 * in the conversation, that `?` is approved instead, so the human still gets an answer. Knowing
 * nothing of the conversation yet (e.g. after a restart), it routes by name.
 * Pure: given one delivery from its queue, it returns the frames to send back.
 */
export function routingManagerReplies(
  delivery: BotQueueBody,
  bots: ConversationBots,
  names: RoutingNames = DEFAULT_NAMES,
): ReplyFrame[] {
  const { conversation_id: conversationId, message } = delivery;
  if (message.type === 'S') {
    if (message.event === 'conversation-ended') bots.forget(conversationId);
    else bots.observe(conversationId, message);
    return [];
  }
  if (message.sent_by_manager) return [];

  if (message.sent_by_human && message.approval_status > 0 && message.type === 'T' && message.text) {
    const known = bots.names(conversationId);
    const preferred = looksLikeArithmetic(message.text) ? names.calculator : names.echo;
    const fallback = preferred === names.calculator ? names.echo : names.calculator;
    // Before it has seen the conversation's bots (e.g. after a restart), route by name anyway.
    const target = known.length === 0 || known.includes(preferred) ? preferred : known.includes(fallback) ? fallback : undefined;
    return target ? [command(message, 'route', message.id, { action: 'redirect', bots: [target] })] : [];
  }

  if (!message.sent_by_human && message.approval_status === 0) {
    const sender = message.sender_id ? bots.nameOf(conversationId, message.sender_id) : undefined;
    const calculatorGaveUp = message.text?.trim() === '?' && (sender === undefined || sender === names.calculator);
    if (calculatorGaveUp && message.quoted_message_id && !knownWithout(bots, conversationId, names.echo)) {
      return [command(message, 'retry', message.quoted_message_id, { action: 'redirect', bots: [names.echo] })];
    }
    return [command(message, 'approve', message.id, { action: 'approve' })];
  }
  return [];
}

/** True only when the conversation's bots are known and `name` is not among them. */
function knownWithout(bots: ConversationBots, conversationId: string, name: string): boolean {
  const known = bots.names(conversationId);
  return known.length > 0 && !known.includes(name);
}
