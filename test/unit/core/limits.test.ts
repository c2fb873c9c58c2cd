import { LIMITS } from '../../../lambdas/core/limits';

describe('LIMITS', () => {
  it('holds the sizes the specification fixes', () => {
    expect(LIMITS.MAX_TEXT_CHARS).toBe(4000);
    expect(LIMITS.MAX_LOCAL_ID_CHARS).toBe(32);
    expect(LIMITS.MAX_NAME_CHARS).toBe(50);
    expect(LIMITS.MAX_CONVERSATION_NAME_CHARS).toBe(50);
    expect(LIMITS.MAX_FRAME_BYTES).toBe(32 * 1024);
    expect(LIMITS.DEFAULT_HISTORY_PAGE).toBe(100);
    expect(LIMITS.MAX_HISTORY_PAGE).toBe(1000);
  });

  it('keeps the API Gateway limits of a frame and of a post', () => {
    expect(LIMITS.MAX_POST_BYTES).toBe(128 * 1024);
    expect(LIMITS.MAX_FRAME_BYTES).toBeLessThan(LIMITS.MAX_POST_BYTES);
  });

  it('lets a full text message fit in one frame even when every character is escaped in JSON', () => {
    // The worst case is a control character, escaped as \u0001 (6 bytes); 1 KB is left for the other fields.
    expect(LIMITS.MAX_TEXT_CHARS * 6 + 1024).toBeLessThanOrEqual(LIMITS.MAX_FRAME_BYTES);
  });

  it('has positive whole numbers only', () => {
    for (const value of Object.values(LIMITS)) expect(Number.isSafeInteger(value) && value > 0).toBe(true);
  });

  it('keeps the default history page within the maximum', () => {
    expect(LIMITS.DEFAULT_HISTORY_PAGE).toBeLessThanOrEqual(LIMITS.MAX_HISTORY_PAGE);
  });
});
