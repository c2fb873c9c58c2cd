import type { WireMessage } from '../../lambdas/core/wire';

/**
 * Which bots are in which conversation, learned from `participant-joined`/`participant-left`
 * system messages (queue bots never see a `state` frame). In memory: a restarted manager relearns
 * as conversations go on, and routes by name meanwhile.
 */
export class ConversationBots {
  private readonly byConversation = new Map<string, Map<string, string>>();

  /** Records what a system message says; returns true when it was one about a participant. */
  observe(conversationId: string, message: WireMessage): boolean {
    const metadata = message.additional_metadata ?? {};
    if (message.type !== 'S' || metadata.participant_type !== 'B') return false;
    const id = String(metadata.participant_id);
    const name = String(metadata.participant_name);
    const bots = this.byConversation.get(conversationId) ?? new Map<string, string>();
    if (message.event === 'participant-joined') bots.set(id, name);
    this.byConversation.set(conversationId, bots);
    return true;
  }

  /** Bot names of the conversation (empty when unknown). */
  names(conversationId: string): string[] {
    return [...(this.byConversation.get(conversationId)?.values() ?? [])];
  }

  has(conversationId: string, name: string): boolean {
    return this.names(conversationId).includes(name);
  }

  nameOf(conversationId: string, participantId: string): string | undefined {
    return this.byConversation.get(conversationId)?.get(participantId);
  }

  forget(conversationId: string): void {
    this.byConversation.delete(conversationId);
  }
}
