import { base64url, generateLocalId, isValidLocalId } from '../../sdk/local-id';
import { LIMITS } from '../../sdk/protocol';

describe('generateLocalId', () => {
  it('makes 22 base64url characters, within the local_id limit', () => {
    const localId = generateLocalId();
    expect(localId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(localId.length).toBeLessThanOrEqual(LIMITS.MAX_LOCAL_ID_CHARS);
    expect(isValidLocalId(localId)).toBe(true);
  });

  it('does not repeat itself', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => generateLocalId()));
    expect(ids.size).toBe(10_000);
  });
});

describe('isValidLocalId', () => {
  it('accepts 1 to 32 characters and nothing else', () => {
    expect(isValidLocalId('a')).toBe(true);
    expect(isValidLocalId('a'.repeat(32))).toBe(true);
    expect(isValidLocalId('a'.repeat(33))).toBe(false);
    expect(isValidLocalId('')).toBe(false);
    expect(isValidLocalId(12)).toBe(false);
  });

  it('counts characters as the server does, in code points', () => {
    expect(isValidLocalId('😀'.repeat(32))).toBe(true);
    expect(isValidLocalId('😀'.repeat(33))).toBe(false);
  });
});

describe('base64url', () => {
  it('matches Node for every tail length', () => {
    for (let length = 0; length <= 20; length++) {
      const bytes = Uint8Array.from({ length }, (_, index) => (index * 97 + 13) % 256);
      expect(base64url(bytes)).toBe(Buffer.from(bytes).toString('base64url'));
    }
  });
});
