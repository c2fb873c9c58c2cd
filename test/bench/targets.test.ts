import type { CostRow } from '../../bench/cost';
import type { LatencyResult } from '../../bench/latency';
import { summarizePauses } from '../../bench/pauses';
import { evaluateTargets, exitStatus } from '../../bench/targets';

const summary = (p50: number, p99: number) => ({ count: 100, p50, p95: p99, p99, max: p99, mean: p50 });
const noPauses = summarizePauses(0, 0, []);
const counts = { sent: 100, completed: 100, dropped: 0, duplicated: 0, outOfOrder: 0, received: 1000 };

function latency(mode: 'idle' | 'load', p50: number, p99: number, floorP50: number, floorP99: number): LatencyResult {
  return {
    participants: 10,
    mode,
    conversations: mode === 'idle' ? 1 : 20,
    ...(mode === 'load' ? { offeredPerSecond: 100 } : {}),
    project: summary(p50, p99),
    counts,
    floor: {
      storage: summary(floorP50, floorP99),
      broadcast: summary(0, 0),
      total: summary(floorP50, floorP99),
      broadcastCounts: counts,
      storageCalls: {},
    },
    ratioP50: p50 / floorP50,
    ratioP99: p99 / floorP99,
    breakdown: {} as LatencyResult['breakdown'],
    tailBreakdown: {} as LatencyResult['breakdown'],
    attributed: { project: summary(p50, p99), counts },
    pauses: { project: noPauses, floor: noPauses },
    slowestCalls: {},
    failedTransactions: 0,
    errors: {},
  };
}

function costRow(writeUnits: number, postsAtTenThousand = 10): CostRow {
  const usage = (posts: number) => ({
    dynamoDbRequests: 3,
    readUnits: 2,
    writeUnits,
    reportedCapacityUnits: 4,
    posts,
    apiGatewayMessages: posts + 1,
    lambdaInvocations: 1,
    sqsBackendRequests: 0,
    sqsBotRequests: 0,
    connectionMinutes: 1,
    lambdaBilledMs: 8,
  });
  const measurement = (otherConnections: number, posts: number) => ({
    otherConnections,
    realOtherConnections: 0,
    usage: usage(posts),
    stable: true,
    emptyReceives: 0,
    handlerMs: 8,
    calls: {},
  });
  const identical = postsAtTenThousand === 10;
  return {
    scenario: 'human',
    participants: 10,
    bySize: [measurement(0, 10), measurement(10_000, postsAtTenThousand)],
    growth: { identical, grew: !identical, differences: identical ? [] : ['posts: 10 at 0 other connections, 11 at 10000'] },
    dollars: { apiGatewayMessages: 11, connectionMinutes: 0.25, lambdaRequests: 0.2, lambdaDuration: 0, dynamoDbReads: 0.25, dynamoDbWrites: 3.75, sqs: 0, total: 15.45 },
  };
}

describe('evaluateTargets', () => {
  it('passes the latency targets within 1.5x / 2x of the floor and fails beyond', () => {
    const passing = evaluateTargets({ latency: [latency('idle', 4.5, 12, 3, 6), latency('load', 9, 20, 5, 10)] });
    expect(passing.find((target) => target.id === 'latency-idle')?.pass).toBe(true);
    expect(passing.find((target) => target.id === 'latency-load')?.pass).toBe(true);
    const failing = evaluateTargets({ latency: [latency('idle', 4.6, 12, 3, 6)] });
    expect(failing.find((target) => target.id === 'latency-idle')).toMatchObject({ pass: false, measured: expect.stringContaining('1.53×') });
    expect(failing.find((target) => target.id === 'latency-load')).toMatchObject({ skipped: true });
  });

  it('counts a message lost in the attributed blocks as lost', () => {
    const cell = latency('idle', 4.5, 12, 3, 6);
    const lostOne = { ...cell, attributed: { ...cell.attributed, counts: { ...counts, completed: 99, dropped: 1 } } };
    expect(evaluateTargets({ latency: [cell] }).find((target) => target.id === 'delivery')).toMatchObject({
      pass: true,
      measured: '200 messages, all delivered once and in order',
    });
    expect(evaluateTargets({ latency: [lostOne] }).find((target) => target.id === 'delivery')).toMatchObject({
      pass: false,
      measured: 'N=10 idle (attributed): dropped 1, duplicated 0, out of order 0',
    });
  });

  it('checks the human message against 3 requests, 6 WRU and N posts, and growth with system size', () => {
    const good = evaluateTargets({ cost: [costRow(6)] });
    expect(good.find((target) => target.id === 'cost-human')?.pass).toBe(true);
    expect(good.find((target) => target.id === 'cost-growth')?.pass).toBe(true);
    const heavy = evaluateTargets({ cost: [costRow(8)] });
    expect(heavy.find((target) => target.id === 'cost-human')?.pass).toBe(false);
    const growing = evaluateTargets({ cost: [costRow(6, 11)] });
    expect(growing.find((target) => target.id === 'cost-growth')).toMatchObject({ pass: false, measured: expect.stringContaining('posts') });
  });
});

describe('exitStatus', () => {
  it('fails the run when cost grows, and on any missed target only when strict', () => {
    const growing = evaluateTargets({ cost: [costRow(6, 11)] });
    expect(exitStatus(growing, false).code).toBe(1);
    const slow = evaluateTargets({ cost: [costRow(6)], latency: [latency('idle', 10, 12, 3, 6)] });
    expect(exitStatus(slow, false)).toEqual({ code: 0, reasons: [] });
    expect(exitStatus(slow, true).code).toBe(1);
  });
});
