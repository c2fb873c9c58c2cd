import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';

/** The hold's name in the client's middleware stack (the benchmark times posts from it). */
export const POST_HOLD_MIDDLEWARE = 'postHold';

/** Held posts, by their command input: what each waits for before its HTTP request leaves. */
const releases = new WeakMap<object, Promise<void>>();

type Middleware = Parameters<ApiGatewayManagementApiClient['middlewareStack']['addRelativeTo']>[0];
type FinalizeArgs = { input: object };

const holdMiddleware = ((next: (args: FinalizeArgs) => Promise<unknown>) => async (args: FinalizeArgs) => {
  const release = releases.get(args.input);
  if (release) await release;
  return next(args);
}) as Middleware;

/**
 * Holds the post whose command input is `input` just before its HTTP request, once it is
 * serialized and signed, until `release` settles: a fan-out made ready while the commit it
 * depends on is in flight then costs only the sending when the commit lands. A rejected
 * `release` fails the post with that reason and sends nothing.
 */
export function holdPost(input: object, release: Promise<void>): void {
  releases.set(input, release);
}

/**
 * Puts the hold into `client`'s middleware stack, right after SigV4 signing, once per client.
 * It must be there before the client's first post: with `cacheMiddleware` the client keeps the
 * stack it resolved first.
 */
export function installPostHold(client: ApiGatewayManagementApiClient): void {
  if (hasPostHold(client)) return;
  client.middlewareStack.addRelativeTo(holdMiddleware, {
    relation: 'after',
    toMiddleware: 'httpSigningMiddleware',
    name: POST_HOLD_MIDDLEWARE,
  });
}

export function hasPostHold(client: ApiGatewayManagementApiClient): boolean {
  return client.middlewareStack.identify().some((entry) => entry.startsWith(`${POST_HOLD_MIDDLEWARE} `));
}
