import { createHash } from 'node:crypto';
import { bearerToken, generateToken, hashToken, tokenMatchesHash } from '../../../lambdas/core/tokens';

describe('generateToken', () => {
  it('draws 256 random bits, written in base64url without padding', () => {
    const token = generateToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('never draws the same token twice in 10 000 draws', () => {
    const tokens = new Set(Array.from({ length: 10_000 }, () => generateToken()));
    expect(tokens.size).toBe(10_000);
  });

  it('is safe in a query string as it is', () => {
    const token = generateToken();
    expect(encodeURIComponent(token)).toBe(token);
  });
});

describe('hashToken', () => {
  it('is the SHA-256 of the token in lower-case hex', () => {
    // FIPS 180-2 test vector for "abc".
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes the UTF-8 bytes of the token', () => {
    expect(hashToken('ñ')).toBe(createHash('sha256').update(Buffer.from([0xc3, 0xb1])).digest('hex'));
  });

  it('never returns the token itself', () => {
    const token = generateToken();
    expect(hashToken(token)).not.toContain(token);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('tokenMatchesHash', () => {
  const token = generateToken();
  const stored = hashToken(token);

  it('accepts the token whose hash is stored', () => {
    expect(tokenMatchesHash(token, stored)).toBe(true);
  });

  it('accepts the stored hash written in upper case', () => {
    expect(tokenMatchesHash(token, stored.toUpperCase())).toBe(true);
  });

  it('refuses another token', () => {
    expect(tokenMatchesHash(generateToken(), stored)).toBe(false);
    expect(tokenMatchesHash(`${token}x`, stored)).toBe(false);
    expect(tokenMatchesHash('', stored)).toBe(false);
  });

  it('refuses the hash itself presented as a token', () => {
    expect(tokenMatchesHash(stored, stored)).toBe(false);
  });

  it.each([[''], ['not hex'], [stored.slice(0, 62)], [`${stored}00`]])(
    'refuses, without throwing, a malformed stored hash %j',
    (malformed) => {
      expect(tokenMatchesHash(token, malformed)).toBe(false);
    },
  );
});

describe('bearerToken', () => {
  it.each([
    ['Bearer abc.DEF-123_', 'abc.DEF-123_'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer    abc', 'abc'],
    ['Bearer\tabc', 'abc'],
    ['Bearer abc  ', 'abc'],
  ])('reads the token of %j', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([
    ['absent', undefined],
    ['empty', ''],
    ['another scheme', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l'],
    ['a bare token', 'abc'],
    ['the scheme alone', 'Bearer'],
    ['the scheme and blanks', 'Bearer   '],
    ['two tokens', 'Bearer abc def'],
    ['the scheme glued to the token', 'Bearerabc'],
    ['a scheme that only starts with Bearer', 'Bearerish abc'],
  ])('reads nothing from a header that is %s', (_label, header) => {
    expect(bearerToken(header)).toBeUndefined();
  });
});
