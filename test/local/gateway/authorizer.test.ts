import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import type { WebSocketAuthorizerEvent } from '../../../local/gateway';
import { decideAuthorization, parseIdentitySources } from '../../../local/gateway/authorizer';
import { eventually, GatewayTestKit, sleep } from './gateway-test-kit';

function policy(effect: 'Allow' | 'Deny', resource: string, principalId = 'user-1'): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
  };
}

describe('Lambda REQUEST authorizer on $connect', () => {
  const kit = new GatewayTestKit();
  afterEach(() => kit.cleanup());

  it('admits on Allow and puts principalId and the stringified context on every event of the connection', async () => {
    const inputs: WebSocketAuthorizerEvent[] = [];
    const { gateway, events } = await kit.start(
      {},
      {
        authorizer: async (event) => {
          inputs.push(event);
          return { ...policy('Allow', event.methodArn), context: { tenant: 't1', level: 3, admin: true } };
        },
      },
    );
    const client = await kit.connect(`${gateway.url}?token=abc`);
    client.send('hello');
    await eventually(() => events.message.length === 1);
    client.socket.close(1000);
    await eventually(() => events.disconnect.length === 1);

    const expected = { principalId: 'user-1', tenant: 't1', level: '3', admin: 'true' };
    expect(events.connect[0]!.requestContext.authorizer).toEqual(expected);
    expect(events.message[0]!.requestContext.authorizer).toEqual(expected);
    expect(events.disconnect[0]!.requestContext.authorizer).toEqual(expected);

    const input = inputs[0]!;
    expect(input.type).toBe('REQUEST');
    expect(input.methodArn).toBe(`arn:aws:execute-api:us-east-1:123456789012:${events.connect[0]!.requestContext.apiId}/local/$connect`);
    expect(input.queryStringParameters).toEqual({ token: 'abc' });
    expect(input.headers).toMatchObject({ Connection: 'Upgrade', Upgrade: 'websocket', 'content-length': '0' });
    expect(input.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      connectionId: events.connect[0]!.requestContext.connectionId,
    });
  });

  it.each([
    ['throws', async () => Promise.reject(new Error('bad token')), 401],
    ['returns "Unauthorized"', async () => 'Unauthorized' as const, 401],
    ['denies', async (event: WebSocketAuthorizerEvent) => policy('Deny', event.methodArn), 403],
    ['allows another resource', async () => policy('Allow', 'arn:aws:execute-api:us-east-1:1:other/local/$connect'), 403],
    ['returns no principalId', async (event: WebSocketAuthorizerEvent) => policy('Allow', event.methodArn, ''), 403],
  ])('refuses when the authorizer %s, without running $connect', async (_case, authorizer, statusCode) => {
    const { gateway, events } = await kit.start({}, { authorizer: authorizer as never });

    const refusal = await kit.refusal(gateway.url);

    expect(refusal.statusCode).toBe(statusCode);
    await sleep(20);
    expect(events.connect).toHaveLength(0);
    expect(gateway.connectionCount()).toBe(0);
  });

  it('refuses with 401 without invoking the authorizer when an identity source is missing', async () => {
    const authorizer = jest.fn(async (event: WebSocketAuthorizerEvent) => policy('Allow', event.methodArn));
    const { gateway } = await kit.start({ authorizerIdentitySource: ['route.request.querystring.token'] }, { authorizer });

    expect((await kit.refusal(gateway.url)).statusCode).toBe(401);
    expect(authorizer).not.toHaveBeenCalled();

    await kit.connect(`${gateway.url}?token=abc`);
    expect(authorizer).toHaveBeenCalledTimes(1);
  });
});

describe('decideAuthorization', () => {
  const arn = 'arn:aws:execute-api:us-east-1:123456789012:abc/local/$connect';

  it('matches IAM wildcards and lets an explicit Deny win', () => {
    expect(decideAuthorization({ status: 'returned', value: policy('Allow', 'arn:aws:execute-api:*:*:abc/*') }, arn)).toMatchObject({
      allowed: true,
    });
    const both = {
      principalId: 'u',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Action: 'execute-api:*', Effect: 'Allow', Resource: '*' },
          { Action: ['execute-api:Invoke'], Effect: 'Deny', Resource: [arn] },
        ],
      },
    };
    expect(decideAuthorization({ status: 'returned', value: both }, arn)).toMatchObject({ allowed: false, statusCode: 403 });
  });

  it('rejects object context values as a configuration error', () => {
    const value = { ...policy('Allow', arn), context: { nested: { a: 1 } } };
    expect(decideAuthorization({ status: 'returned', value }, arn)).toMatchObject({ allowed: false, statusCode: 500 });
  });

  it('parses identity sources and refuses unknown ones at start', () => {
    expect(parseIdentitySources(['route.request.header.Authorization', 'route.request.querystring.token'])).toEqual([
      { kind: 'header', name: 'Authorization' },
      { kind: 'querystring', name: 'token' },
    ]);
    expect(() => parseIdentitySources(['method.request.header.Authorization'])).toThrow(/unsupported identity source/);
  });
});
