import {
  backoffDelayMs,
  FIRST_BACKOFF_CEILING_MS,
  MAX_BACKOFF_CEILING_MS,
  waitBeforeRetry,
} from '../../../lambdas/core/commit-backoff';

const ALMOST_ONE = 1 - Number.EPSILON;

describe('backoffDelayMs', () => {
  it('draws the wait below a ceiling that starts at FIRST_BACKOFF_CEILING_MS and doubles per lost race', () => {
    expect(backoffDelayMs(1, () => ALMOST_ONE)).toBeCloseTo(FIRST_BACKOFF_CEILING_MS);
    expect(backoffDelayMs(2, () => ALMOST_ONE)).toBeCloseTo(2 * FIRST_BACKOFF_CEILING_MS);
    expect(backoffDelayMs(3, () => 0.5)).toBeCloseTo(2 * FIRST_BACKOFF_CEILING_MS);
  });

  it('stops doubling at MAX_BACKOFF_CEILING_MS', () => {
    expect(backoffDelayMs(30, () => ALMOST_ONE)).toBeCloseTo(MAX_BACKOFF_CEILING_MS);
    expect(backoffDelayMs(1_000, () => ALMOST_ONE)).toBeCloseTo(MAX_BACKOFF_CEILING_MS);
  });

  it('is full jitter: anywhere from 0 up to the ceiling, so writers that collided spread out', () => {
    expect(backoffDelayMs(5, () => 0)).toBe(0);
    const waits = Array.from({ length: 1_000 }, () => backoffDelayMs(4));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...waits)).toBeLessThan(8 * FIRST_BACKOFF_CEILING_MS);
    expect(new Set(waits).size).toBeGreaterThan(900);
  });

  it('treats a count below 1 as the first lost race', () => {
    expect(backoffDelayMs(0, () => ALMOST_ONE)).toBeCloseTo(FIRST_BACKOFF_CEILING_MS);
  });
});

describe('waitBeforeRetry', () => {
  it('waits about the drawn time', async () => {
    const startedAt = performance.now();
    await waitBeforeRetry(6, () => 0.5); // ceiling 128 capped at 100: 50 ms
    const waited = performance.now() - startedAt;
    expect(waited).toBeGreaterThanOrEqual(45);
    expect(waited).toBeLessThan(1_000);
  });
});
