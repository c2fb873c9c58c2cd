import { DeliveryTracker } from '../../bench/delivery-tracker';

describe('DeliveryTracker', () => {
  it('completes a message once every other participant has it, timed from the send', async () => {
    const tracker = new DeliveryTracker();
    const completion = tracker.expect('m1', 'a', ['a', 'b', 'c'], 100);
    tracker.received('b', 'm1', 1, 103);
    tracker.received('c', 'm1', 1, 107);
    await expect(completion).resolves.toBe(7);
    tracker.received('a', 'm1', 1, 110);
    const results = tracker.takeResults();
    expect(results.completionsMs).toEqual([7]);
    expect(results.counts).toEqual({ sent: 1, completed: 1, dropped: 0, duplicated: 0, outOfOrder: 0, received: 3 });
  });

  it("counts a missing receipt as dropped, the sender's own copy included", () => {
    const tracker = new DeliveryTracker();
    void tracker.expect('m1', 'a', ['a', 'b'], 0);
    tracker.received('b', 'm1', 1, 1);
    expect(tracker.takeResults().counts).toMatchObject({ completed: 1, dropped: 1 });
  });

  it('counts duplicates and receipts out of seq order', () => {
    const tracker = new DeliveryTracker();
    void tracker.expect('m1', 'a', ['a', 'b'], 0);
    void tracker.expect('m2', 'a', ['a', 'b'], 0);
    tracker.received('b', 'm2', 2, 1);
    tracker.received('b', 'm1', 1, 2);
    tracker.received('b', 'm1', 1, 3);
    expect(tracker.takeResults().counts).toMatchObject({ duplicated: 1, outOfOrder: 1 });
  });

  it('ignores frames of messages it does not track', () => {
    const tracker = new DeliveryTracker();
    tracker.received('b', 'state-frame', 5, 1);
    expect(tracker.takeResults().counts.received).toBe(0);
  });

  it('says when every expected receipt came', async () => {
    const tracker = new DeliveryTracker();
    void tracker.expect('m1', 'a', ['a', 'b'], 0);
    const drained = tracker.drained(1000);
    tracker.received('a', 'm1', 1, 1);
    tracker.received('b', 'm1', 1, 1);
    await expect(drained).resolves.toBe(true);
    void tracker.expect('m2', 'a', ['a', 'b'], 0);
    await expect(tracker.drained(5)).resolves.toBe(false);
  });

  it('refuses to track one message twice', () => {
    const tracker = new DeliveryTracker();
    void tracker.expect('m1', 'a', ['a'], 0);
    expect(() => tracker.expect('m1', 'a', ['a'], 0)).toThrow(/tracked already/);
  });
});
