import { FrameTooLargeError } from './errors';
import { LIMITS } from './protocol';

const utf8 = new TextEncoder();

/** Size of `text` once encoded as UTF-8, as API Gateway counts a text frame. */
export function utf8ByteLength(text: string): number {
  return utf8.encode(text).byteLength;
}

/**
 * Serialises a client frame and checks it against the WebSocket frame limit. A larger frame never
 * reaches a Lambda: API Gateway closes the connection with 1009 (SPEC 3), so it is refused here.
 *
 * @param maxBytes @default LIMITS.MAX_FRAME_BYTES (32 KB)
 * @throws FrameTooLargeError
 * @example
 * socket.send(encodeFrame({ type: 'T', text: 'hi', local_id: generateLocalId() }));
 */
export function encodeFrame(frame: object, maxBytes: number = LIMITS.MAX_FRAME_BYTES): string {
  const text = JSON.stringify(frame);
  // A UTF-8 character takes at most 3 bytes per UTF-16 code unit: skip encoding when it cannot be too large.
  if (text.length * 3 <= maxBytes) return text;
  const size = utf8ByteLength(text);
  if (size > maxBytes) throw new FrameTooLargeError(size, maxBytes);
  return text;
}
