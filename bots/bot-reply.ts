import type { WireMessage } from '../lambdas/core/wire';

/** A client message frame (SPEC 2) a bot sends back. */
export interface ReplyFrame {
  type: 'T';
  text: string;
  local_id: string;
  quoted_message_id?: string;
  command?: string;
}

/**
 * Example bots answer only what a human said (directly, or redirected to them by the manager),
 * never other bots, so two bots never talk to each other forever.
 */
export function shouldAnswer(message: WireMessage, botParticipantId: string): boolean {
  return message.type === 'T' && message.sent_by_human && message.sender_id !== botParticipantId && !!message.text;
}

/**
 * A reply quoting `message`. Its local_id is derived from the answered message, so a bot that
 * handles the same delivery twice sends a resend, which the server stores once.
 */
export function quotingReply(message: WireMessage, text: string, prefix: string): ReplyFrame {
  return { type: 'T', text, local_id: `${prefix}-${message.id.replace(/-/g, '').slice(0, 24)}`, quoted_message_id: message.id };
}
