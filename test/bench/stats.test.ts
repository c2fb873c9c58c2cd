import { median, percentileOfSorted, quantileGrid, ratio, summarize, summarizeSum } from '../../bench/stats';

describe('percentileOfSorted', () => {
  it('takes the nearest rank: the smallest sample with at least p% at or below it', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileOfSorted(sorted, 50)).toBe(5);
    expect(percentileOfSorted(sorted, 95)).toBe(10);
    expect(percentileOfSorted(sorted, 10)).toBe(1);
    expect(percentileOfSorted(sorted, 100)).toBe(10);
  });

  it('makes p99 of 300 samples the 3rd largest', () => {
    const sorted = Array.from({ length: 300 }, (_, i) => i + 1);
    expect(percentileOfSorted(sorted, 99)).toBe(297);
  });

  it('is NaN without samples and refuses a percentile outside (0, 100]', () => {
    expect(percentileOfSorted([], 50)).toBeNaN();
    expect(() => percentileOfSorted([1], 0)).toThrow(RangeError);
    expect(() => percentileOfSorted([1], 101)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts the samples and reports p50, p95, p99, max and mean', () => {
    const summary = summarize([5, 1, 4, 2, 3]);
    expect(summary).toEqual({ count: 5, p50: 3, p95: 5, p99: 5, max: 5, mean: 3 });
  });

  it('gives NaN figures for no samples', () => {
    expect(summarize([]).p50).toBeNaN();
    expect(summarize([]).count).toBe(0);
  });
});

describe('summarizeSum', () => {
  it('adds two independent distributions pair by pair', () => {
    // Outcomes 11, 13, 31, 33, equally likely.
    const sum = summarizeSum([1, 3], [10, 30]);
    expect(sum.count).toBe(4);
    expect(sum.p50).toBe(13);
    expect(sum.p99).toBe(33);
    expect(sum.max).toBe(33);
    expect(sum.mean).toBe(22);
  });

  it('puts the p99 of a sum below the sum of the p99s when bad draws are rare', () => {
    const a = [...Array.from({ length: 99 }, () => 1), 100];
    const b = [...Array.from({ length: 99 }, () => 1), 100];
    expect(summarizeSum(a, b).p99).toBe(101);
    expect(summarize(a).p99 + summarize(b).p99).toBe(2);
    expect(summarizeSum(a, b).p50).toBe(2);
  });

  it('stays close to the exact result when it reduces many samples to a quantile grid', () => {
    const a = Array.from({ length: 5000 }, (_, i) => i / 5000);
    const sum = summarizeSum(a, [0]);
    expect(sum.count).toBe(1000);
    expect(sum.p50).toBeCloseTo(0.5, 2);
  });
});

describe('quantileGrid', () => {
  it('keeps the samples when there are few and takes evenly spread quantiles otherwise', () => {
    expect([...quantileGrid([3, 1, 2], 10)]).toEqual([1, 2, 3]);
    expect([...quantileGrid([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 2)]).toEqual([3, 8]);
  });
});

describe('median and ratio', () => {
  it('averages the two middle values of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([])).toBeNaN();
  });

  it('divides by the floor, or gives NaN when the floor is missing', () => {
    expect(ratio(3, 2)).toBe(1.5);
    expect(ratio(3, 0)).toBeNaN();
    expect(ratio(NaN, 2)).toBeNaN();
  });
});
