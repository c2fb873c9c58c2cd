import {
  isMessageFrameText,
  localIdOf,
  parseClientFrame,
  parseClientFrameText,
  parseMessageDraft,
} from '../../../lambdas/core/client-frame';
import { ConversationError, ErrorCode } from '../../../lambdas/core/errors';
import { LIMITS } from '../../../lambdas/core/limits';

const QUOTED_ID = '8f3c2a4e-1b7d-4c9a-9e2f-5d6b7a8c9d0e';

/** The `ConversationError` a call throws, so each test can check code, message and local_id. */
function refusal(parse: () => unknown): ConversationError {
  try {
    parse();
  } catch (error) {
    if (error instanceof ConversationError) return error;
    throw new Error(`expected a ConversationError, got ${String(error)}`);
  }
  throw new Error('expected the frame to be refused, but it was accepted');
}

describe('parseClientFrameText', () => {
  it('parses a message frame from its raw text', () => {
    expect(parseClientFrameText('{"type":"T","text":"hi","local_id":"l1"}')).toEqual({
      kind: 'message',
      draft: { type: 'T', text: 'hi', local_id: 'l1' },
    });
  });

  it.each([['not json'], ['{"type":"T",'], [''], ["{'type':'T'}"], ['undefined']])(
    'refuses %j with invalid_json',
    (text) => {
      const error = refusal(() => parseClientFrameText(text));
      expect(error.code).toBe(ErrorCode.INVALID_JSON);
      expect(error.message).toBe('frame is not valid JSON');
      expect(error.localId).toBeUndefined();
    },
  );

  it.each([['[1,2]'], ['null'], ['"text"'], ['42'], ['true']])(
    'refuses the JSON value %s, which is not an object, with invalid_frame',
    (text) => {
      const error = refusal(() => parseClientFrameText(text));
      expect(error.code).toBe(ErrorCode.INVALID_FRAME);
      expect(error.message).toBe('frame must be a JSON object');
    },
  );
});

describe('parseClientFrame', () => {
  it.each([[[]], [null], ['a string'], [7], [undefined]])('refuses the non-object %j with invalid_frame', (value) => {
    expect(refusal(() => parseClientFrame(value)).code).toBe(ErrorCode.INVALID_FRAME);
  });

  describe('actions', () => {
    it('reads a ping', () => {
      expect(parseClientFrame({ action: 'ping' })).toEqual({ kind: 'ping' });
    });

    it('reads a ping even when it carries message fields', () => {
      expect(parseClientFrame({ action: 'ping', type: 'S', text: 'x'.repeat(5000) })).toEqual({ kind: 'ping' });
    });

    it.each([[0], [1], [42], [Number.MAX_SAFE_INTEGER]])('reads a sync after seq %d', (afterSeq) => {
      expect(parseClientFrame({ action: 'sync', after_seq: afterSeq })).toEqual({ kind: 'sync', afterSeq });
    });

    it('reads a sync without after_seq as a sync of the whole timeline (after_seq 0)', () => {
      expect(parseClientFrame({ action: 'sync' })).toEqual({ kind: 'sync', afterSeq: 0 });
    });

    it.each([
      ['negative', -1],
      ['fractional', 1.5],
      ['a numeric string', '3'],
      ['a boolean', true],
      ['an object', { seq: 1 }],
      ['beyond the safe integers', 2 ** 53],
      ['not finite', Infinity],
      ['NaN', NaN],
    ])('refuses a sync whose after_seq is %s with invalid_field', (_label, afterSeq) => {
      const error = refusal(() => parseClientFrame({ action: 'sync', after_seq: afterSeq }));
      expect(error.code).toBe(ErrorCode.INVALID_FIELD);
      expect(error.message).toBe('after_seq must be a non-negative integer');
    });

    it.each([['subscribe'], ['SYNC'], [''], [null], [1]])('refuses the action %j with unknown_action', (action) => {
      const error = refusal(() => parseClientFrame({ action, type: 'T', text: 'hi' }));
      expect(error.code).toBe(ErrorCode.UNKNOWN_ACTION);
      expect(error.message).toContain(JSON.stringify(action));
      expect(error.message).toContain('expected "sync" or "ping"');
    });
  });

  it('reads an object without action as a message', () => {
    expect(parseClientFrame({ type: 'T', text: 'hello' })).toEqual({
      kind: 'message',
      draft: { type: 'T', text: 'hello' },
    });
  });
});

