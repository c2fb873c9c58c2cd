/** Load drivers: one message at a time, an open loop at a fixed offered rate, and a closed loop. */
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Fires `fire(i)` for i = 0, 1, … on a fixed schedule (`ratePerSecond`) for `durationMs`,
 * whether or not earlier work finished (an open loop: the offered load does not bend to the
 * system). Late ticks are fired at once, so the count matches the schedule.
 */
export async function runOpenLoop(options: {
  ratePerSecond: number;
  durationMs: number;
  fire: (index: number) => void;
}): Promise<{ fired: number; elapsedMs: number }> {
  const intervalMs = 1000 / options.ratePerSecond;
  const total = Math.max(1, Math.round((options.ratePerSecond * options.durationMs) / 1000));
  const startedAt = performance.now();
  let index = 0;
  while (index < total) {
    const dueAt = startedAt + index * intervalMs;
    const now = performance.now();
    if (now < dueAt) {
      await delay(dueAt - now);
      continue;
    }
    options.fire(index);
    index += 1;
  }
  return { fired: total, elapsedMs: performance.now() - startedAt };
}

/** Resolves with the promise's value, or `undefined` after `timeoutMs`. */
export async function within<T>(promise: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
