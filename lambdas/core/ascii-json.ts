/**
 * Text for SQS bodies and attributes. SQS refuses some characters (U+FFFE, U+FFFF, most control
 * characters) and the local SQS server refuses anything outside the Basic Multilingual Plane
 * (emoji). Escaping every non-ASCII UTF-16 unit as `\uXXXX` keeps the JSON valid, lets any text
 * through, and `JSON.parse` gives back exactly the same value.
 */
export function escapeNonAscii(text: string): string {
  return text.replace(/[\u007f-\uffff]/g, (unit) => `\\u${unit.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `JSON.stringify` whose output is pure ASCII (see `escapeNonAscii`). */
export function toAsciiJson(value: unknown): string {
  return escapeNonAscii(JSON.stringify(value));
}
