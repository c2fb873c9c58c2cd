import { ArnFormat, Stack } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
  type IWebSocketRouteAuthorizer,
  type ThrottleSettings,
  type WebSocketRoute,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLER_LOG_RETENTION } from './handler-function';

export const WEBSOCKET_STAGE_NAME = 'prod';
/** Control frames carry `action` (`sync`, `ping`); every frame still lands on `$default`. */
export const ROUTE_SELECTION_EXPRESSION = '$request.body.action';
/** The only routes the API has (SPEC 5). */
export const WEBSOCKET_ROUTE_KEYS = ['$connect', '$disconnect', '$default'] as const;
export type WebSocketRouteKey = (typeof WEBSOCKET_ROUTE_KEYS)[number];

/** Requests per second over all connections: a guard against a runaway client, far below the account quota. */
export const DEFAULT_WEBSOCKET_THROTTLE: ThrottleSettings = { rateLimit: 500, burstLimit: 1000 };

export interface ConversationWebSocketApiProps {
  /** @default 'prod' */
  readonly stageName?: string;
  /** @default DEFAULT_WEBSOCKET_THROTTLE (500 requests/s, burst 1000) */
  readonly throttle?: ThrottleSettings;
}

/**
 * The WebSocket API clients and `websocket` bots connect to: `$connect`, `$disconnect` and
 * `$default` Lambda routes on one auto-deployed stage with access logs and throttling.
 * Routes are added with `addLambdaRoute` once their functions exist, because those functions
 * need this API's URLs first.
 */
export class ConversationWebSocketApi extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly accessLogGroup: logs.LogGroup;
  readonly routes = new Map<WebSocketRouteKey, WebSocketRoute>();

  constructor(scope: Construct, id: string, props: ConversationWebSocketApiProps = {}) {
    super(scope, id);
    this.api = new WebSocketApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-conversations`,
      description: 'Live conversations between people and bots (SPEC 2)',
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: HANDLER_LOG_RETENTION });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName ?? WEBSOCKET_STAGE_NAME,
      autoDeploy: true,
      throttle: props.throttle ?? DEFAULT_WEBSOCKET_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            ip: AccessLogField.contextIdentitySourceIp(),
            requestTime: AccessLogField.contextRequestTime(),
            eventType: AccessLogField.contextEventType(),
            routeKey: AccessLogField.contextRouteKey(),
            status: AccessLogField.contextStatus(),
            connectionId: AccessLogField.contextConnectionId(),
          }),
        ),
      },
    });
  }

  /** `wss://{api-id}.execute-api.{region}.amazonaws.com/{stage}`: clients append `?token=`. */
  get url(): string {
    return this.stage.url;
  }

  /** `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}`: the `@connections` management API. */
  get managementApiEndpoint(): string {
    return this.stage.callbackUrl;
  }

  /** This API's stage, `POST /@connections/{id}` for any connection id: what `PostToConnection` calls. */
  get postToConnectionsArn(): string {
    return Stack.of(this).formatArn({
      service: 'execute-api',
      resource: this.api.apiId,
      resourceName: `${this.stage.stageName}/POST/@connections/*`,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }

  /** `authorizer` only on `$connect`: API Gateway authorizes WebSocket connections there, once. */
  addLambdaRoute(routeKey: WebSocketRouteKey, handler: lambda.IFunction, authorizer?: IWebSocketRouteAuthorizer): WebSocketRoute {
    if (this.routes.has(routeKey)) throw new Error(`route ${routeKey} is already integrated`);
    if (authorizer && routeKey !== '$connect') throw new Error(`API Gateway runs authorizers only on $connect, not ${routeKey}`);
    const integrationId = `${routeKey.replace('$', '')}Integration`;
    const route = this.api.addRoute(routeKey, {
      integration: new WebSocketLambdaIntegration(integrationId, handler),
      ...(authorizer ? { authorizer } : {}),
    });
    this.routes.set(routeKey, route);
    return route;
  }

  /**
   * `execute-api:ManageConnections` for `PostToConnection` only. Narrower than
   * `stage.grantManagementApiAccess`, which also allows GET (read a connection) and DELETE
   * (close it); no handler does either.
   */
  grantPostToConnections(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:ManageConnections'],
      resourceArns: [this.postToConnectionsArn],
    });
  }
}
