import { randomBytes, randomInt } from 'node:crypto';

/** 11 random bytes are 16 base64 characters ending in one `=`, the look of real ids (`R1kmxc2VNjMCFIA=`). */
const GATEWAY_ID_BYTES = 11;
const API_ID_LENGTH = 10;
const API_ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const TRACE_ID_RANDOM_BYTES = 12;

/**
 * A connectionId, requestId or messageId. Real ids are opaque; ours avoid `+` and `/` so that a
 * hand-built `@connections/{id}` URL works without encoding, while `=` still has to be (as on AWS).
 */
export function newGatewayId(): string {
  for (;;) {
    const id = randomBytes(GATEWAY_ID_BYTES).toString('base64');
    if (!id.includes('+') && !id.includes('/')) return id;
  }
}

/** An api id like `gy415nuibc`. */
export function newApiId(): string {
  let id = '';
  for (let i = 0; i < API_ID_LENGTH; i++) id += API_ID_ALPHABET[randomInt(API_ID_ALPHABET.length)];
  return id;
}

/** An X-Ray trace header value: `Root=1-<epoch seconds, hex>-<24 hex>`. */
export function newTraceId(nowMs: number): string {
  const seconds = Math.floor(nowMs / 1000).toString(16).padStart(8, '0');
  return `Root=1-${seconds}-${randomBytes(TRACE_ID_RANDOM_BYTES).toString('hex')}`;
}