describe('parseMessageDraft', () => {
  describe('type', () => {
    it.each([['T'], ['V'], ['a'], ['v'], ['i'], ['A']])('accepts a message of type %s', (type) => {
      const frame = type === 'T' ? { type, text: 'hi' } : { type, external_file_url: 'https://files.example/f' };
      expect(parseMessageDraft(frame).type).toBe(type);
    });

    it('refuses a system message with invalid_message_type, echoing its local_id', () => {
      const error = refusal(() => parseMessageDraft({ type: 'S', text: 'hi', local_id: 'sys-1' }));
      expect(error.code).toBe(ErrorCode.INVALID_MESSAGE_TYPE);
      expect(error.message).toBe('clients cannot send system messages');
      expect(error.localId).toBe('sys-1');
    });

    it.each([['missing', undefined], ['unknown', 'X'], ['lower-case t', 't'], ['a number', 1], ['null', null]])(
      'refuses a type that is %s with invalid_message_type, listing the allowed ones',
      (_label, type) => {
        const error = refusal(() => parseMessageDraft({ type, text: 'hi', local_id: 'l' }));
        expect(error.code).toBe(ErrorCode.INVALID_MESSAGE_TYPE);
        expect(error.message).toBe('type must be one of "T", "V", "a", "v", "i", "A"');
        expect(error.localId).toBe('l');
      },
    );
  });

  describe('text', () => {
    it(`accepts exactly ${LIMITS.MAX_TEXT_CHARS} characters`, () => {
      const text = 'x'.repeat(LIMITS.MAX_TEXT_CHARS);
      expect(parseMessageDraft({ type: 'T', text }).text).toBe(text);
    });

    it(`refuses ${LIMITS.MAX_TEXT_CHARS + 1} characters with text_too_long, echoing the local_id`, () => {
      const error = refusal(() =>
        parseMessageDraft({ type: 'T', text: 'x'.repeat(LIMITS.MAX_TEXT_CHARS + 1), local_id: 'long-1' }),
      );
      expect(error.code).toBe(ErrorCode.TEXT_TOO_LONG);
      expect(error.message).toBe('text must be a string of at most 4000 characters');
      expect(error.localId).toBe('long-1');
    });

    it('counts characters, not UTF-16 units: 4000 emoji are accepted and 4001 refused', () => {
      expect(parseMessageDraft({ type: 'T', text: '😀'.repeat(4000) }).text).toHaveLength(8000);
      expect(refusal(() => parseMessageDraft({ type: 'T', text: '😀'.repeat(4001) })).code).toBe(
        ErrorCode.TEXT_TOO_LONG,
      );
    });

    it('refuses a text that is not a string', () => {
      expect(refusal(() => parseMessageDraft({ type: 'T', text: 12 })).message).toBe(
        'text must be a string of at most 4000 characters',
      );
    });

    it.each([['absent', undefined], ['null', null], ['empty', ''], ['blank', ' \n\t ']])(
      'refuses a text message whose text is %s with empty_message, echoing the local_id',
      (_label, text) => {
        const error = refusal(() => parseMessageDraft({ type: 'T', text, local_id: 'e1' }));
        expect(error.code).toBe(ErrorCode.EMPTY_MESSAGE);
        expect(error.message).toBe('a text message needs a non-empty text');
        expect(error.localId).toBe('e1');
      },
    );

    it('accepts an empty text message that carries a command (the bot manager approving or redirecting)', () => {
      expect(parseMessageDraft({ type: 'T', command: '{"action":"approve"}' })).toEqual({
        type: 'T',
        command: '{"action":"approve"}',
      });
    });

    it('accepts a file message without a caption', () => {
      expect(parseMessageDraft({ type: 'i', external_file_url: 'https://files.example/cat.png' })).toEqual({
        type: 'i',
        external_file_url: 'https://files.example/cat.png',
      });
    });

    it('keeps the caption of a file message', () => {
      expect(
        parseMessageDraft({ type: 'V', text: 'listen', external_file_url: 'https://files.example/v.ogg' }).text,
      ).toBe('listen');
    });
  });

  describe('local_id', () => {
    it(`accepts ${LIMITS.MAX_LOCAL_ID_CHARS} characters`, () => {
      const localId = 'l'.repeat(LIMITS.MAX_LOCAL_ID_CHARS);
      expect(parseMessageDraft({ type: 'T', text: 'hi', local_id: localId }).local_id).toBe(localId);
    });

    it(`refuses ${LIMITS.MAX_LOCAL_ID_CHARS + 1} characters with local_id_too_long, echoing it so the client can match the refusal`, () => {
      const tooLong = 'l'.repeat(LIMITS.MAX_LOCAL_ID_CHARS + 1);
      const error = refusal(() => parseMessageDraft({ type: 'T', text: 'hi', local_id: tooLong }));
      expect(error.code).toBe(ErrorCode.LOCAL_ID_TOO_LONG);
      expect(error.message).toBe('local_id must be a non-empty string of at most 32 characters');
      expect(error.localId).toBe(tooLong);
    });

    it('refuses an empty local_id with invalid_field and does not echo it', () => {
      const error = refusal(() => parseMessageDraft({ type: 'T', text: 'hi', local_id: '' }));
      expect(error.code).toBe(ErrorCode.INVALID_FIELD);
      expect(error.message).toContain('non-empty');
      expect(error.localId).toBeUndefined();
    });

    it('refuses a local_id that is not a string with invalid_field', () => {
      expect(refusal(() => parseMessageDraft({ type: 'T', text: 'hi', local_id: 5 })).code).toBe(
        ErrorCode.INVALID_FIELD,
      );
    });

    it('treats a null local_id as absent', () => {
      expect(parseMessageDraft({ type: 'T', text: 'hi', local_id: null })).toEqual({ type: 'T', text: 'hi' });
    });
  });

  describe('quoted_message_id', () => {
    it('accepts a UUID, in either case', () => {
      expect(parseMessageDraft({ type: 'T', text: 'hi', quoted_message_id: QUOTED_ID }).quoted_message_id).toBe(
        QUOTED_ID,
      );
      const upper = QUOTED_ID.toUpperCase();
      expect(parseMessageDraft({ type: 'T', text: 'hi', quoted_message_id: upper }).quoted_message_id).toBe(upper);
    });

    it.each([['not-a-uuid'], [''], [QUOTED_ID.replace(/-/g, '')], [`{${QUOTED_ID}}`], [42]])(
      'refuses %j with invalid_field, echoing the local_id',
      (quoted) => {
        const error = refusal(() =>
          parseMessageDraft({ type: 'T', text: 'hi', local_id: 'q1', quoted_message_id: quoted }),
        );
        expect(error.code).toBe(ErrorCode.INVALID_FIELD);
        expect(error.message).toBe('quoted_message_id must be a message id (UUID)');
        expect(error.localId).toBe('q1');
      },
    );
  });

  describe('options', () => {
    it('keeps a list of strings', () => {
      expect(parseMessageDraft({ type: 'T', text: 'pick', options: ['yes', 'no'] }).options).toEqual(['yes', 'no']);
    });

    it('drops an empty list', () => {
      const draft = parseMessageDraft({ type: 'T', text: 'pick', options: [] });
      expect(draft).toEqual({ type: 'T', text: 'pick' });
      expect('options' in draft).toBe(false);
    });

    it(`accepts ${LIMITS.MAX_OPTIONS} options and refuses ${LIMITS.MAX_OPTIONS + 1}`, () => {
      const options = Array.from({ length: LIMITS.MAX_OPTIONS }, (_, i) => `o${i}`);
      expect(parseMessageDraft({ type: 'T', text: 'pick', options }).options).toHaveLength(LIMITS.MAX_OPTIONS);
      const error = refusal(() => parseMessageDraft({ type: 'T', text: 'pick', options: [...options, 'extra'] }));
      expect(error.code).toBe(ErrorCode.INVALID_OPTIONS);
    });

    it(`accepts an option of ${LIMITS.MAX_OPTION_CHARS} characters and refuses one more`, () => {
      const longest = 'o'.repeat(LIMITS.MAX_OPTION_CHARS);
      expect(parseMessageDraft({ type: 'T', text: 'pick', options: [longest] }).options).toEqual([longest]);
      expect(refusal(() => parseMessageDraft({ type: 'T', text: 'pick', options: [`${longest}o`] })).code).toBe(
        ErrorCode.INVALID_OPTIONS,
      );
    });

    it.each([
      ['not a list', 'yes,no'],
      ['an object', { 0: 'yes' }],
      ['a list with a number', ['yes', 2]],
      ['a list with null', ['yes', null]],
      ['a list with an empty string', ['yes', '']],
    ])('refuses options that are %s with invalid_options, echoing the local_id', (_label, options) => {
      const error = refusal(() => parseMessageDraft({ type: 'T', text: 'pick', local_id: 'o1', options }));
      expect(error.code).toBe(ErrorCode.INVALID_OPTIONS);
      expect(error.message).toBe('options must be a list of at most 20 non-empty strings of at most 200 characters');
      expect(error.localId).toBe('o1');
    });
  });

  describe('command', () => {
    it('keeps a command string as sent', () => {
      const command = '{"action": "redirect", "bots": ["Echo"]}';
      expect(parseMessageDraft({ type: 'T', text: 'hi', command }).command).toBe(command);
    });

    it('stringifies a command sent as an object', () => {
      const draft = parseMessageDraft({ type: 'T', command: { action: 'approve', self_approve: true } });
      expect(typeof draft.command).toBe('string');
      expect(JSON.parse(draft.command!)).toEqual({ action: 'approve', self_approve: true });
    });

    it.each([
      ['a list', ['approve'], '["approve"]'],
      ['a number', 3, '3'],
      ['a boolean', true, 'true'],
    ])('keeps a command that is %s as its JSON text (only the manager reads it; SPEC 3 ignores, not refuses)', (_label, command, text) => {
      expect(parseMessageDraft({ type: 'T', text: 'hi', command }).command).toBe(text);
    });

    it(`refuses a command longer than ${LIMITS.MAX_TEXT_CHARS} characters, also when sent as an object`, () => {
      expect(refusal(() => parseMessageDraft({ type: 'T', text: 'hi', command: 'x'.repeat(4001) })).code).toBe(
        ErrorCode.INVALID_FIELD,
      );
      const bots = Array.from({ length: 500 }, (_, i) => `bot-number-${i}`);
      expect(refusal(() => parseMessageDraft({ type: 'T', text: 'hi', command: { bots } })).code).toBe(
        ErrorCode.INVALID_FIELD,
      );
    });
  });

  describe('file fields', () => {
    const url = 'https://files.example/report.pdf';

    it('keeps every file field of a file message', () => {
      expect(
        parseMessageDraft({
          type: 'A',
          text: 'the report',
          external_file_url: url,
          file_name: 'report.pdf',
          file_size: 1024,
          mime_type: 'application/pdf',
        }),
      ).toEqual({
        type: 'A',
        text: 'the report',
        external_file_url: url,
        file_name: 'report.pdf',
        file_size: 1024,
        mime_type: 'application/pdf',
      });
    });

    it('accepts a file_size of 0', () => {
      expect(parseMessageDraft({ type: 'A', external_file_url: url, file_size: 0 }).file_size).toBe(0);
    });

    it.each([['external_file_url', url], ['file_name', 'a.txt'], ['file_size', 3], ['mime_type', 'text/plain']])(
      'refuses %s on a text message with invalid_field',
      (field, value) => {
        const error = refusal(() => parseMessageDraft({ type: 'T', text: 'hi', local_id: 'f1', [field]: value }));
        expect(error.code).toBe(ErrorCode.INVALID_FIELD);
        expect(error.message).toBe(`${field} is only allowed on file messages`);
        expect(error.localId).toBe('f1');
      },
    );

    it.each([['V'], ['a'], ['v'], ['i'], ['A']])('refuses a message of type %s without external_file_url', (type) => {
      const error = refusal(() => parseMessageDraft({ type, text: 'caption', file_name: 'x.bin', local_id: 'f2' }));
      expect(error.code).toBe(ErrorCode.INVALID_FIELD);
      expect(error.message).toBe(`a message of type "${type}" needs external_file_url`);
      expect(error.localId).toBe('f2');
    });

    it.each([['http://files.example/a.png'], ['https://files.example/a.png'], ['http://127.0.0.1:3000/a.png']])(
      'accepts the http(s) URL %s',
      (externalUrl) => {
        expect(parseMessageDraft({ type: 'i', external_file_url: externalUrl }).external_file_url).toBe(externalUrl);
      },
    );

    it.each([
      ['ftp://files.example/a.png'],
      ['file:///etc/passwd'],
      ['javascript:alert(1)'],
      ['data:image/png;base64,AAAA'],
      ['files.example/a.png'],
      ['http://'],
    ])('refuses the non-http URL %s with invalid_field', (externalUrl) => {
      const error = refusal(() => parseMessageDraft({ type: 'i', external_file_url: externalUrl }));
      expect(error.code).toBe(ErrorCode.INVALID_FIELD);
      expect(error.message).toBe('external_file_url must be an http(s) URL of at most 2048 characters');
    });

    it(`refuses a URL longer than ${LIMITS.MAX_URL_CHARS} characters`, () => {
      const prefix = 'https://files.example/';
      const fits = prefix + 'a'.repeat(LIMITS.MAX_URL_CHARS - prefix.length);
      expect(parseMessageDraft({ type: 'i', external_file_url: fits }).external_file_url).toBe(fits);
      expect(refusal(() => parseMessageDraft({ type: 'i', external_file_url: `${fits}a` })).code).toBe(
        ErrorCode.INVALID_FIELD,
      );
    });

    it.each([
      ['file_size', -1, 'file_size must be a non-negative integer'],
      ['file_size', 1.5, 'file_size must be a non-negative integer'],
      ['file_size', '10', 'file_size must be a non-negative integer'],
      ['file_name', '', 'file_name must be a file name of at most 255 characters'],
      ['file_name', 'n'.repeat(256), 'file_name must be a file name of at most 255 characters'],
      ['mime_type', '', 'mime_type must be a MIME type of at most 255 characters'],
      ['mime_type', 7, 'mime_type must be a MIME type of at most 255 characters'],
    ])('refuses %s = %j on a file message', (field, value, message) => {
      const error = refusal(() => parseMessageDraft({ type: 'A', external_file_url: url, [field]: value }));
      expect(error.code).toBe(ErrorCode.INVALID_FIELD);
      expect(error.message).toBe(message);
    });
  });

  describe('fields the client does not own', () => {
    it('ignores unknown fields and never takes server-owned ones from the client', () => {
      const draft = parseMessageDraft({
        type: 'T',
        text: 'hi',
        local_id: 'l1',
        id: QUOTED_ID,
        seq: 99,
        sender_id: 'someone-else',
        approval_status: 2,
        time: '2000-01-01T00:00:00.000Z',
        sent_by_human: false,
        sent_by_manager: true,
        event: 'conversation-ended',
        additional_metadata: { participant_id: 'x' },
        file_url: 'https://evil.example/x',
        conversation_id: 'other',
        whatever: 1,
      });
      expect(draft).toEqual({ type: 'T', text: 'hi', local_id: 'l1' });
    });

    it('treats null fields as absent', () => {
      expect(
        parseMessageDraft({
          type: 'T',
          text: 'hi',
          quoted_message_id: null,
          options: null,
          command: null,
          external_file_url: null,
          file_name: null,
        }),
      ).toEqual({ type: 'T', text: 'hi' });
    });
  });

  it('echoes a valid local_id made of astral characters when another field is refused', () => {
    // SPEC 2: `local_id` echoes the client's when it had one. 20 emoji are 20 characters (<= 32) but 40 UTF-16 units.
    const localId = '😀'.repeat(20);
    expect(parseMessageDraft({ type: 'T', text: 'hi', local_id: localId }).local_id).toBe(localId);
    const error = refusal(() => parseMessageDraft({ type: 'T', text: '', local_id: localId }));
    expect(error.code).toBe(ErrorCode.EMPTY_MESSAGE);
    expect(error.localId).toBe(localId);
  });
});

