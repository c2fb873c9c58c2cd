import { SeqReorderBuffer } from '../../sdk/seq-reorder-buffer';

const seqs = (messages: Array<{ seq?: number }>) => messages.map((message) => message.seq);

describe('SeqReorderBuffer', () => {
  it('releases messages that arrive in order at once', () => {
    const buffer = new SeqReorderBuffer();
    expect(seqs(buffer.push({ seq: 1 }))).toEqual([1]);
    expect(seqs(buffer.push({ seq: 2 }))).toEqual([2]);
    expect(buffer.lastSeq).toBe(2);
    expect(buffer.hasGap).toBe(false);
  });

  it('holds a message back until the ones before it arrive, then releases them all in seq order', () => {
    const buffer = new SeqReorderBuffer();
    expect(buffer.push({ seq: 3 })).toEqual([]);
    expect(buffer.push({ seq: 2 })).toEqual([]);
    expect(buffer.hasGap).toBe(true);
    expect(buffer.pendingCount).toBe(2);
    expect(seqs(buffer.push({ seq: 1 }))).toEqual([1, 2, 3]);
    expect(buffer.hasGap).toBe(false);
    expect(buffer.pendingCount).toBe(0);
  });

  it('drops repeats: already released, or already waiting', () => {
    const buffer = new SeqReorderBuffer();
    buffer.push({ seq: 1 });
    buffer.push({ seq: 3 });
    expect(buffer.push({ seq: 1 })).toEqual([]);
    expect(buffer.push({ seq: 3 })).toEqual([]);
    expect(seqs(buffer.push({ seq: 2 }))).toEqual([2, 3]);
  });

  it('starts after a given seq: older messages are repeats', () => {
    const buffer = new SeqReorderBuffer(10);
    expect(buffer.push({ seq: 10 })).toEqual([]);
    expect(seqs(buffer.push({ seq: 11 }))).toEqual([11]);
  });

  it('counts a newer seq announced by the server (state or pong) as a gap until it arrives', () => {
    const buffer = new SeqReorderBuffer(4);
    buffer.noteRemoteLastSeq(6);
    expect(buffer.hasGap).toBe(true);
    expect(buffer.highestKnownSeq).toBe(6);
    buffer.push({ seq: 5 });
    buffer.push({ seq: 6 });
    expect(buffer.hasGap).toBe(false);
  });

  it('does not count an older announced seq as a gap', () => {
    const buffer = new SeqReorderBuffer(4);
    buffer.noteRemoteLastSeq(2);
    expect(buffer.hasGap).toBe(false);
  });

  it('returns a message without a valid seq at once, and leaves the sequence alone', () => {
    const buffer = new SeqReorderBuffer();
    const unsequenced = { id: 'x' } as { id: string; seq?: number };
    expect(buffer.push(unsequenced)).toEqual([unsequenced]);
    expect(buffer.push({ seq: 0 })).toHaveLength(1);
    expect(buffer.push({ seq: 1.5 })).toHaveLength(1);
    expect(buffer.lastSeq).toBe(0);
  });

  it('refuses a negative or fractional starting seq', () => {
    expect(() => new SeqReorderBuffer(-1)).toThrow(RangeError);
    expect(() => new SeqReorderBuffer(0.5)).toThrow(RangeError);
  });

  it('keeps order over a long shuffled run', () => {
    const buffer = new SeqReorderBuffer();
    const order = Array.from({ length: 200 }, (_, index) => index + 1).sort(() => Math.random() - 0.5);
    const released = order.flatMap((seq) => seqs(buffer.push({ seq })));
    expect(released).toEqual(Array.from({ length: 200 }, (_, index) => index + 1));
  });
});
