import { characterCount } from '../../../lambdas/core/text-length';

describe('characterCount', () => {
  it('counts code points, so an emoji outside the BMP is one character, not two UTF-16 units', () => {
    expect(characterCount('😀')).toBe(1);
    expect(characterCount('a😀é')).toBe(3);
    expect(characterCount('😀'.repeat(50))).toBe(50);
  });

  it('counts nothing in an empty string', () => {
    expect(characterCount('')).toBe(0);
  });
});
