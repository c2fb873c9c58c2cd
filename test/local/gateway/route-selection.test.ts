import {
  compileRouteSelectionExpression,
  InvalidRouteSelectionExpression,
  selectRoute,
} from '../../../local/gateway/route-selection';

// The payload and expected results of the table in DG websocket-api-develop-routes.
const DOC_PAYLOAD = { service: 'chat', action: 'join', data: { room: 'room1234' } };

describe('route selection expressions', () => {
  it.each([
    ['$request.body.action', 'join'],
    ['${request.body.action}', 'join'],
    ['${request.body.service}/${request.body.action}', 'chat/join'],
    ['action', 'action'],
    ['\\$default', '$default'],
    ['$request.body.data.room', 'room1234'],
    ["${request.body['data'].room}", 'room1234'],
  ])('evaluates %s to %s', (expression, expected) => {
    expect(compileRouteSelectionExpression(expression)(DOC_PAYLOAD)).toBe(expected);
  });

  it('resolves a path that is not found to ""', () => {
    expect(compileRouteSelectionExpression('$request.body.missing')(DOC_PAYLOAD)).toBe('');
    expect(compileRouteSelectionExpression('${request.body.action}-${request.body.invalidPath}')(DOC_PAYLOAD)).toBe('join-');
    expect(compileRouteSelectionExpression('$request.body.action.deeper')(DOC_PAYLOAD)).toBe('');
  });

  it('stringifies non-scalar results', () => {
    const evaluate = compileRouteSelectionExpression('$request.body.items');
    expect(evaluate({ items: ['item1', 'item2'] })).toBe('[item1, item2]');
    expect(evaluate({ items: 42 })).toBe('42');
    expect(evaluate({ items: true })).toBe('true');
    expect(compileRouteSelectionExpression('$request.body.items[1]')({ items: ['a', 'b'] })).toBe('b');
  });

  it('refuses expressions it cannot evaluate, at compile time', () => {
    expect(() => compileRouteSelectionExpression('$context.routeKey')).toThrow(InvalidRouteSelectionExpression);
    expect(() => compileRouteSelectionExpression('${request.body.action')).toThrow(InvalidRouteSelectionExpression);
    expect(() => compileRouteSelectionExpression('${request.header.x}')).toThrow(InvalidRouteSelectionExpression);
  });
});

describe('selectRoute', () => {
  const evaluate = compileRouteSelectionExpression('$request.body.action');
  const withDefault = { customRouteKeys: new Set(['join', 'leave']), hasDefaultRoute: true };
  const withoutDefault = { customRouteKeys: new Set(['join']), hasDefaultRoute: false };

  it('picks the custom route whose key exactly equals the evaluated value', () => {
    expect(selectRoute('{"action":"join"}', evaluate, withDefault)).toBe('join');
    expect(selectRoute('{"action":"Join"}', evaluate, withDefault)).toBe('$default');
    expect(selectRoute('{"action":" join"}', evaluate, withDefault)).toBe('$default');
  });

  it('falls back to $default, or to nothing when there is no $default route', () => {
    expect(selectRoute('{"action":"other"}', evaluate, withDefault)).toBe('$default');
    expect(selectRoute('{"action":"other"}', evaluate, withoutDefault)).toBeUndefined();
    expect(selectRoute('{}', evaluate, withoutDefault)).toBeUndefined();
  });

  it('sends non-JSON messages to $default whatever the expression', () => {
    expect(selectRoute('join', evaluate, withDefault)).toBe('$default');
    expect(selectRoute('action', compileRouteSelectionExpression('action'), { ...withDefault, customRouteKeys: new Set(['action']) })).toBe(
      '$default',
    );
    expect(selectRoute('not json', evaluate, withoutDefault)).toBeUndefined();
  });

  it('never selects a reserved route through the expression', () => {
    expect(selectRoute('{"action":"$disconnect"}', evaluate, withDefault)).toBe('$default');
  });
});
