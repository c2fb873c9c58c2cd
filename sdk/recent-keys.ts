/**
 * A set that remembers the last `capacity` keys it was given, oldest forgotten first. Used to
 * emit messages without `seq` once (by id + approval status) without growing forever.
 */
export class RecentKeys {
  private readonly keys = new Set<string>();

  /** @param capacity @default 1000 */
  constructor(private readonly capacity = 1000) {
    if (!(capacity >= 1)) throw new RangeError('capacity must be >= 1');
  }

  /** Adds `key`; returns false when it was already there. */
  add(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > this.capacity) {
      const oldest = this.keys.values().next().value as string;
      this.keys.delete(oldest);
    }
    return true;
  }

  has(key: string): boolean {
    return this.keys.has(key);
  }

  get size(): number {
    return this.keys.size;
  }
}
