import { FrameTooLargeError } from '../../sdk/errors';
import { encodeFrame, utf8ByteLength } from '../../sdk/frame-size';
import { LIMITS } from '../../sdk/protocol';

/** A text frame of exactly `bytes` bytes of UTF-8. */
function frameOfBytes(bytes: number): { type: string; text: string } {
  const empty = JSON.stringify({ type: 'T', text: '' }).length;
  return { type: 'T', text: 'x'.repeat(bytes - empty) };
}

describe('encodeFrame', () => {
  it('serialises a frame within the limit', () => {
    expect(encodeFrame({ type: 'T', text: 'hi' })).toBe('{"type":"T","text":"hi"}');
  });

  it('accepts a frame of exactly 32 KB and refuses one byte more', () => {
    expect(utf8ByteLength(encodeFrame(frameOfBytes(LIMITS.MAX_FRAME_BYTES)))).toBe(32 * 1024);
    expect(() => encodeFrame(frameOfBytes(LIMITS.MAX_FRAME_BYTES + 1))).toThrow(FrameTooLargeError);
  });

  it('counts UTF-8 bytes, not characters', () => {
    // 12 000 characters, but 36 000 bytes: over the limit.
    const frame = { type: 'T', text: '€'.repeat(12_000) };
    expect(JSON.stringify(frame).length).toBeLessThan(LIMITS.MAX_FRAME_BYTES);
    expect(() => encodeFrame(frame)).toThrow(FrameTooLargeError);
  });

  it('says how large the frame is, what the limit is, and that it was not sent', () => {
    let caught: unknown;
    try {
      encodeFrame({ type: 'T', text: 'x'.repeat(40_000) });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FrameTooLargeError);
    const error = caught as FrameTooLargeError;
    expect(error.code).toBe('frame_too_large');
    expect(error.maxBytes).toBe(32 * 1024);
    expect(error.sizeBytes).toBe(40_000 + JSON.stringify({ type: 'T', text: '' }).length);
    expect(error.message).toMatch(/over the 32768-byte WebSocket frame limit; it was not sent/);
  });

  it('takes another limit', () => {
    expect(() => encodeFrame({ text: 'x'.repeat(100) }, 50)).toThrow(FrameTooLargeError);
  });
});
