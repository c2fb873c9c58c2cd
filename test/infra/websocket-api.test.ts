import { Match } from 'aws-cdk-lib/assertions';
import { ROUTE_SELECTION_EXPRESSION, WEBSOCKET_ROUTE_KEYS, WEBSOCKET_STAGE_NAME } from '../../lib/websocket-api';
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
