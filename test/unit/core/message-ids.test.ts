import { messageIdForLocalId } from '../../../lambdas/core/message-ids';

const CONVERSATION = '11111111-2222-4333-8444-555555555555';
const RFC_9562_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('messageIdForLocalId', () => {
  it('gives the same id for the same conversation, sender and local_id', () => {
    expect(messageIdForLocalId(CONVERSATION, 'h-ana', 'local-1')).toBe(messageIdForLocalId(CONVERSATION, 'h-ana', 'local-1'));
  });

  it('is the RFC 9562 name-based (SHA-1) UUID of the three parts, stable across releases', () => {
    // Computed independently: Python's
    // uuid.uuid5(UUID('1b4e28ba-2fa1-4d3b-883f-0016d3cca427'), CONVERSATION + '\0' + 'h-ana' + '\0' + 'local-1').
    // Changing it would let a resend sent across a deployment be stored twice.
    expect(messageIdForLocalId(CONVERSATION, 'h-ana', 'local-1')).toBe('ae25f445-8eb2-5eec-adf2-49b05f93b9bd');
  });

  it('differs by conversation', () => {
    expect(messageIdForLocalId(CONVERSATION, 'h-ana', 'local-1')).not.toBe(
      messageIdForLocalId('99999999-2222-4333-8444-555555555555', 'h-ana', 'local-1'),
    );
  });

  it('differs by sender', () => {
    expect(messageIdForLocalId(CONVERSATION, 'h-ana', 'local-1')).not.toBe(messageIdForLocalId(CONVERSATION, 'h-bia', 'local-1'));
  });

  it('differs by local_id, including by case', () => {
    const ids = new Set(['local-1', 'local-2', 'LOCAL-1', 'local-1 '].map((localId) => messageIdForLocalId(CONVERSATION, 'h-ana', localId)));
    expect(ids.size).toBe(4);
  });

  it('does not confuse the boundary between sender and local_id', () => {
    expect(messageIdForLocalId(CONVERSATION, 'ab', 'c')).not.toBe(messageIdForLocalId(CONVERSATION, 'a', 'bc'));
  });

  it('has the UUID version 5 layout: lower-case hex, version nibble 5, variant 10xx', () => {
    for (let i = 0; i < 200; i++) {
      const id = messageIdForLocalId(CONVERSATION, `sender-${i}`, `l${i}`);
      expect(id).toMatch(RFC_9562_V5);
      const variant = parseInt(id[19]!, 16);
      expect(variant & 0b1100).toBe(0b1000);
    }
  });

  it('accepts a local_id of any characters', () => {
    expect(messageIdForLocalId(CONVERSATION, 'h-ana', '😀 ünïcode')).toMatch(RFC_9562_V5);
  });
});
