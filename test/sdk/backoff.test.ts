import { DEFAULT_RECONNECT_OPTIONS, reconnectDelayMs, resolveReconnectOptions } from '../../sdk/backoff';

describe('reconnectDelayMs', () => {
  const noJitter = () => 0;

  it('doubles from 500 ms and stops at 10 s by default', () => {
    const schedule = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => reconnectDelayMs(attempt, DEFAULT_RECONNECT_OPTIONS, noJitter));
    expect(schedule).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('takes up to `jitter` of each delay off, never adding to it', () => {
    const options = { ...DEFAULT_RECONNECT_OPTIONS, jitter: 0.5 };
    expect(reconnectDelayMs(2, options, () => 0)).toBe(1000);
    expect(reconnectDelayMs(2, options, () => 0.999_999)).toBe(500);
    for (let attempt = 1; attempt < 30; attempt++) {
      const delay = reconnectDelayMs(attempt, options);
      expect(delay).toBeLessThanOrEqual(options.maxDelayMs);
      expect(delay).toBeGreaterThanOrEqual(0);
    }
  });

  it('follows a custom schedule', () => {
    const options = resolveReconnectOptions({ initialDelayMs: 100, factor: 3, maxDelayMs: 1000, jitter: 0 });
    expect([1, 2, 3, 4].map((attempt) => reconnectDelayMs(attempt, options))).toEqual([100, 300, 900, 1000]);
  });

  it('does not overflow on very many attempts', () => {
    expect(reconnectDelayMs(10_000, DEFAULT_RECONNECT_OPTIONS, noJitter)).toBe(10_000);
  });
});

describe('resolveReconnectOptions', () => {
  it('fills in defaults and ignores undefined fields', () => {
    expect(resolveReconnectOptions({ maxDelayMs: undefined, factor: 3 })).toEqual({ ...DEFAULT_RECONNECT_OPTIONS, factor: 3 });
  });

  it('refuses nonsense at once', () => {
    expect(() => resolveReconnectOptions({ factor: 0.5 })).toThrow('reconnect.factor must be >= 1');
    expect(() => resolveReconnectOptions({ jitter: 2 })).toThrow('reconnect.jitter must be between 0 and 1');
    expect(() => resolveReconnectOptions({ initialDelayMs: 20_000 })).toThrow('reconnect.maxDelayMs must be >= initialDelayMs');
  });
});
