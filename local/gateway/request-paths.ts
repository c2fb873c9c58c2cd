/** What a request path on the gateway's port addresses. Only the stage and `@connections/{id}` exist. */
export type RequestTarget =
  | { kind: 'stage' }
  /** `rawId` is still URL-encoded: it must be decoded exactly once. */
  | { kind: 'connection'; rawId: string }
  | { kind: 'unknown' };

/** `@` may arrive percent-encoded, as in the awscurl example of DG apigateway-how-to-call-websocket-api-connections. */
const CONNECTIONS_SEGMENTS = new Set(['@connections', '%40connections']);

export function classifyRequestPath(url: string | undefined, stage: string): RequestTarget {
  const rawPath = (url ?? '/').split('?', 1)[0]!;
  const segments = rawPath.split('/').slice(1);
  if (segments[0] !== stage) return { kind: 'unknown' };
  if (segments.length === 1 || (segments.length === 2 && segments[1] === '')) return { kind: 'stage' };
  if (segments.length === 3 && CONNECTIONS_SEGMENTS.has(segments[1]!) && segments[2] !== '') {
    return { kind: 'connection', rawId: segments[2]! };
  }
  return { kind: 'unknown' };
}
