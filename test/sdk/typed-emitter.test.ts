import { RecentKeys } from '../../sdk/recent-keys';
import { TypedEmitter } from '../../sdk/typed-emitter';

class Emitter extends TypedEmitter<{ ping: number; done: void }> {
  fire(value: number): void {
    this.emit('ping', value);
  }
}

describe('TypedEmitter', () => {
  it('calls listeners until they unsubscribe', () => {
    const emitter = new Emitter();
    const seen: number[] = [];
    const off = emitter.on('ping', (value) => seen.push(value));
    emitter.fire(1);
    off();
    emitter.fire(2);
    expect(seen).toEqual([1]);
    expect(emitter.listenerCount('ping')).toBe(0);
  });

  it('calls a once listener once, and resolves next()', async () => {
    const emitter = new Emitter();
    const seen: number[] = [];
    emitter.once('ping', (value) => seen.push(value));
    const next = emitter.next('ping');
    emitter.fire(1);
    emitter.fire(2);
    expect(seen).toEqual([1]);
    await expect(next).resolves.toBe(1);
  });

  it('keeps calling the other listeners when one throws, and reports the error outside the emitter', () => {
    const reported: unknown[] = [];
    class Reporting extends Emitter {
      protected override reportListenerError(error: unknown): void {
        reported.push(error);
      }
    }
    const emitter = new Reporting();
    const seen: number[] = [];
    emitter.on('ping', () => {
      throw new Error('listener bug');
    });
    emitter.on('ping', (value) => seen.push(value));
    expect(() => emitter.fire(7)).not.toThrow();
    expect(seen).toEqual([7]);
    expect(reported).toEqual([new Error('listener bug')]);
  });
});

describe('RecentKeys', () => {
  it('tells a new key from a repeat', () => {
    const keys = new RecentKeys();
    expect(keys.add('a')).toBe(true);
    expect(keys.add('a')).toBe(false);
  });

  it('forgets the oldest key beyond its capacity', () => {
    const keys = new RecentKeys(2);
    keys.add('a');
    keys.add('b');
    keys.add('c');
    expect(keys.has('a')).toBe(false);
    expect(keys.has('c')).toBe(true);
    expect(keys.size).toBe(2);
  });
});
