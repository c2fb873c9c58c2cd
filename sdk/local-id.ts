import { LIMITS } from './protocol';

/** Random bytes in a generated `local_id`: 16 bytes (128 bits) make 22 base64url characters. */
const LOCAL_ID_RANDOM_BYTES = 16;

/**
 * A fresh `local_id`: 22 base64url characters from 128 random bits, well under the 32-character
 * limit. Uses Web Crypto, present in browsers and in Node 20 as `globalThis.crypto`.
 *
 * @example
 * const frame = { type: 'T', text: 'hi', local_id: generateLocalId() };
 */
export function generateLocalId(): string {
  const bytes = new Uint8Array(LOCAL_ID_RANDOM_BYTES);
  globalThis.crypto.getRandomValues(bytes);
  return base64url(bytes);
}

/**
 * True when `value` is a `local_id` the server accepts: a non-empty string of at most 32
 * characters, counted in code points as the server counts them (an emoji is one).
 */
export function isValidLocalId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0) return false;
  return value.length <= LIMITS.MAX_LOCAL_ID_CHARS || [...value].length <= LIMITS.MAX_LOCAL_ID_CHARS;
}

/** base64url without padding (RFC 4648 section 5), with no dependency on `Buffer` or `btoa`. */
export function base64url(bytes: Uint8Array): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let out = '';
  let index = 0;
  for (; index + 2 < bytes.length; index += 3) {
    const chunk = (bytes[index]! << 16) | (bytes[index + 1]! << 8) | bytes[index + 2]!;
    out += alphabet[chunk >> 18]! + alphabet[(chunk >> 12) & 63]! + alphabet[(chunk >> 6) & 63]! + alphabet[chunk & 63]!;
  }
  const rest = bytes.length - index;
  if (rest === 1) {
    const chunk = bytes[index]! << 16;
    out += alphabet[chunk >> 18]! + alphabet[(chunk >> 12) & 63]!;
  } else if (rest === 2) {
    const chunk = (bytes[index]! << 16) | (bytes[index + 1]! << 8);
    out += alphabet[chunk >> 18]! + alphabet[(chunk >> 12) & 63]! + alphabet[(chunk >> 6) & 63]!;
  }
  return out;
}
