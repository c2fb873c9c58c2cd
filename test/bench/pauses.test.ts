import { jvmGcPauses, mergePauses, parseProcStatCpu, summarizePauses, watchPauses } from '../../bench/pauses';

describe('watchPauses', () => {
  it('sees the event loop held up by synchronous work, and an idle loop as not late', async () => {
    const idle = watchPauses();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(idle().eventLoopMaxMs).toBeLessThan(30);

    const stop = watchPauses();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const until = performance.now() + 60;
    while (performance.now() < until) {
      // busy: nothing else runs
    }
    await new Promise((resolve) => setTimeout(resolve, 30));
    const pauses = stop();
    expect(pauses.eventLoopMaxMs).toBeGreaterThanOrEqual(45);
    expect(pauses.eventLoopMaxMs).toBeLessThan(200);
    expect(pauses.eventLoopP99Ms).toBeLessThanOrEqual(pauses.eventLoopMaxMs);
  });
});

describe('summarizePauses and mergePauses', () => {
  it('count, add and keep the longest garbage collection', () => {
    expect(summarizePauses(12, 3, [1, 4, 2], [15], 0.5)).toEqual({
      eventLoopMaxMs: 12,
      eventLoopP99Ms: 3,
      gcCount: 3,
      gcTotalMs: 7,
      gcMaxMs: 4,
      dynamoDbGcCount: 1,
      dynamoDbGcTotalMs: 15,
      dynamoDbGcMaxMs: 15,
      stealPercent: 0.5,
    });
    expect(summarizePauses(0, 0, [])).toMatchObject({ gcCount: 0, gcMaxMs: 0 });
  });

  it('merge two watches into the worse of each and the sum of the totals', () => {
    const first = summarizePauses(12, 3, [1, 4]);
    const second = summarizePauses(30, 2, [6]);
    expect(mergePauses(undefined, first)).toBe(first);
    expect(mergePauses(first, second)).toMatchObject({ eventLoopMaxMs: 30, eventLoopP99Ms: 3, gcCount: 3, gcTotalMs: 11, gcMaxMs: 6 });
  });
});

describe('jvmGcPauses', () => {
  const log = [
    '[1000ms] Using Serial',
    '[1500ms] GC(0) Pause Young (Allocation Failure) 68M->8M(247M) 15.140ms',
    '[2500ms] GC(1) Pause Full (Metadata GC Threshold) 31M->10M(247M) 25.072ms',
    '[3500ms] GC(2) Pause Young (Allocation Failure) 70M->9M(247M) 4.5ms',
    '',
  ].join('\n');

  it('reads the pauses stamped inside the window, young and full', () => {
    expect(jvmGcPauses(log, 1400, 2600)).toEqual([15.14, 25.072]);
    expect(jvmGcPauses(log, 3000, 4000)).toEqual([4.5]);
    expect(jvmGcPauses(log, 4000, 5000)).toEqual([]);
  });
});

describe('parseProcStatCpu', () => {
  it('adds the eight CPU columns and takes steal from the eighth', () => {
    const stat = 'cpu  449294 117 48329 597884 851 0 9254 98 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nintr 1\n';
    expect(parseProcStatCpu(stat)).toEqual({ total: 449294 + 117 + 48329 + 597884 + 851 + 0 + 9254 + 98, steal: 98 });
    expect(parseProcStatCpu('intr 1\n')).toBeUndefined();
  });
});
