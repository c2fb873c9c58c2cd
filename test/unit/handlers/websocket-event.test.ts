import connectFixture from '../../local/gateway/fixtures/connect-event.json';
import disconnectFixture from '../../local/gateway/fixtures/disconnect-event.json';
import messageFixture from '../../local/gateway/fixtures/message-event.json';
import { MalformedEvent, parseWebSocketEvent } from '../../../lambdas/handlers/websocket-event';

describe('parseWebSocketEvent', () => {
  it.each([
    ['CONNECT', connectFixture],
    ['MESSAGE', messageFixture],
    ['DISCONNECT', disconnectFixture],
  ])('accepts a real %s event as it is', (_label, fixture) => {
    expect(parseWebSocketEvent(fixture)).toBe(fixture);
  });

  const withContext = (changes: Record<string, unknown>) => ({
    ...messageFixture,
    requestContext: { ...messageFixture.requestContext, ...changes },
  });

  it.each([
    ['a string', 'nonsense', 'not an object'],
    ['no requestContext', { body: '{}' }, 'requestContext is missing'],
    ['an empty connectionId', withContext({ connectionId: '' }), 'connectionId'],
    ['an unknown eventType', withContext({ eventType: 'PING' }), 'eventType'],
    ['a connectedAt string', withContext({ connectedAt: 'yesterday' }), 'connectedAt'],
    ['a disconnectStatusCode string', withContext({ disconnectStatusCode: '1000' }), 'disconnectStatusCode'],
    ['query values that are not strings', { ...connectFixture, queryStringParameters: { token: 5 } }, 'queryStringParameters'],
    ['a body that is not a string', { ...messageFixture, body: { type: 'T' } }, 'body'],
    ['isBase64Encoded that is not a boolean', { ...messageFixture, isBase64Encoded: 'no' }, 'isBase64Encoded'],
  ])('refuses %s with MalformedEvent naming the field', (_label, event, field) => {
    expect(() => parseWebSocketEvent(event)).toThrow(MalformedEvent);
    expect(() => parseWebSocketEvent(event)).toThrow(field);
  });
});
