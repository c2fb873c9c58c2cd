/**
 * Follows every benchmark message from its send to its receipt by each participant: fan-out
 * latency (send → every other participant has it), and anything dropped, duplicated or received
 * out of `seq` order. No sockets here: the clients call `received`. Unit-tested in
 * `test/bench/delivery-tracker.test.ts`.
 */

export interface DeliveryCounts {
  /** Messages sent. */
  sent: number;
  /** Messages every other participant received. */
  completed: number;
  /** Expected receipts (one per participant, the sender's own echo included) that never came. */
  dropped: number;
  /** Receipts of a message a participant already had. */
  duplicated: number;
  /** Receipts with a `seq` lower than one the participant already had. */
  outOfOrder: number;
  /** Receipts in all. */
  received: number;
}

export interface DeliveryResults {
  counts: DeliveryCounts;
  /** Per message: ms from the send until the last other participant had it. */
  completionsMs: number[];
  /** The same, by message key (`local_id`), to find the slowest messages' invocations. */
  completionsByKey: Array<{ key: string; ms: number }>;
}

interface Pending {
  key: string;
  sentAt: number;
  sender: string;
  /** Participants still to receive it (the sender included). */
  missing: Set<string>;
  /** Others (not the sender) still to receive it. */
  othersMissing: number;
  receivedBy: Set<string>;
  complete: boolean;
  resolve: (completionMs: number) => void;
}

export class DeliveryTracker {
  private readonly messages = new Map<string, Pending>();
  /** Last `seq` each participant received; kept across phases (a conversation's seq only grows). */
  private readonly lastSeq = new Map<string, number>();
  private completionsMs: number[] = [];
  private completionsByKey: Array<{ key: string; ms: number }> = [];
  private counts: DeliveryCounts = emptyCounts();
  private drainWaiters: Array<() => void> = [];
  private outstanding = 0;

  /**
   * Registers a message about to be sent (call it right before the send). Resolves with its
   * completion time (ms) once every participant but the sender has it.
   */
  expect(key: string, sender: string, participants: readonly string[], sentAt: number): Promise<number> {
    if (this.messages.has(key)) throw new Error(`message ${key} is tracked already`);
    return new Promise((resolve) => {
      const others = participants.filter((id) => id !== sender).length;
      const pending: Pending = {
        key,
        sentAt,
        sender,
        missing: new Set(participants),
        othersMissing: others,
        receivedBy: new Set(),
        complete: false,
        resolve,
      };
      this.messages.set(key, pending);
      this.counts.sent++;
      this.outstanding += pending.missing.size;
      if (others === 0) this.complete(pending, sentAt);
    });
  }

  /** When `key` was sent, if it is tracked. */
  sentAt(key: string): number | undefined {
    return this.messages.get(key)?.sentAt;
  }

  /** A participant received a message frame; frames of untracked messages are ignored. */
  received(participant: string, key: string, seq: number | undefined, at: number): void {
    const message = this.messages.get(key);
    if (!message) return;
    this.counts.received++;
    if (message.receivedBy.has(participant)) {
      this.counts.duplicated++;
      return;
    }
    message.receivedBy.add(participant);
    if (seq !== undefined) {
      const last = this.lastSeq.get(participant);
      if (last !== undefined && seq < last) this.counts.outOfOrder++;
      else this.lastSeq.set(participant, seq);
    }
    if (message.missing.delete(participant)) {
      this.outstanding--;
      if (participant !== message.sender) message.othersMissing--;
      if (message.othersMissing === 0 && !message.complete) this.complete(message, at);
      if (this.outstanding === 0) this.wakeDrainWaiters();
    }
  }

  /** Resolves once every expected receipt came, or after `timeoutMs`; true when all came. */
  async drained(timeoutMs: number): Promise<boolean> {
    if (this.outstanding === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const done = await Promise.race([
      new Promise<boolean>((resolve) => this.drainWaiters.push(() => resolve(true))),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    return done;
  }

  /** Counts since the last `takeResults`, while messages are still on their way. */
  current(): DeliveryCounts {
    return { ...this.counts };
  }

  /** Results since the last call; whatever is still missing counts as dropped. Starts afresh. */
  takeResults(): DeliveryResults {
    let dropped = 0;
    for (const message of this.messages.values()) dropped += message.missing.size;
    const results = { counts: { ...this.counts, dropped }, completionsMs: this.completionsMs, completionsByKey: this.completionsByKey };
    this.messages.clear();
    this.completionsMs = [];
    this.completionsByKey = [];
    this.counts = emptyCounts();
    this.outstanding = 0;
    this.wakeDrainWaiters();
    return results;
  }

  private complete(message: Pending, at: number): void {
    message.complete = true;
    const completionMs = at - message.sentAt;
    this.completionsMs.push(completionMs);
    this.completionsByKey.push({ key: message.key, ms: completionMs });
    this.counts.completed++;
    message.resolve(completionMs);
  }

  private wakeDrainWaiters(): void {
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const wake of waiters) wake();
  }
}

function emptyCounts(): DeliveryCounts {
  return { sent: 0, completed: 0, dropped: 0, duplicated: 0, outOfOrder: 0, received: 0 };
}
