/**
 * The part of the standard WebSocket API the client uses. The browser's `WebSocket` and the `ws`
 * package's both fit, so the same client runs in browsers and in Node.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  // `never` parameters: any handler fits (the DOM's and `ws`'s event types differ); the client reads
  // only `data`, `code`, `reason` and `message` from them.
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, `import WebSocket from 'ws'` in Node. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** `WebSocket.OPEN` (the constant is not on every implementation's instances). */
export const WEBSOCKET_OPEN = 1;

/** Fields of the events the client reads, whatever the implementation. */
export interface MessageEventLike {
  data: unknown;
}
export interface CloseEventLike {
  code?: number;
  reason?: string | { toString(): string };
}
export interface ErrorEventLike {
  message?: string;
  error?: unknown;
}

const utf8 = new TextDecoder();

/** A text frame's content: a string in browsers and `ws`'s event API; bytes from some adapters. */
export function frameText(data: unknown): string | undefined {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return utf8.decode(new Uint8Array(data));
  if (ArrayBuffer.isView(data)) return utf8.decode(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  return undefined;
}

/** `url` with `token` set as its `token` query parameter (SPEC 2: `wss://<endpoint>?token=…`). */
export function urlWithToken(url: string, token: string): string {
  const target = new URL(url);
  target.searchParams.set('token', token);
  return target.toString();
}
