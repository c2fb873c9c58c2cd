import { setTimeout as delay } from 'node:timers/promises';
import type { GatewayConnection } from './connection';
import { newGatewayId } from './ids';
import { buildMessageEvent, type ApiInfo, type WebSocketProxyEvent } from './lambda-events';
import { describeError, invokeLambda, type LambdaContextLike } from './lambda-invocation';
import { selectRoute, type RouteSelectionEvaluator, type RouteTable } from './route-selection';

export type RouteHandler = (event: WebSocketProxyEvent, context: LambdaContextLike) => Promise<unknown>;

export interface MessageDispatchOptions {
  api: ApiInfo;
  routeTable: RouteTable;
  /** Route key (custom keys and `$default`) → handler. */
  handlerFor(routeKey: string): RouteHandler | undefined;
  evaluate: RouteSelectionEvaluator;
  /** Route keys with a `$default` route response: only their Lambda `body` goes back to the client. */
  routeResponses: ReadonlySet<string>;
  integrationTimeoutMs: number;
  invocationJitterMs: number;
  functionNameFor(routeKey: string): string;
  signal: AbortSignal;
  log(line: string): void;
}

/**
 * API Gateway's error frames, byte for byte as clients see them (simple-websockets-chat-app issue #24,
 * aws/chalice issue #1406): note the space after the first colon only.
 */
export function gatewayErrorFrame(message: string, connectionId: string, requestId: string): string {
  return `{"message": ${JSON.stringify(message)}, "connectionId":${JSON.stringify(connectionId)}, "requestId":${JSON.stringify(requestId)}}`;
}

export const GatewayErrorMessage = {
  NO_ROUTE: 'Forbidden',
  HANDLER_FAILED: 'Internal server error',
  TIMED_OUT: 'Endpoint request timed out',
} as const;

/**
 * Routes one text message and runs its handler. Each call is independent: callers do not await it
 * in order, so handlers for successive frames overlap as separate Lambda invocations do.
 */
export async function dispatchMessage(
  connection: GatewayConnection,
  body: string,
  options: MessageDispatchOptions,
): Promise<void> {
  const requestId = newGatewayId();
  const routeKey = selectRoute(body, options.evaluate, options.routeTable);
  const handler = routeKey === undefined ? undefined : options.handlerFor(routeKey);
  if (routeKey === undefined || !handler) {
    options.log(`MESSAGE ${connection.id} -> no route`);
    connection.sendIfOpen(gatewayErrorFrame(GatewayErrorMessage.NO_ROUTE, connection.id, requestId));
    return;
  }
  if (options.invocationJitterMs > 0) {
    try {
      await delay(Math.random() * options.invocationJitterMs, undefined, { signal: options.signal });
    } catch {
      return; // the gateway is shutting down
    }
  }

  const event = buildMessageEvent(options.api, connection.info, routeKey, body, {
    messageId: newGatewayId(),
    requestId,
  });
  const outcome = await invokeLambda(handler, event, {
    functionName: options.functionNameFor(routeKey),
    timeoutMs: options.integrationTimeoutMs,
    signal: options.signal,
  });
  switch (outcome.status) {
    case 'returned': {
      options.log(`MESSAGE ${connection.id} ${routeKey} -> ok`);
      const reply = options.routeResponses.has(routeKey) ? responseBody(outcome.value) : undefined;
      if (reply !== undefined) connection.sendIfOpen(reply);
      return;
    }
    case 'threw':
      options.log(`MESSAGE ${connection.id} ${routeKey} -> handler threw ${describeError(outcome.error)}`);
      connection.sendIfOpen(gatewayErrorFrame(GatewayErrorMessage.HANDLER_FAILED, connection.id, requestId));
      return;
    case 'timed-out':
      options.log(`MESSAGE ${connection.id} ${routeKey} -> timed out after ${options.integrationTimeoutMs} ms`);
      connection.sendIfOpen(gatewayErrorFrame(GatewayErrorMessage.TIMED_OUT, connection.id, requestId));
      return;
    case 'aborted':
      return;
  }
}

/** The `body` of a Lambda proxy result; anything else has nothing to send back. */
function responseBody(result: unknown): string | undefined {
  if (result === null || typeof result !== 'object') return undefined;
  const { body } = result as { body?: unknown };
  return typeof body === 'string' ? body : undefined;
}
