import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { TOKEN_IDENTITY_SOURCE } from '../../lambdas/handlers/websocket-authorizer';
import {
  ConversationWebSocketApi,
  ROUTE_SELECTION_EXPRESSION,
  WEBSOCKET_ROUTE_KEYS,
  WEBSOCKET_STAGE_NAME,
} from '../../lib/websocket-api';
import { buildStack, logicalIdOf } from './stack-fixture';

describe('ConversationWebSocketApi', () => {
  const { stack, template } = buildStack();
  const apiId = logicalIdOf(stack.webSocket.api);

  it('is a WebSocket API that selects routes by the frame action', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      RouteSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    });
    expect(ROUTE_SELECTION_EXPRESSION).toBe('$request.body.action');
  });

  it('has exactly the three routes $connect, $disconnect and $default', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route', {
      Properties: { ApiId: { Ref: apiId } },
    }));
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual([...WEBSOCKET_ROUTE_KEYS].sort());
  });

  it.each([
    ['$connect', 'connect'],
    ['$disconnect', 'disconnect'],
    ['$default', 'default'],
  ] as const)('integrates %s with its own Lambda', (routeKey, handler) => {
    // given the route's function
    const functionId = logicalIdOf(stack.handlers[handler].fn);

    // then the route's integration is a Lambda proxy to that function
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration', {
      Properties: {
        ApiId: { Ref: apiId },
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([{ 'Fn::GetAtt': [functionId, 'Arn'] }])],
        }),
      },
    });
    expect(Object.keys(integrations)).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      ApiId: { Ref: apiId },
      RouteKey: routeKey,
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: Object.keys(integrations)[0] }]] },
    });
  });

  it('authorizes $connect with a REQUEST authorizer on ?token=, and no other route', () => {
    // given the API's one authorizer
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer', { Properties: { ApiId: { Ref: apiId } } });
    expect(Object.keys(authorizers)).toHaveLength(1);
    const [authorizerId, authorizer] = Object.entries(authorizers)[0]!;

    // then it runs the authorizer function on the token query parameter
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: [TOKEN_IDENTITY_SOURCE],
    });
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(logicalIdOf(stack.handlers.connectAuthorizer.fn));
    expect(TOKEN_IDENTITY_SOURCE).toBe('route.request.querystring.token');
    // and only $connect uses it (API Gateway authorizes WebSocket connections there, once)
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      ApiId: { Ref: apiId },
      RouteKey: '$connect',
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerId },
    });
    for (const routeKey of ['$disconnect', '$default']) {
      const [route] = Object.values(
        template.findResources('AWS::ApiGatewayV2::Route', { Properties: { ApiId: { Ref: apiId }, RouteKey: routeKey } }),
      );
      expect(route!.Properties.AuthorizerId).toBeUndefined();
    }
    // and API Gateway may invoke it from this API
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'apigateway.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalIdOf(stack.handlers.connectAuthorizer.fn), 'Arn'] },
      SourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ Ref: apiId }])] }),
    });
  });

  it('refuses an authorizer on a route other than $connect', () => {
    // given a fresh API and a function
    const scope = new Stack(new App(), 'AuthorizerScope');
    const api = new ConversationWebSocketApi(scope, 'Api');
    const fn = new lambda.Function(scope, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 });'),
    });
    const authorizer = new WebSocketLambdaAuthorizer('Authorizer', fn, { identitySource: [TOKEN_IDENTITY_SOURCE] });

    // then only $connect takes it
    expect(() => api.addLambdaRoute('$default', fn, authorizer)).toThrow('API Gateway runs authorizers only on $connect, not $default');
    expect(api.routes.has('$default')).toBe(false);
    expect(() => api.addLambdaRoute('$connect', fn, authorizer)).not.toThrow();
  });

  it('lets API Gateway invoke each route function from this API only', () => {
    for (const handler of ['connect', 'disconnect', 'default'] as const) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        Principal: 'apigateway.amazonaws.com',
        FunctionName: { 'Fn::GetAtt': [logicalIdOf(stack.handlers[handler].fn), 'Arn'] },
        SourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([{ Ref: apiId }])] }),
      });
    }
  });

  it('deploys to an auto-deployed prod stage with throttling and JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: apiId },
      StageName: WEBSOCKET_STAGE_NAME,
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalIdOf(stack.webSocket.accessLogGroup), 'Arn'] },
        Format: Match.stringLikeRegexp('"connectionId":"\\$context.connectionId"'),
      },
    });
    expect(WEBSOCKET_STAGE_NAME).toBe('prod');
  });

  it('waits for the account logging role before creating the stage', () => {
    template.hasResource('AWS::ApiGatewayV2::Stage', {
      Properties: { ApiId: { Ref: apiId } },
      DependsOn: Match.arrayWith([logicalIdOf(stack.apiGatewayLoggingRole!.account)]),
    });
  });

  it('refuses to integrate a route twice', () => {
    expect(() => stack.webSocket.addLambdaRoute('$default', stack.handlers.default.fn)).toThrow(
      'route $default is already integrated',
    );
  });
});
