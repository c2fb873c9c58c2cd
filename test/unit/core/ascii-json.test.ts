import { escapeNonAscii, toAsciiJson } from '../../../lambdas/core/ascii-json';

describe('toAsciiJson', () => {
  it.each([
    ['emoji', { text: 'ok 👍 done' }],
    ['accents and CJK', { text: 'Ação 中文' }],
    ['characters SQS refuses', { text: 'a\uffffb\ufffe\u0001' }],
    ['a lone surrogate', { text: 'x\ud800y' }],
    ['plain ASCII', { text: 'hello', n: 3, list: ['a'] }],
  ])('writes only ASCII for %s and parses back to the same value', (_label, value) => {
    const json = toAsciiJson(value);
    expect(json).toMatch(/^[\x20-\x7e]*$/);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('leaves ASCII text as JSON.stringify writes it', () => {
    expect(toAsciiJson({ a: 'b"c' })).toBe(JSON.stringify({ a: 'b"c' }));
  });

  it('escapes each UTF-16 unit of an emoji', () => {
    expect(escapeNonAscii('👍')).toBe('\\ud83d\\udc4d');
  });
});
