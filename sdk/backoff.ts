/** How a `ConversationClient` waits between reconnection attempts. */
export interface ReconnectOptions {
  /** Delay before the first attempt after a drop. @default 500 */
  initialDelayMs: number;
  /** Upper bound of any delay. @default 10000 */
  maxDelayMs: number;
  /** Each failed attempt multiplies the delay by this. @default 2 */
  factor: number;
  /**
   * Fraction (0..1) of each delay that is random, taken off the top, so clients dropped together
   * do not all come back at the same instant. @default 0.3
   */
  jitter: number;
  /** Attempts in a row before giving up (a `close` with `willReconnect: false`). @default Infinity */
  maxAttempts: number;
}

export const DEFAULT_RECONNECT_OPTIONS: Readonly<ReconnectOptions> = {
  initialDelayMs: 500,
  maxDelayMs: 10_000,
  factor: 2,
  jitter: 0.3,
  maxAttempts: Number.POSITIVE_INFINITY,
};

/**
 * Delay before reconnection attempt `attempt` (1 for the first): exponential, capped at
 * `maxDelayMs`, then reduced by up to `jitter` of itself.
 *
 * @example
 * reconnectDelayMs(1, DEFAULT_RECONNECT_OPTIONS, () => 0); // 500
 * reconnectDelayMs(3, DEFAULT_RECONNECT_OPTIONS, () => 0); // 2000
 * reconnectDelayMs(9, DEFAULT_RECONNECT_OPTIONS, () => 0); // 10000
 */
export function reconnectDelayMs(
  attempt: number,
  options: Readonly<ReconnectOptions> = DEFAULT_RECONNECT_OPTIONS,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(options.maxDelayMs, options.initialDelayMs * options.factor ** exponent);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.max(0, Math.round(base * (1 - jitter * random())));
}

/** Fills in defaults and rejects nonsense at construction rather than at the first drop. */
export function resolveReconnectOptions(partial: Partial<ReconnectOptions> = {}): ReconnectOptions {
  const options = { ...DEFAULT_RECONNECT_OPTIONS, ...stripUndefined(partial) };
  if (!(options.initialDelayMs >= 0)) throw new RangeError('reconnect.initialDelayMs must be >= 0');
  if (!(options.maxDelayMs >= options.initialDelayMs)) throw new RangeError('reconnect.maxDelayMs must be >= initialDelayMs');
  if (!(options.factor >= 1)) throw new RangeError('reconnect.factor must be >= 1');
  if (!(options.jitter >= 0 && options.jitter <= 1)) throw new RangeError('reconnect.jitter must be between 0 and 1');
  if (!(options.maxAttempts >= 0)) throw new RangeError('reconnect.maxAttempts must be >= 0');
  return options;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