describe('isMessageFrameText', () => {
  it.each([
    ['a valid message', '{"type":"T","text":"hi"}'],
    ['a message of an unknown type', '{"type":"X"}'],
    ['an empty object', '{}'],
  ])('is true for %s', (_label, text) => {
    expect(isMessageFrameText(text)).toBe(true);
  });

  it.each([
    ['a ping', '{"action":"ping"}'],
    ['an unknown action', '{"action":"dance"}'],
    ['text that is not JSON', 'hello'],
    ['a JSON array', '[{"type":"T"}]'],
    ['a JSON string', '"hi"'],
    ['null', 'null'],
  ])('is false for %s', (_label, text) => {
    expect(isMessageFrameText(text)).toBe(false);
  });
});

describe('localIdOf', () => {
  it('returns any non-empty string local_id, one too long included', () => {
    expect(localIdOf({ local_id: 'abc' })).toBe('abc');
    expect(localIdOf({ local_id: 'l'.repeat(33) })).toBe('l'.repeat(33));
  });

  it.each([
    ['a frame without local_id', { type: 'T' }],
    ['an empty local_id', { local_id: '' }],
    ['a numeric local_id', { local_id: 5 }],
    ['an array frame', [{ local_id: 'abc' }]],
    ['null', null],
    ['a string', 'abc'],
  ])('returns undefined for %s', (_label, frame) => {
    expect(localIdOf(frame)).toBeUndefined();
  });
});
