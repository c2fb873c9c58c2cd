/**
 * Percentiles and summaries of latency samples (milliseconds). Pure functions, unit-tested in
 * `test/bench/stats.test.ts`.
 */

export interface LatencySummary {
  /** Samples (for a sum of two distributions: the pairs it was computed from). */
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export const EMPTY_SUMMARY: LatencySummary = { count: 0, p50: NaN, p95: NaN, p99: NaN, max: NaN, mean: NaN };

/**
 * Nearest-rank percentile of values sorted in ascending order: the smallest sample with at least
 * `p` % of the samples at or below it. With 300 samples, p99 is the 3rd largest.
 *
 * @example percentileOfSorted([1, 2, 3, 4], 50) // 2
 */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(Math.max(rank, 1), sorted.length) - 1]!;
}

export function summarize(values: readonly number[]): LatencySummary {
  if (values.length === 0) return EMPTY_SUMMARY;
  const sorted = Float64Array.from(values).sort();
  let total = 0;
  for (const value of sorted) total += value;
  return summaryOfSorted(sorted, total / sorted.length);
}

function summaryOfSorted(sorted: Float64Array, mean: number): LatencySummary {
  return {
    count: sorted.length,
    p50: percentileOfSorted(sorted, 50),
    p95: percentileOfSorted(sorted, 95),
    p99: percentileOfSorted(sorted, 99),
    max: sorted[sorted.length - 1]!,
    mean,
  };
}

/** Above this many samples a distribution is reduced to this many equally likely quantiles. */
export const MAX_CONVOLUTION_POINTS = 1000;

/**
 * `points` equally likely values standing for the samples: the nearest-rank quantiles at
 * (i + 0.5) / points. The samples themselves when there are no more than `points`.
 */
export function quantileGrid(values: readonly number[], points = MAX_CONVOLUTION_POINTS): Float64Array {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length <= points) return sorted;
  const grid = new Float64Array(points);
  for (let i = 0; i < points; i++) grid[i] = percentileOfSorted(sorted, ((i + 0.5) / points) * 100);
  return grid;
}

/**
 * The distribution of A + B for independent A and B, each given by samples: every pair of
 * samples (or of quantile grids, when there are many) is one equally likely outcome. This is how
 * the floor adds its two parts, the storage floor and the bare WebSocket broadcast: a sum of
 * percentiles would overstate the floor's p99 (two bad draws rarely come together).
 *
 * @example summarizeSum([1, 3], [10, 30]).p50 // 13 (outcomes 11, 13, 31, 33)
 */
export function summarizeSum(a: readonly number[], b: readonly number[]): LatencySummary {
  if (a.length === 0 || b.length === 0) return EMPTY_SUMMARY;
  const gridA = quantileGrid(a);
  const gridB = quantileGrid(b);
  const sums = new Float64Array(gridA.length * gridB.length);
  let index = 0;
  for (const x of gridA) for (const y of gridB) sums[index++] = x + y;
  sums.sort();
  return { ...summaryOfSorted(sums, mean(a) + mean(b)), max: Math.max(...a) + Math.max(...b) };
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}

/** The middle value; for an even count, the mean of the two middle ones. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** `value / floor`, or NaN when either is missing. */
export function ratio(value: number, floor: number): number {
  return Number.isFinite(value) && Number.isFinite(floor) && floor > 0 ? value / floor : NaN;
}
