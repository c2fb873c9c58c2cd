type Listener<T> = (payload: T) => void;

/**
 * A small event emitter with typed events, for browsers and Node alike (no `events` import).
 * A listener that throws does not stop the others, nor the client: its error is reported
 * asynchronously, as `EventTarget` does.
 *
 * @example
 * client.on('message', (message) => render(message));
 * const off = client.on('state', (state) => renderRoster(state.participants));
 * off(); // unsubscribes
 */
export class TypedEmitter<Events> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never>>>();

  /** Subscribes; returns a function that unsubscribes. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as Listener<never>);
    return () => this.off(event, listener);
  }

  /** Subscribes for the next event only. */
  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const off = this.on(event, (payload) => {
      off();
      listener(payload);
    });
    return off;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(listener as Listener<never>);
  }

  /** Resolves with the next event's payload. */
  next<K extends keyof Events>(event: K): Promise<Events[K]> {
    return new Promise((resolve) => this.once(event, resolve));
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as Listener<Events[K]>)(payload);
      } catch (error) {
        this.reportListenerError(error);
      }
    }
  }

  /** Where a listener's error goes: thrown again outside the emitter, like an `EventTarget` listener's. */
  protected reportListenerError(error: unknown): void {
    setTimeout(() => {
      throw error;
    }, 0);
  }
}
