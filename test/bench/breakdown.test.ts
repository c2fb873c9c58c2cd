import { callDurations, timeBreakdown } from '../../bench/breakdown';
import type { CallRecord, InvocationRecord } from '../../bench/instrumentation';

function call(service: CallRecord['service'], command: string, startedAt: number, endedAt: number): CallRecord {
  return { service, command, side: 'backend', startedAt, endedAt };
}

/** Sent at 0, handled 1..11: GetItem 1-2, Query 2-4, TransactWriteItems 4-7, two posts 7-9 and 7.5-10. */
const invocation: InvocationRecord = {
  id: 1,
  route: 'default',
  localId: 'b1',
  clientSentAt: 0,
  startedAt: 1,
  endedAt: 11,
  overheadMs: 0,
  calls: [
    call('dynamodb', 'GetItem', 1, 2),
    call('dynamodb', 'Query', 2, 4),
    call('dynamodb', 'TransactWriteItems', 4, 7),
    call('apigw', 'PostToConnection', 7, 9),
    call('apigw', 'PostToConnection', 7.5, 10),
  ],
};

describe('timeBreakdown', () => {
  it('splits a message between the gateway, each DynamoDB call, the posts and the rest', () => {
    const breakdown = timeBreakdown([invocation]);
    expect(breakdown.messages).toBe(1);
    expect(breakdown.gatewayMs).toBe(1);
    expect(breakdown.handlerMs).toBe(10);
    expect(breakdown.dynamoDb).toEqual({
      GetItem: { calls: 1, ms: 1, medianMs: 1 },
      Query: { calls: 1, ms: 2, medianMs: 2 },
      TransactWriteItems: { calls: 1, ms: 3, medianMs: 3 },
    });
    expect(breakdown.posts).toEqual({ calls: 2, ms: 3, medianMs: 3 });
    expect(breakdown.postMs).toBe(2.25);
    expect(breakdown.otherMs).toBe(10 - 6 - 3);
  });

  it('counts a post made ready during the commit from when the commit let it go', () => {
    const prepared: InvocationRecord = {
      ...invocation,
      calls: [
        call('dynamodb', 'TransactWriteItems', 4, 7),
        { ...call('apigw', 'PostToConnection', 4.5, 8), releasedAt: 7 },
        { ...call('apigw', 'PostToConnection', 4.6, 9), releasedAt: 7.2 },
      ],
    };
    const breakdown = timeBreakdown([prepared]);
    expect(breakdown.posts).toEqual({ calls: 2, ms: 2, medianMs: 2 });
    expect(breakdown.postMs).toBeCloseTo(1.4);
    expect(breakdown.otherMs).toBe(10 - 3 - 2);
  });

  it('leaves out invocations that are not benchmark messages, and the benchmark\'s own overhead', () => {
    const setUp: InvocationRecord = { ...invocation, id: 2, route: 'connect' };
    const withOverhead: InvocationRecord = { ...invocation, id: 3, overheadMs: 4 };
    expect(timeBreakdown([setUp]).messages).toBe(0);
    expect(timeBreakdown([withOverhead]).handlerMs).toBe(6);
  });
});

describe('callDurations', () => {
  it('gives the mean and median of single calls per command', () => {
    const durations = callDurations([call('dynamodb', 'Query', 0, 1), call('dynamodb', 'Query', 0, 3), call('dynamodb', 'GetItem', 0, 2)]);
    expect(durations).toEqual({ Query: { calls: 2, meanMs: 2, medianMs: 2 }, GetItem: { calls: 1, meanMs: 2, medianMs: 2 } });
  });
});
