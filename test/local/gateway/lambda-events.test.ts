import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { formatClfTime, headerMapsFromRaw, queryMapsFromSearch } from '../../../local/gateway/lambda-events';
import connectFixture from './fixtures/connect-event.json';
import disconnectFixture from './fixtures/disconnect-event.json';
import messageFixture from './fixtures/message-event.json';
import { eventually, GatewayTestKit, keysOf } from './gateway-test-kit';

// The fixtures' key sets follow events captured on AWS (aws/aws-lambda-go events/testdata
// apigw-websocket-request-send-message.json and -disconnect.json, Jan 2024; $connect headers as in
// rails-lambda/lamby issue #74). Values are local.
const GATEWAY_ID = /^[A-Za-z0-9+/]{15}=$/;
const CLF_TIME = /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/;

describe('Lambda events', () => {
  const kit = new GatewayTestKit();
  afterEach(() => kit.cleanup());

  async function oneOfEach() {
    const { gateway, events } = await kit.start();
    const client = await kit.connect(`${gateway.url}?token=abc`);
    client.send(JSON.stringify({ action: 'sendmessage', text: 'hello' }));
    await eventually(() => events.message.length === 1);
    client.socket.close(1001);
    await eventually(() => events.disconnect.length === 1);
    return { gateway, connect: events.connect[0]!, message: events.message[0]!, disconnect: events.disconnect[0]! };
  }

  it('builds CONNECT, MESSAGE and DISCONNECT events with the same keys as the captured ones', async () => {
    const { connect, message, disconnect } = await oneOfEach();

    expect(keysOf(connect)).toEqual(keysOf(connectFixture));
    expect(keysOf(connect.requestContext)).toEqual(keysOf(connectFixture.requestContext));
    expect(keysOf(connect.requestContext.identity)).toEqual(keysOf(connectFixture.requestContext.identity));
    expect(keysOf(connect.headers)).toEqual(keysOf(connectFixture.headers));
    expect(keysOf(connect.multiValueHeaders)).toEqual(keysOf(connectFixture.multiValueHeaders));

    expect(keysOf(message)).toEqual(keysOf(messageFixture));
    expect(keysOf(message.requestContext)).toEqual(keysOf(messageFixture.requestContext));

    expect(keysOf(disconnect)).toEqual(keysOf(disconnectFixture));
    expect(keysOf(disconnect.requestContext)).toEqual(keysOf(disconnectFixture.requestContext));
    expect(disconnect.headers).toEqual({ ...disconnectFixture.headers, Host: connect.requestContext.domainName });
    expect(keysOf(disconnect.multiValueHeaders)).toEqual(keysOf(disconnectFixture.multiValueHeaders));
  });

  it('fills each event type with the values API Gateway uses', async () => {
    const { gateway, connect, message, disconnect } = await oneOfEach();

    expect(connect.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      messageDirection: 'IN',
      stage: 'local',
      domainName: `127.0.0.1:${gateway.port}`,
      identity: { sourceIp: '127.0.0.1', userAgent: 'gateway-test-kit' },
    });
    expect(connect.queryStringParameters).toEqual({ token: 'abc' });
    expect(connect.multiValueQueryStringParameters).toEqual({ token: ['abc'] });
    expect(connect.headers).not.toHaveProperty('Connection');
    expect(connect.headers).not.toHaveProperty('Upgrade');
    expect(connect.headers?.['X-Forwarded-For']).toBe('127.0.0.1');
    expect(connect.body).toBeUndefined();
    expect(connect.requestContext.messageId).toBeUndefined();

    expect(message.requestContext).toMatchObject({ routeKey: '$default', eventType: 'MESSAGE' });
    expect(message.body).toBe('{"action":"sendmessage","text":"hello"}');
    expect(message.isBase64Encoded).toBe(false);
    expect(message.headers).toBeUndefined();
    expect(message.queryStringParameters).toBeUndefined();

    expect(disconnect.requestContext).toMatchObject({
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 1001,
      disconnectReason: '',
    });
    expect(disconnect.queryStringParameters).toBeUndefined();
  });

  it('uses opaque 16-character ids, requestId equal to extendedRequestId, one connectedAt per connection', async () => {
    const { connect, message, disconnect } = await oneOfEach();
    const all = [connect, message, disconnect];

    for (const event of all) {
      expect(event.requestContext.connectionId).toMatch(GATEWAY_ID);
      expect(event.requestContext.requestId).toMatch(GATEWAY_ID);
      expect(event.requestContext.extendedRequestId).toBe(event.requestContext.requestId);
      expect(event.requestContext.requestTime).toMatch(CLF_TIME);
      expect(event.requestContext.connectedAt).toBe(connect.requestContext.connectedAt);
      expect(event.requestContext.connectionId).toBe(connect.requestContext.connectionId);
    }
    expect(message.requestContext.messageId).toMatch(GATEWAY_ID);
    expect(new Set(all.map((event) => event.requestContext.requestId)).size).toBe(3);
    expect(disconnect.requestContext.requestTimeEpoch).toBeGreaterThanOrEqual(message.requestContext.requestTimeEpoch);
  });

  it('leaves the query string fields out of $connect when the URL has none', async () => {
    const { gateway, events } = await kit.start();
    await kit.connect(gateway.url);

    const connect = await eventually(() => events.connect[0]);
    expect(connect).not.toHaveProperty('queryStringParameters');
    expect(connect).not.toHaveProperty('multiValueQueryStringParameters');
  });

  it('gives handlers a domainName and stage that make a working management endpoint', async () => {
    const { gateway, events } = await kit.start();
    const client = await kit.connect(gateway.url);
    const { domainName, stage, connectionId } = (await eventually(() => events.connect[0])).requestContext;

    const management = kit.managementClient(`http://${domainName}/${stage}`);
    await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('hi') }));

    expect(await client.frame()).toBe('hi');
  });

  it('gives handlers a Lambda-like context', async () => {
    const contexts: Array<{ awsRequestId: string; functionName: string; remaining: number }> = [];
    const { gateway } = await kit.start(
      { integrationTimeoutMs: 5000 },
      {
        default: async (_event, context) => {
          contexts.push({
            awsRequestId: context.awsRequestId,
            functionName: context.functionName,
            remaining: context.getRemainingTimeInMillis(),
          });
        },
      },
    );
    const client = await kit.connect(gateway.url);
    client.send('ping');

    const context = await eventually(() => contexts[0]);
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.functionName).toBe('local-default');
    expect(context.remaining).toBeGreaterThan(4000);
    expect(context.remaining).toBeLessThanOrEqual(5000);
  });
});

describe('event helpers', () => {
  it('formats requestTime in Common Log Format, UTC', () => {
    expect(formatClfTime(Date.UTC(2024, 0, 20, 11, 55, 0))).toBe('20/Jan/2024:11:55:00 +0000');
    expect(formatClfTime(Date.UTC(2025, 11, 3, 4, 5, 6))).toBe('03/Dec/2025:04:05:06 +0000');
  });

  it('keeps the last value of a repeated header in headers and all of them in multiValueHeaders', () => {
    const maps = headerMapsFromRaw(['X-Thing', 'a', 'x-thing', 'b', 'Host', 'h']);
    expect(maps.headers).toEqual({ 'X-Thing': 'b', Host: 'h' });
    expect(maps.multiValueHeaders).toEqual({ 'X-Thing': ['a', 'b'], Host: ['h'] });
  });

  it('decodes query strings and reports none for an empty one', () => {
    expect(queryMapsFromSearch('')).toBeUndefined();
    expect(queryMapsFromSearch('?')).toBeUndefined();
    expect(queryMapsFromSearch('?a=1&a=2&b=x%3Dy')).toEqual({
      queryStringParameters: { a: '2', b: 'x=y' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['x=y'] },
    });
  });
});
