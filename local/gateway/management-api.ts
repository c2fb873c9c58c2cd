import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GatewayConnection } from './connection';
import { CloseCode, CloseReason } from './close-codes';
import { ErrorType, sendError, sendJson } from './http-replies';

/**
 * The `@connections` management API (service model: boto/botocore apigatewaymanagementapi 2018-11-29),
 * served on the gateway's own port under the stage, so the real `ApiGatewayManagementApiClient` works with
 * `endpoint: http://host:port/{stage}`. SigV4 signatures are accepted without being checked.
 */

export interface ManagementApiOptions {
  /** The live connection with this (decoded) id, if any. */
  lookup(connectionId: string): GatewayConnection | undefined;
  maxPostBytes: number;
  maxBufferedBytes: number;
  log(line: string): void;
}

const GONE_MESSAGE = 'Gone';

export async function handleConnectionRequest(
  request: IncomingMessage,
  response: ServerResponse,
  rawId: string,
  options: ManagementApiOptions,
): Promise<void> {
  let connectionId: string;
  try {
    // Exactly once: a double-encoded id (`%253D`) must not find the connection.
    connectionId = decodeURIComponent(rawId);
  } catch {
    request.resume();
    sendError(response, 400, ErrorType.BAD_REQUEST, 'Invalid connection id');
    return;
  }
  const label = `${request.method} @connections/${connectionId}`;
  switch (request.method) {
    case 'POST':
      return postToConnection(request, response, connectionId, label, options);
    case 'GET':
      request.resume();
      return getConnection(response, connectionId, label, options);
    case 'DELETE':
      request.resume();
      return deleteConnection(response, connectionId, label, options);
    default:
      request.resume();
      options.log(`${label} -> 403`);
      sendError(response, 403, ErrorType.FORBIDDEN, 'Forbidden');
  }
}

async function postToConnection(
  request: IncomingMessage,
  response: ServerResponse,
  connectionId: string,
  label: string,
  options: ManagementApiOptions,
): Promise<void> {
  const body = await readBody(request, options.maxPostBytes);
  if (body === 'too-large') {
    options.log(`${label} -> 413`);
    sendError(response, 413, ErrorType.PAYLOAD_TOO_LARGE, `Data exceeds ${options.maxPostBytes} bytes`);
    return;
  }
  const connection = openConnection(connectionId, options);
  if (!connection) return gone(response, label, options);
  if (connection.bufferedAmount > options.maxBufferedBytes) {
    options.log(`${label} -> 429 (${connection.bufferedAmount} bytes waiting for the client)`);
    sendError(response, 429, ErrorType.LIMIT_EXCEEDED, 'Limit Exceeded');
    return;
  }
  // One text frame, queued in call order; 200 means accepted, as on AWS, not read by the client.
  connection.send(body);
  options.log(`${label} -> 200 (${body.length} bytes)`);
  sendJson(response, 200);
}

function getConnection(
  response: ServerResponse,
  connectionId: string,
  label: string,
  options: ManagementApiOptions,
): void {
  const connection = openConnection(connectionId, options);
  if (!connection) return gone(response, label, options);
  const { identity } = connection.info;
  options.log(`${label} -> 200`);
  sendJson(response, 200, {
    connectedAt: new Date(connection.connectedAt).toISOString(),
    identity: { sourceIp: identity.sourceIp, userAgent: identity.userAgent ?? '' },
    lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
  });
}

function deleteConnection(
  response: ServerResponse,
  connectionId: string,
  label: string,
  options: ManagementApiOptions,
): void {
  const connection = openConnection(connectionId, options);
  if (!connection) return gone(response, label, options);
  // The caller cannot choose the code or reason on AWS.
  connection.close(CloseCode.NORMAL, CloseReason.DELETED);
  options.log(`${label} -> 204`);
  sendJson(response, 204);
}

function openConnection(connectionId: string, options: ManagementApiOptions): GatewayConnection | undefined {
  const connection = options.lookup(connectionId);
  return connection?.isOpen ? connection : undefined;
}

function gone(response: ServerResponse, label: string, options: ManagementApiOptions): void {
  options.log(`${label} -> 410`);
  sendError(response, 410, ErrorType.GONE, GONE_MESSAGE);
}

/** The whole body, or `too-large` once it passes `maxBytes` (the rest is drained, so the reply still arrives). */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    request.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes <= maxBytes) chunks.push(chunk);
    });
    request.on('end', () => resolve(bytes > maxBytes ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
