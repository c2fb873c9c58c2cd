import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpLambda = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** Serves a static file for a path, or undefined to pass the request on. */
export type StaticFiles = (path: string) => Promise<{ contentType: string; body: Buffer } | undefined>;

export interface HttpApiServerOptions {
  handler: HttpLambda;
  host?: string;
  /** @default 0 = a free port */
  port?: number;
  /** The chat page and its script, served on GET before the API routes. */
  staticFiles?: StaticFiles;
  log?: (line: string) => void;
}

export interface HttpApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Largest request body read into memory; the handler refuses anything over its own limit with 413. */
const MAX_READ_BYTES = 1024 * 1024;

/** CORS as the deployed HTTP API configures it, so browser clients on other origins work locally too. */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET,POST,OPTIONS',
  'access-control-allow-headers': 'authorization,content-type',
  'access-control-max-age': '600',
};

/** A local stand-in for an API Gateway HTTP API: each request becomes a payload v2 event. */
export async function startHttpApiServer(options: HttpApiServerOptions): Promise<HttpApiServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      options.log?.(`http: ${request.method} ${request.url} failed: ${String(error)}`);
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json', ...CORS_HEADERS });
      response.end(JSON.stringify({ error: { code: 'internal_error', message: 'internal error' } }));
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? host}`);
    const method = request.method ?? 'GET';
    if (method === 'OPTIONS') {
      response.writeHead(204, CORS_HEADERS);
      response.end();
      return;
    }
    if (method === 'GET' && options.staticFiles) {
      const file = await options.staticFiles(url.pathname);
      if (file) {
        response.writeHead(200, { 'content-type': file.contentType, 'cache-control': 'no-store' });
        response.end(file.body);
        return;
      }
    }
    const body = await readBody(request);
    const started = Date.now();
    const result = await options.handler(toEvent(request, url, body));
    const status = result.statusCode ?? 200;
    response.writeHead(status, { ...stringHeaders(result.headers), ...CORS_HEADERS });
    response.end(result.body ?? '');
    options.log?.(`http: ${method} ${url.pathname} -> ${status} (${Date.now() - started} ms)`);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep reading past the cap without storing, so the handler can answer 413 cleanly.
      if (size <= MAX_READ_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function toEvent(request: IncomingMessage, url: URL, body: Buffer): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, name) => {
    query[name] = query[name] === undefined ? value : `${query[name]},${value}`;
  });
  const now = new Date();
  const method = request.method ?? 'GET';
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (body.length > 0) event.body = body.toString('utf8');
  return event;
}

function stringHeaders(headers: APIGatewayProxyStructuredResultV2['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name] = String(value);
  return out;
}
