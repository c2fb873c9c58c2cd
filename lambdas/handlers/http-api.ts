import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ConversationLifecycle } from '../core/conversation-lifecycle';
import { ConversationError, ErrorCode } from '../core/errors';
import type { Logger } from '../core/ports';
import { bearerToken } from '../core/tokens';
import { errorBody, httpStatusFor } from './error-mapping';

/** Bodies larger than this are refused with 413 before parsing. */
export const MAX_HTTP_BODY_BYTES = 16 * 1024;

type Route = (match: RegExpExecArray, event: APIGatewayProxyEventV2) => Promise<{ status: number; body: unknown }>;

const UUID = '([0-9a-fA-F-]{36})';

/**
 * The HTTP API (SPEC 4) as one Lambda behind an API Gateway HTTP API (payload v2). It matches the
 * method and path itself, so the local HTTP server can hand it any request unchanged.
 */
export function httpApiHandler(lifecycle: ConversationLifecycle, log: Logger) {
  const routes: Array<{ method: string; pattern: RegExp; route: Route }> = [
    { method: 'GET', pattern: /^\/bots\/?$/, route: async () => ({ status: 200, body: lifecycle.listBots() }) },
    { method: 'GET', pattern: /^\/limits\/?$/, route: async () => ({ status: 200, body: lifecycle.limits() }) },
    {
      method: 'POST',
      pattern: /^\/conversations\/?$/,
      route: async (_, event) => ({ status: 201, body: await lifecycle.createConversation(parseBody(event)) }),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^/conversations/${UUID}/join/?$`),
      route: async (match, event) => ({ status: 201, body: await lifecycle.join(match[1]!, parseBody(event)) }),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/conversations/${UUID}/?$`),
      route: async (match, event) => ({
        status: 200,
        body: await lifecycle.getConversation(match[1]!, bearerToken(header(event, 'authorization'))),
      }),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^/conversations/${UUID}/messages/?$`),
      route: async (match, event) => ({
        status: 200,
        body: await lifecycle.listMessages(match[1]!, bearerToken(header(event, 'authorization')), {
          ...pick(event.queryStringParameters, ['since', 'until', 'limit', 'after_seq']),
        }),
      }),
    },
  ];

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext?.http?.method ?? 'GET';
    const path = stripStage(event.rawPath ?? '/', event.requestContext?.stage);
    try {
      const candidates = routes.filter((candidate) => candidate.pattern.test(path));
      if (candidates.length === 0) throw new ConversationError(ErrorCode.NOT_FOUND, `no route for ${path}`);
      const matched = candidates.find((candidate) => candidate.method === method);
      if (!matched) {
        return respond(405, { error: { code: 'method_not_allowed', message: `${method} is not allowed on ${path}` } });
      }
      const { status, body } = await matched.route(matched.pattern.exec(path)!, event);
      return respond(status, body);
    } catch (error) {
      if (error instanceof ConversationError) {
        log.info('request refused', { method, path, code: error.code, reason: error.message });
        return { statusCode: httpStatusFor(error.code), headers: JSON_HEADERS, body: errorBody(error.code, error.message) };
      }
      log.error('request failed', { method, path, error: error instanceof Error ? error.stack : String(error) });
      return { statusCode: 500, headers: JSON_HEADERS, body: errorBody(ErrorCode.INTERNAL_ERROR, 'internal error') };
    }
  };
}

const JSON_HEADERS = { 'content-type': 'application/json' };

function respond(status: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode: status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

function parseBody(event: APIGatewayProxyEventV2): unknown {
  const raw = event.body ? (event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body) : '';
  if (Buffer.byteLength(raw, 'utf8') > MAX_HTTP_BODY_BYTES) {
    throw new ConversationError(ErrorCode.BODY_TOO_LARGE, `the body must be at most ${MAX_HTTP_BODY_BYTES} bytes`);
  }
  if (raw.trim() === '') throw new ConversationError(ErrorCode.INVALID_BODY, 'the body must be a JSON object');
  try {
    return JSON.parse(raw);
  } catch {
    throw new ConversationError(ErrorCode.INVALID_BODY, 'the body is not valid JSON');
  }
}

function header(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const headers = event.headers ?? {};
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name);
  return key ? headers[key] : undefined;
}

function pick(source: Record<string, string | undefined> | undefined, names: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = source?.[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/** With a named stage the raw path starts with it (`/prod/bots`); `$default` has none. */
function stripStage(path: string, stage: string | undefined): string {
  if (stage && stage !== '$default' && path.startsWith(`/${stage}/`)) return path.slice(stage.length + 1);
  return path;
}
