import { createHash } from 'node:crypto';

/** Namespace for message ids derived from (conversation, sender, local_id). */
const LOCAL_ID_NAMESPACE = '1b4e28ba-2fa1-4d3b-883f-0016d3cca427';

/**
 * Name-based UUID (RFC 9562 version 5). The same sender resending the same `local_id` gets the
 * same message id, so the store's "id must be new" condition is also the de-duplication guard:
 * one item, one condition, no second lookup.
 */
export function messageIdForLocalId(conversationId: string, senderId: string, localId: string): string {
  const namespace = Buffer.from(LOCAL_ID_NAMESPACE.replace(/-/g, ''), 'hex');
  const name = Buffer.from(`${conversationId}\u0000${senderId}\u0000${localId}`, 'utf8');
  const bytes = createHash('sha1').update(namespace).update(name).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
