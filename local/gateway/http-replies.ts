import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { newGatewayId } from './ids';

/** Error names the AWS SDK maps to exception classes through the `x-amzn-ErrorType` header. */
export const ErrorType = {
  BAD_REQUEST: 'BadRequestException',
  FORBIDDEN: 'ForbiddenException',
  GONE: 'GoneException',
  LIMIT_EXCEEDED: 'LimitExceededException',
  PAYLOAD_TOO_LARGE: 'PayloadTooLargeException',
} as const;

export type ErrorTypeName = (typeof ErrorType)[keyof typeof ErrorType];

export const FORBIDDEN_BODY = JSON.stringify({ message: 'Forbidden' });

/** A JSON (or empty) reply with the request id header every API Gateway response carries. */
export function sendJson(
  response: ServerResponse,
  statusCode: number,
  body?: unknown,
  headers: Record<string, string> = {},
): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(statusCode, {
    'x-amzn-RequestId': newGatewayId(),
    ...(text ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } : {}),
    ...(!text && statusCode !== 204 ? { 'Content-Length': 0 } : {}),
    ...headers,
  });
  response.end(text);
}

/** An error the AWS SDK v3 recognises: `x-amzn-ErrorType` header plus `{"message": …}`. */
export function sendError(response: ServerResponse, statusCode: number, errorType: ErrorTypeName, message: string): void {
  sendJson(response, statusCode, { message }, { 'x-amzn-ErrorType': errorType });
}

/** Refuses an upgrade request on the raw socket (there is no ServerResponse for upgrades), then closes it. */
export function refuseUpgrade(socket: Duplex, statusCode: number, body: string, headers: Record<string, string> = {}): void {
  const head = [
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode] ?? ''}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.once('finish', () => socket.destroy());
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}
