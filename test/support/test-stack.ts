import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotsConfig } from '../../lambdas/core/bots-config';
import type { Logger, LogFields } from '../../lambdas/core/ports';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack';
import { uniquePrefix } from './isolation';

export interface LogLine {
  level: string;
  message: string;
  fields?: LogFields;
}

/** A logger that keeps lines for assertions and prints them only with DEBUG_TEST_LOGS=1. */
export function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const record = (level: string) => (message: string, fields?: LogFields) => {
    lines.push({ level, message, ...(fields ? { fields } : {}) });
    if (process.env.DEBUG_TEST_LOGS) process.stderr.write(`${level} ${message} ${JSON.stringify(fields ?? {})}\n`);
  };
  return { lines, debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
}

/** Receives the invitations `websocket` bots get (SPEC 4.1), on a real HTTP server. */
export interface InvitationInbox {
  url: string;
  invitations: Array<{ path: string; body: Record<string, string> }>;
  close(): Promise<void>;
}

export async function startInvitationInbox(status = 200): Promise<InvitationInbox> {
  const invitations: InvitationInbox['invitations'] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      invitations.push({ path: request.url ?? '/', body: JSON.parse(Buffer.concat(chunks).toString() || '{}') });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invitations,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface TestStack extends LocalStack {
  log: Logger & { lines: LogLine[] };
  inbox: InvitationInbox;
}

/** A whole local stack on the run's shared DynamoDB Local and SQS server, isolated by prefix. */
export async function startTestStack(
  label: string,
  bots: BotsConfig,
  overrides: Partial<LocalStackOptions> = {},
): Promise<TestStack> {
  const dynamoDbEndpoint = process.env.TEST_DYNAMODB_ENDPOINT;
  const sqsEndpoint = process.env.TEST_SQS_ENDPOINT;
  if (!dynamoDbEndpoint || !sqsEndpoint) throw new Error('run through jest: the global setup starts DynamoDB Local and SQS');
  const log = recordingLogger();
  const inbox = await startInvitationInbox();
  const stack = await startLocalStack({
    dynamoDbEndpoint,
    sqsEndpoint,
    prefix: uniquePrefix(label),
    bots,
    log,
    resolveInviteUrl: (url) => url.replace(/^local:\/\/[^/]+/, inbox.url),
    ...overrides,
  });
  return {
    ...stack,
    log,
    inbox,
    async stop() {
      await stack.stop();
      await inbox.close();
    },
  };
}

/** Bots most end-to-end tests use: a manager, a websocket bot, a queue bot and a required websocket bot. */
export const TEST_BOTS: BotsConfig = {
  manager: 'Manager',
  bots: [
    { name: 'Manager', delivery: 'queue' },
    { name: 'Helper', delivery: 'websocket', invite_url: 'local://bots/invite/Helper' },
    { name: 'Calc', delivery: 'queue' },
    { name: 'Keeper', delivery: 'websocket', invite_url: 'local://bots/invite/Keeper', required: true },
  ],
};

export const NO_MANAGER_BOTS: BotsConfig = {
  manager: null,
  bots: [
    { name: 'Helper', delivery: 'websocket', invite_url: 'local://bots/invite/Helper' },
    { name: 'Calc', delivery: 'queue' },
  ],
};

export async function httpJson(
  stack: { http: { url: string } },
  method: string,
  path: string,
  options: { body?: unknown; token?: string; rawBody?: string } = {},
): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(`${stack.http.url}${path}`, {
    method,
    headers,
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
