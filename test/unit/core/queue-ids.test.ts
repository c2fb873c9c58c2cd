import { deduplicationId } from '../../../lambdas/core/queue-ids';

const MESSAGE_ID = 'ae25f445-8eb2-5eec-adf2-49b05f93b9bd';

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
  });
});
