import type { BotQueueBody } from '../../lambdas/core/wire';
import { quotingReply, type ReplyFrame } from '../bot-reply';
import type { ConversationBots } from './conversation-bots';

/**
 * A manager that changes nothing: every human message goes to every bot of the conversation and
 * every bot answer is approved, as if there were no manager, but through the manager's path.
 */
export function transparentManagerReplies(delivery: BotQueueBody, bots: ConversationBots): ReplyFrame[] {
  const { conversation_id: conversationId, bot_participant_id: self, message } = delivery;
  if (message.type === 'S') {
    if (message.event === 'conversation-ended') bots.forget(conversationId);
    else bots.observe(conversationId, message);
    return [];
  }
  if (message.sent_by_manager) return [];
  if (message.sent_by_human && message.approval_status > 0) {
    const others = bots.names(conversationId).filter((name) => name !== bots.nameOf(conversationId, self));
    if (others.length === 0) return [];
    return [
      {
        ...quotingReply(message, '', 'route'),
        command: JSON.stringify({ action: 'redirect', bots: others }),
      },
    ];
  }
  if (!message.sent_by_human && message.approval_status === 0) {
    return [{ ...quotingReply(message, '', 'approve'), command: JSON.stringify({ action: 'approve' }) }];
  }
  return [];
}
