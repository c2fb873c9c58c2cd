import {
  deduplicationId,
  mayResendToQueues,
  QUEUE_DEDUPLICATION_WINDOW_MS,
  QUEUE_RESEND_WINDOW_MS,
} from '../../../lambdas/core/queue-ids';

const MESSAGE_ID = 'ae25f445-8eb2-5eec-adf2-49b05f93b9bd';
const COMMAND_ID = '6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b';

describe('deduplicationId', () => {
  it('is the message id and its approval status', () => {
    expect(deduplicationId(MESSAGE_ID, 0)).toBe(`${MESSAGE_ID}-0`);
  });

  it('is the same for the same message at the same approval status, so SQS drops a repeat', () => {
    expect(deduplicationId(MESSAGE_ID, 1)).toBe(deduplicationId(MESSAGE_ID, 1));
  });

  it('changes with the approval status, so an approval is a new delivery', () => {
    const ids = new Set([0, 1, 2].map((status) => deduplicationId(MESSAGE_ID, status)));
    expect(ids.size).toBe(3);
  });

  it('differs between messages', () => {
    expect(deduplicationId(MESSAGE_ID, 2)).not.toBe(deduplicationId('0f0e0d0c-0b0a-4908-8706-050403020100', 2));
  });

  it('fits the SQS MessageDeduplicationId rules (at most 128 characters, alphanumeric and punctuation)', () => {
    expect(deduplicationId(MESSAGE_ID, 2)).toMatch(/^[A-Za-z0-9!-/:-@[-`{-~]{1,128}$/);
    expect(deduplicationId(MESSAGE_ID, 2, COMMAND_ID)).toMatch(/^[A-Za-z0-9!-/:-@[-`{-~]{1,128}$/);
  });

  it('keys a redirect by the manager message that asked for it: each redirect is a delivery, a replay is not', () => {
    const otherCommandId = '11111111-2222-4333-8444-555555555555';
    expect(deduplicationId(MESSAGE_ID, 1, COMMAND_ID)).toBe(`${MESSAGE_ID}-1-${COMMAND_ID}`);
    expect(deduplicationId(MESSAGE_ID, 1, COMMAND_ID)).toBe(deduplicationId(MESSAGE_ID, 1, COMMAND_ID));
    expect(deduplicationId(MESSAGE_ID, 1, COMMAND_ID)).not.toBe(deduplicationId(MESSAGE_ID, 1, otherCommandId));
    expect(deduplicationId(MESSAGE_ID, 1, COMMAND_ID)).not.toBe(deduplicationId(MESSAGE_ID, 1));
  });
});

describe('mayResendToQueues', () => {
  const storedAt = '2026-11-25T10:00:00.000Z';
  const after = (ms: number) => new Date(Date.parse(storedAt) + ms);

  it('allows a resend while SQS would still drop the repeat, with a margin for clock skew', () => {
    expect(QUEUE_RESEND_WINDOW_MS).toBeLessThan(QUEUE_DEDUPLICATION_WINDOW_MS);
    expect(mayResendToQueues(storedAt, after(0))).toBe(true);
    expect(mayResendToQueues(storedAt, after(QUEUE_RESEND_WINDOW_MS - 1))).toBe(true);
  });

  it('refuses it from the end of the window on, when SQS would deliver it again', () => {
    expect(mayResendToQueues(storedAt, after(QUEUE_RESEND_WINDOW_MS))).toBe(false);
    expect(mayResendToQueues(storedAt, after(QUEUE_DEDUPLICATION_WINDOW_MS))).toBe(false);
  });

  it('allows it for a message stamped slightly in the future by another clock', () => {
    expect(mayResendToQueues(storedAt, after(-2_000))).toBe(true);
  });

  it('refuses it for a time it cannot read', () => {
    expect(mayResendToQueues('not a time', after(0))).toBe(false);
  });
});
