/**
 * A local Amazon API Gateway WebSocket API for development and tests: the `$connect`, `$disconnect`,
 * `$default` (and custom route) Lambda handlers run in-process with the event shapes, limits, close codes
 * and error frames of API Gateway, and the `@connections` management API is served over HTTP on the same
 * port, so the real `@aws-sdk/client-apigatewaymanagementapi` client works unchanged.
 * The project reference `reference/apigw-websocket.md` lists the behaviours copied and their sources.
 *
 * Callback endpoint: on AWS handlers often build `https://${requestContext.domainName}/${requestContext.stage}`.
 * Here `domainName` is `127.0.0.1:<port>` and the management API speaks plain HTTP, so pass the endpoint in
 * configuration instead (`gateway.managementEndpoint`, as `local/stack.ts` does), or pick the scheme from
 * configuration (`http` locally, `https` on AWS) when building it from the event.
 */
export {
  startWebSocketGateway,
  type WebSocketGateway,
  type WebSocketGatewayHandlers,
  type WebSocketGatewayOptions,
} from './websocket-gateway';
export type { ConnectHandler, ConnectResult } from './handshake';
export type { RouteHandler } from './message-dispatch';
export type {
  WebSocketAuthorizerEvent,
  WebSocketAuthorizerHandler,
  WebSocketAuthorizerResult,
} from './authorizer';
export type {
  AuthorizerContext,
  WebSocketIdentity,
  WebSocketProxyEvent,
  WebSocketRequestContext,
} from './lambda-events';
export type { LambdaContextLike } from './lambda-invocation';
export { CloseCode, CloseReason } from './close-codes';
export * from './limits';
