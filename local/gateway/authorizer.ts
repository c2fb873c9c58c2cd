import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { InvocationOutcome, LambdaContextLike } from './lambda-invocation';
import type { ApiInfo, AuthorizerContext, WebSocketRequestContext } from './lambda-events';

/**
 * Lambda `REQUEST` authorizers on `$connect` (DG apigateway-websocket-api-lambda-auth,
 * api-gateway-lambda-authorizer-output): a throw or `"Unauthorized"` gives 401, a Deny (or no Allow, or no
 * principalId) gives 403, an Allow admits the connection and its `{principalId, ...context}` is attached to
 * every later event of that connection. Results are not cached across connections here.
 */

const LOCAL_REGION = 'us-east-1';
const LOCAL_ACCOUNT_ID = '123456789012';
const INVOKE_ACTION = 'execute-api:invoke';

export interface WebSocketAuthorizerEvent {
  type: 'REQUEST';
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/$connect` */
  methodArn: string;
  /** Includes `Connection`, `Upgrade` and `content-length: 0`, unlike the `$connect` event. */
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters?: Record<string, string>;
  multiValueQueryStringParameters?: Record<string, string[]>;
  stageVariables: Record<string, string>;
  requestContext: WebSocketRequestContext;
}

/** What an authorizer may return; anything else (or a throw) is a refusal. */
export type WebSocketAuthorizerResult = APIGatewayAuthorizerResult | 'Unauthorized';

export type WebSocketAuthorizerHandler = (
  event: WebSocketAuthorizerEvent,
  context: LambdaContextLike,
) => Promise<WebSocketAuthorizerResult>;

export type AuthorizerDecision =
  | { allowed: true; authorizer: AuthorizerContext }
  | { allowed: false; statusCode: 401 | 403 | 500; message: string; detail: string };

export function methodArnFor(api: ApiInfo): string {
  return `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${api.apiId}/${api.stage}/$connect`;
}

const UNAUTHORIZED = { allowed: false, statusCode: 401, message: 'Unauthorized' } as const;
const FORBIDDEN = { allowed: false, statusCode: 403, message: 'Forbidden' } as const;

/** Turns the authorizer's invocation outcome into admit / refuse-with-status. */
export function decideAuthorization(outcome: InvocationOutcome<unknown>, methodArn: string): AuthorizerDecision {
  if (outcome.status === 'threw') return { ...UNAUTHORIZED, detail: 'authorizer threw' };
  if (outcome.status === 'timed-out') return { ...UNAUTHORIZED, detail: 'authorizer timed out' };
  if (outcome.status === 'aborted') return { ...UNAUTHORIZED, detail: 'gateway closing' };
  const result = outcome.value;
  if (result === 'Unauthorized') return { ...UNAUTHORIZED, detail: 'authorizer returned "Unauthorized"' };
  if (result === null || typeof result !== 'object') {
    return { allowed: false, statusCode: 500, message: 'Internal server error', detail: 'malformed authorizer result' };
  }
  const { principalId, policyDocument, context } = result as Partial<APIGatewayAuthorizerResult>;
  if (typeof principalId !== 'string' || principalId === '') return { ...FORBIDDEN, detail: 'no principalId' };
  const effect = policyEffect(policyDocument, methodArn);
  if (effect !== 'Allow') return { ...FORBIDDEN, detail: effect === 'Deny' ? 'policy denies' : 'policy does not allow' };
  const values = stringifyContext(context);
  if (values === undefined) {
    // API Gateway rejects object and array context values as an authorizer configuration error.
    return { allowed: false, statusCode: 500, message: 'Internal server error', detail: 'context values must be scalars' };
  }
  return { allowed: true, authorizer: { ...values, principalId } };
}

/** An explicit Deny wins over any Allow, as in IAM. */
function policyEffect(policyDocument: unknown, methodArn: string): 'Allow' | 'Deny' | undefined {
  const statements = (policyDocument as { Statement?: unknown } | undefined)?.Statement;
  if (!Array.isArray(statements)) return undefined;
  let allowed = false;
  for (const statement of statements as Array<Record<string, unknown>>) {
    const actions = toList(statement.Action);
    const resources = toList(statement.Resource);
    const matches =
      actions.some((action) => globMatches(action.toLowerCase(), INVOKE_ACTION)) &&
      resources.some((resource) => globMatches(resource, methodArn));
    if (!matches) continue;
    if (statement.Effect === 'Deny') return 'Deny';
    if (statement.Effect === 'Allow') allowed = true;
  }
  return allowed ? 'Allow' : undefined;
}

function toList(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** IAM wildcards: `*` any run of characters, `?` exactly one. */
function globMatches(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

/** Numbers and booleans reach the backend as strings (`1` → `"1"`, `true` → `"true"`). */
function stringifyContext(context: unknown): Record<string, string> | undefined {
  if (context === undefined || context === null) return {};
  if (typeof context !== 'object') return undefined;
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'object') return undefined;
    values[key] = String(value);
  }
  return values;
}

/** One `route.request.header.<Name>` or `route.request.querystring.<name>` identity source. */
export interface IdentitySource {
  kind: 'header' | 'querystring';
  name: string;
}

const IDENTITY_SOURCE = /^route\.request\.(header|querystring)\.(.+)$/;

/** Parses identity sources at start; `stageVariables.*` and `context.*` are accepted but not checked. */
export function parseIdentitySources(sources: readonly string[]): IdentitySource[] {
  const parsed: IdentitySource[] = [];
  for (const source of sources) {
    const match = IDENTITY_SOURCE.exec(source);
    if (match) parsed.push({ kind: match[1] as IdentitySource['kind'], name: match[2]! });
    else if (!/^(stageVariables|context)\.[^.]+/.test(source)) throw new Error(`unsupported identity source ${source}`);
  }
  return parsed;
}

/**
 * The first identity source missing from the request, if any. REST APIs then answer 401 without
 * invoking the authorizer; the same is assumed for WebSocket APIs (unconfirmed).
 */
export function missingIdentitySource(
  sources: readonly IdentitySource[],
  headers: Record<string, string>,
  query: Record<string, string> | undefined,
): IdentitySource | undefined {
  return sources.find((source) => {
    if (source.kind === 'querystring') return !query?.[source.name];
    const lower = source.name.toLowerCase();
    return !Object.entries(headers).some(([name, value]) => name.toLowerCase() === lower && value !== '');
  });
}
