import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { ConversationsStack } from './conversations-stack';
import { WEBSOCKET_ROUTE_KEYS, type WebSocketRouteKey } from './websocket-api';

/**
 * The cdk-nag (AwsSolutions) findings this design accepts, each on the one construct it concerns
 * and, for IAM5, on the one wildcard resource it names. cdk-nag 3 reads CDK's own
 * acknowledgements (`Validations.of(construct).acknowledge`), matched by exact finding id.
 */

/** AwsSolutions-L1: the runtime is pinned on purpose. */
export const RUNTIME_REASON =
  'The project pins nodejs22.x (SPEC; esbuild targets node22 and the handlers are tested on that line). ' +
  'It is a supported Lambda runtime; moving to nodejs24.x is a deliberate upgrade, not a drift.';

/** AwsSolutions-IAM5[Resource::*] on handler roles: added by `tracing: ACTIVE`, and only that. */
export const XRAY_REASON =
  'X-Ray tracing (xray:PutTraceSegments, xray:PutTelemetryRecords) does not support resource-level permissions; ' +
  'this is the only statement with Resource "*" (the infra tests assert no dynamodb or sqs action has one).';

/** AwsSolutions-IAM5 on the `@connections/*` resource. */
export const POST_TO_CONNECTIONS_REASON =
  'Connection ids exist only at run time. The resource is already this API, this stage and POST only ' +
  '(PostToConnection); GET and DELETE on connections are not granted.';

/** AwsSolutions-IAM5 on the account-level API Gateway logging role. */
export const API_GATEWAY_LOGGING_REASON =
  'Account setting shared by every API Gateway API of the account and region: API Gateway creates and writes ' +
  'log groups it names itself, so the role needs every log group of this account and region (narrower than the ' +
  'AWS managed policy AmazonAPIGatewayPushToCloudWatchLogs, which grants "*").';

/**
 * AwsSolutions-APIG4 per WebSocket route. `$connect` has none: its REQUEST authorizer checks the token
 * (and is the only place API Gateway runs authorizers on a WebSocket API).
 */
export const WEBSOCKET_ROUTE_REASONS: Partial<Record<WebSocketRouteKey, string>> = {
  $disconnect:
    'API Gateway authorizes WebSocket APIs only on $connect; $disconnect runs only for a connection the $connect ' +
    'authorizer admitted, and the handler acts on the participant that authorizer established for it.',
  $default:
    'API Gateway authorizes WebSocket APIs only on $connect; frames arrive only on connections the $connect ' +
    'authorizer admitted, and the handler acts as the participant it established (repeated by API Gateway on every ' +
    'frame), never as one named in the frame.',
};

/** AwsSolutions-APIG4 per HTTP route (SPEC 4: compatible with the original REST API). */
export const HTTP_ROUTE_REASONS: Record<string, string> = {
  'GET /bots': 'Public by design: lists the bot names a new conversation may ask for; no conversation data.',
  'GET /limits': 'Public by design: the size limits clients must respect; no conversation data.',
  'POST /conversations':
    'Anonymous creation is the product (SPEC 4): anyone may start a conversation and receives its own participant ' +
    'token; the request is validated by the handler and the stage is throttled.',
  'POST /conversations/{id}/join':
    'Open rooms (SPEC 4): the handler refuses with 403 unless the deployment sets OPEN_ROOMS=true.',
  'GET /conversations/{id}':
    'Authenticated by the handler: "Authorization: Bearer <participant token>" is checked against the stored ' +
    'hash of a participant of that conversation (401/403 otherwise), as in the original API.',
  'GET /conversations/{id}/messages':
    'Authenticated by the handler: "Authorization: Bearer <participant token>" is checked against the stored ' +
    'hash of a participant of that conversation (401/403 otherwise), as in the original API.',
};

export function acknowledgeNagFindings(stack: ConversationsStack): void {
  const postToConnections = postToConnectionsFindingId(stack);
  for (const handler of Object.values(stack.handlers)) {
    acknowledge(handler.fn, 'AwsSolutions-L1', RUNTIME_REASON);
    acknowledge(handler.role, 'AwsSolutions-IAM5[Resource::*]', XRAY_REASON);
  }
  for (const handler of stack.conversationHandlers()) {
    acknowledge(handler.role, postToConnections, POST_TO_CONNECTIONS_REASON);
  }

  for (const routeKey of WEBSOCKET_ROUTE_KEYS) {
    const route = stack.webSocket.routes.get(routeKey);
    const reason = WEBSOCKET_ROUTE_REASONS[routeKey];
    if (route && reason) acknowledge(route, 'AwsSolutions-APIG4', reason);
  }
  for (const [routeKey, route] of stack.httpApi.routes) {
    const reason = HTTP_ROUTE_REASONS[routeKey];
    // A new route must come with its own reason, or cdk-nag reports it.
    if (reason) acknowledge(route, 'AwsSolutions-APIG4', reason);
  }

  if (stack.apiGatewayLoggingRole) {
    acknowledge(
      stack.apiGatewayLoggingRole.role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:*]',
      API_GATEWAY_LOGGING_REASON,
    );
  }
}

function acknowledge(construct: IConstruct, id: string, reason: string): void {
  Validations.of(construct).acknowledge({ id, reason });
}

/** cdk-nag names a token by its logical id, so the finding id spells out this API's logical id. */
function postToConnectionsFindingId(stack: ConversationsStack): string {
  const api = stack.webSocket.api.node.defaultChild as CfnElement;
  const apiLogicalId: string = stack.resolve(Stack.of(api).getLogicalId(api));
  const stage = stack.webSocket.stage.stageName;
  const arn = `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${stage}/POST/@connections/*`;
  return `AwsSolutions-IAM5[Resource::${arn}]`;
}
