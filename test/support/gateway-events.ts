/**
 * A captured API Gateway event (`test/local/gateway/fixtures/`) with its `requestContext` fields
 * replaced by `changes` and top-level fields by `extra` (e.g. `body`), the fixture left untouched.
 */
export function withContext<T extends { requestContext: object }>(fixture: T, changes: Record<string, unknown>, extra: object = {}): T {
  return { ...structuredClone(fixture), ...extra, requestContext: { ...structuredClone(fixture.requestContext), ...changes } };
}
