/** Anything that carries a conversation `seq`. */
export interface Sequenced {
  seq?: number;
}

/**
 * Puts a conversation's messages back in `seq` order (SPEC 2: messages stored concurrently may
 * arrive out of order). `seq` is gap-free per conversation, so the next message to release is
 * always `lastSeq + 1`; later ones wait here, and repeats (a `sync` replay, a resend's echo) are
 * dropped. Pure logic: the caller decides when a gap has lasted too long and asks for a `sync`.
 *
 * @example
 * const buffer = new SeqReorderBuffer(0);
 * buffer.push({ seq: 2 }); // [] (waits for 1)
 * buffer.push({ seq: 1 }); // [{ seq: 1 }, { seq: 2 }]
 * buffer.push({ seq: 2 }); // [] (already released)
 */
export class SeqReorderBuffer<M extends Sequenced> {
  private contiguousSeq: number;
  private knownLastSeq: number;
  private readonly waiting = new Map<number, M>();

  /** @param lastSeq the last `seq` already seen; `0` replays the whole timeline. @default 0 */
  constructor(lastSeq = 0) {
    if (!Number.isSafeInteger(lastSeq) || lastSeq < 0) throw new RangeError('lastSeq must be a non-negative integer');
    this.contiguousSeq = lastSeq;
    this.knownLastSeq = lastSeq;
  }

  /** The last `seq` released: everything up to it was released once, in order. */
  get lastSeq(): number {
    return this.contiguousSeq;
  }

  /** How many messages wait for a missing one. */
  get pendingCount(): number {
    return this.waiting.size;
  }

  /** The newest `seq` known to exist: the highest received, or announced by `state` / `pong`. */
  get highestKnownSeq(): number {
    return this.knownLastSeq;
  }

  /** True while something is missing: a message waits behind a hole, or the server announced a newer `seq`. */
  get hasGap(): boolean {
    return this.knownLastSeq > this.contiguousSeq;
  }

  /**
   * Takes one message; returns the messages now releasable, in `seq` order (possibly none).
   * A message without a valid `seq` is not this buffer's business: it is returned at once.
   */
  push(message: M): M[] {
    const seq = message.seq;
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return [message];
    if (seq <= this.contiguousSeq || this.waiting.has(seq)) return [];
    this.knownLastSeq = Math.max(this.knownLastSeq, seq);
    if (seq !== this.contiguousSeq + 1) {
      this.waiting.set(seq, message);
      return [];
    }
    const released = [message];
    this.contiguousSeq = seq;
    for (let next = this.waiting.get(seq + 1); next; next = this.waiting.get(this.contiguousSeq + 1)) {
      this.waiting.delete(this.contiguousSeq + 1);
      this.contiguousSeq += 1;
      released.push(next);
    }
    return released;
  }

  /** The server says the conversation has reached `lastSeq` (a `state` or `pong` frame). */
  noteRemoteLastSeq(lastSeq: number): void {
    if (Number.isSafeInteger(lastSeq)) this.knownLastSeq = Math.max(this.knownLastSeq, lastSeq);
  }
}
