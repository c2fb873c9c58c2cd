import type { ConversationStore } from './ports';
import type { ParticipantRecord } from './records';
import { hashToken, tokenMatchesHash } from './tokens';

/**
 * The participant a presented token belongs to, or undefined: looked up by its hash, then compared
 * again in constant time. Shared by the `$connect` authorizer, `$connect` itself and the HTTP API.
 */
export async function participantForToken(
  store: Pick<ConversationStore, 'findTokenOwner'>,
  token: string,
): Promise<ParticipantRecord | undefined> {
  const owner = await store.findTokenOwner(hashToken(token));
  return owner && tokenMatchesHash(token, owner.tokenHash) ? owner.participant : undefined;
}
