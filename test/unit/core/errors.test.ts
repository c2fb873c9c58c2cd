import { ConversationError, ErrorCode } from '../../../lambdas/core/errors';

describe('ErrorCode', () => {
  it('is a set of distinct snake_case words', () => {
    const codes = Object.values(ErrorCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z]+(_[a-z]+)*$/);
  });

  it('keeps the codes clients already match on', () => {
    expect(ErrorCode).toMatchObject({
      INVALID_JSON: 'invalid_json',
      INVALID_FRAME: 'invalid_frame',
      UNKNOWN_ACTION: 'unknown_action',
      INVALID_MESSAGE_TYPE: 'invalid_message_type',
      INVALID_FIELD: 'invalid_field',
      TEXT_TOO_LONG: 'text_too_long',
      LOCAL_ID_TOO_LONG: 'local_id_too_long',
      INVALID_OPTIONS: 'invalid_options',
      EMPTY_MESSAGE: 'empty_message',
      UNKNOWN_QUOTED_MESSAGE: 'unknown_quoted_message',
      CONVERSATION_ENDED: 'conversation_ended',
    });
  });
});

describe('ConversationError', () => {
  it('is an Error with a stable code and a message for people', () => {
    const error = new ConversationError(ErrorCode.TEXT_TOO_LONG, 'text must be short');
    expect(error).toBeInstanceOf(Error);
    expect(error).toBeInstanceOf(ConversationError);
    expect(error.name).toBe('ConversationError');
    expect(error.code).toBe('text_too_long');
    expect(error.message).toBe('text must be short');
  });

  it('has no local_id unless given one', () => {
    expect(new ConversationError(ErrorCode.INVALID_JSON, 'x').localId).toBeUndefined();
    expect(new ConversationError(ErrorCode.INVALID_JSON, 'x', 'l1').localId).toBe('l1');
  });

  describe('withLocalId', () => {
    it('returns a copy that echoes the local_id, leaving the original as it was', () => {
      const original = new ConversationError(ErrorCode.CONVERSATION_ENDED, 'the conversation has ended');
      const copy = original.withLocalId('l9');
      expect(copy).not.toBe(original);
      expect(copy).toBeInstanceOf(ConversationError);
      expect(copy.code).toBe('conversation_ended');
      expect(copy.message).toBe('the conversation has ended');
      expect(copy.localId).toBe('l9');
      expect(original.localId).toBeUndefined();
    });

    it('returns the same error when there is no local_id to add', () => {
      const original = new ConversationError(ErrorCode.BUSY, 'busy', 'l1');
      expect(original.withLocalId(undefined)).toBe(original);
    });
  });
});
