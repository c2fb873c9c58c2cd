/**
 * What a writer does after losing an optimistic-concurrency race (`ConcurrentChange`): it waits a
 * random time before reading again. Writers that collided once would collide again if they all
 * retried at once; with "full jitter" (a random wait up to a ceiling that doubles per lost race,
 * as AWS's architecture blog recommends for contended writes) they spread out, so fewer attempts
 * fail and fewer reach `MAX_COMMIT_ATTEMPTS`. Each failed attempt is a billed read and transaction.
 */

/** Ceiling of the wait after the first lost race: about one commit's round trip. */
export const FIRST_BACKOFF_CEILING_MS = 4;
/** The ceiling stops doubling here: all 30 attempts then wait 2.5 s at the most, 1.3 s on average. */
export const MAX_BACKOFF_CEILING_MS = 100;

/**
 * The wait after `lostRaces` lost races (1 for the first), uniformly random below the ceiling.
 *
 * @example backoffDelayMs(3, () => 0.5) // 8: half of the third ceiling, 16 ms
 */
export function backoffDelayMs(lostRaces: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_CEILING_MS, FIRST_BACKOFF_CEILING_MS * 2 ** Math.max(0, lostRaces - 1));
  return random() * ceiling;
}

/** Waits `backoffDelayMs(lostRaces)` before the next attempt. */
export function waitBeforeRetry(lostRaces: number, random?: () => number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, backoffDelayMs(lostRaces, random)));
}
