import { Match } from 'aws-cdk-lib/assertions';
import { HTTP_ROUTES } from '../../lib/http-api';
import { buildStack, logicalIdOf } from './stack-fixture';

describe('ConversationHttpApi', () => {
  const { stack, template } = buildStack();
  const apiId = logicalIdOf(stack.httpApi.api);

  it('has the six lifecycle routes of SPEC 4, and only those', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route', {
      Properties: { ApiId: { Ref: apiId } },
    }));
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(
      [
        'GET /bots',
        'GET /limits',
        'POST /conversations',
        'POST /conversations/{id}/join',
        'GET /conversations/{id}',
        'GET /conversations/{id}/messages',
      ].sort(),
    );
    expect(HTTP_ROUTES).toHaveLength(6);
  });

  it('sends every route to the one http-api function with payload format 2.0', () => {
    // given
    const functionId = logicalIdOf(stack.handlers.httpApi.fn);

    // then there is one integration, and every route targets it
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration', {
      Properties: { ApiId: { Ref: apiId } },
    });
    expect(Object.keys(integrations)).toHaveLength(1);
    const [integrationId, integration] = Object.entries(integrations)[0]!;
    expect(integration.Properties).toMatchObject({
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [functionId, 'Arn'] },
      PayloadFormatVersion: '2.0',
    });
    template.resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Route',
      { ApiId: { Ref: apiId }, Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] } },
      HTTP_ROUTES.length,
    );
  });

  it('allows browsers from any origin, with the methods and headers the API uses', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: {
        AllowOrigins: ['*'],
        AllowMethods: Match.arrayEquals(['GET', 'POST', 'OPTIONS']),
        AllowHeaders: Match.arrayEquals(['authorization', 'content-type']),
        AllowCredentials: Match.absent(),
      },
    });
  });

  it('serves a throttled $default stage with JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: apiId },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() },
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalIdOf(stack.httpApi.accessLogGroup), 'Arn'] },
        Format: Match.stringLikeRegexp('"routeKey":"\\$context.routeKey"'),
      },
    });
  });
});
