import { Duration } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
  type HttpRoute,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { HANDLER_LOG_RETENTION } from './handler-function';

/** The conversation lifecycle API (SPEC 4); one Lambda matches method and path itself. */
export const HTTP_ROUTES = [
  { method: HttpMethod.GET, path: '/bots' },
  { method: HttpMethod.GET, path: '/limits' },
  { method: HttpMethod.POST, path: '/conversations' },
  { method: HttpMethod.POST, path: '/conversations/{id}/join' },
  { method: HttpMethod.GET, path: '/conversations/{id}' },
  { method: HttpMethod.GET, path: '/conversations/{id}/messages' },
] as const;

/** Requests per second: a guard against a runaway client, far below the account quota. */
export const DEFAULT_HTTP_THROTTLE: ThrottleSettings = { rateLimit: 100, burstLimit: 200 };

export interface ConversationHttpApiProps {
  /** The function behind every route (`lambdas/entries/http-api.ts`, payload format 2.0). */
  readonly handler: lambda.IFunction;
  /** @default DEFAULT_HTTP_THROTTLE (100 requests/s, burst 200) */
  readonly throttle?: ThrottleSettings;
}

/**
 * HTTP API for browsers and tools: the six lifecycle routes on the `$default` stage, CORS for
 * any origin (requests carry a bearer token, never cookies), access logs and throttling.
 */
export class ConversationHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: logs.LogGroup;
  /** Route key (`GET /bots`) -> route. */
  readonly routes: ReadonlyMap<string, HttpRoute>;

  constructor(scope: Construct, id: string, props: ConversationHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      description: 'Conversation lifecycle (SPEC 4)',
      // Our own stage, below, so that it has access logs and throttling.
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
    });
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', { retention: HANDLER_LOG_RETENTION });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: props.throttle ?? DEFAULT_HTTP_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            ip: AccessLogField.contextIdentitySourceIp(),
            requestTime: AccessLogField.contextRequestTime(),
            httpMethod: AccessLogField.contextHttpMethod(),
            routeKey: AccessLogField.contextRouteKey(),
            status: AccessLogField.contextStatus(),
            protocol: AccessLogField.contextProtocol(),
            responseLength: AccessLogField.contextResponseLength(),
          }),
        ),
      },
    });
    const integration = new HttpLambdaIntegration('HandlerIntegration', props.handler);
    this.routes = new Map(
      HTTP_ROUTES.map((route) => {
        const [added] = this.api.addRoutes({ path: route.path, methods: [route.method], integration });
        return [`${route.method} ${route.path}`, added!];
      }),
    );
  }

  /** `https://{api-id}.execute-api.{region}.amazonaws.com/` */
  get url(): string {
    return this.stage.url;
  }
}
