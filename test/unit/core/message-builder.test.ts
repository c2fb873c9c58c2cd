import type { MessageDraft } from '../../../lambdas/core/client-frame';
import {
  buildMessage,
  buildSystemMessage,
  participantMetadata,
  withOverrides,
  type MessageAuthorship,
} from '../../../lambdas/core/message-builder';
import { ApprovalStatus, SystemEvent, type WireMessage } from '../../../lambdas/core/wire';
import { bot, botParticipant, human, message } from './builders';

const TIME = new Date('2024-05-01T10:00:00.123Z');
const ID = '0f0e0d0c-0b0a-4908-8706-050403020100';
const ana = human('h-ana', 'Ana');
const manager = botParticipant(bot('Manager', { isManager: true }));
const echo = botParticipant(bot('Echo', { delivery: 'websocket' }));

const byHuman: MessageAuthorship = { sender: ana, sentByManager: false, keepCommand: false };
const byManager: MessageAuthorship = { sender: manager, sentByManager: true, keepCommand: true };
const FILE_FIELDS = ['file_url', 'file_name', 'file_size', 'mime_type', 'external_file_url'];

describe('buildSystemMessage', () => {
  it('builds an approved system message with its event and metadata', () => {
    expect(
      buildSystemMessage(ID, SystemEvent.PARTICIPANT_JOINED, TIME, { participant_id: 'h-ana' }),
    ).toEqual({
      id: ID,
      type: 'S',
      time: '2024-05-01T10:00:00.123Z',
      event: 'participant-joined',
      additional_metadata: { participant_id: 'h-ana' },
      approval_status: ApprovalStatus.AUTOMATICALLY_APPROVED,
      sent_by_human: false,
      sent_by_manager: false,
    });
  });

  it('carries no sender, text, local_id, seq or file fields', () => {
    const built = buildSystemMessage(ID, SystemEvent.CONVERSATION_CREATED, TIME, {});
    for (const field of ['sender_id', 'text', 'local_id', 'seq', 'options', 'command', ...FILE_FIELDS]) {
      expect(built).not.toHaveProperty(field);
    }
  });

  it('leaves additional_metadata out when none is given', () => {
    expect(buildSystemMessage(ID, SystemEvent.CONVERSATION_ENDED, TIME)).not.toHaveProperty('additional_metadata');
  });

  it('writes the time in ISO 8601 UTC with milliseconds', () => {
    expect(buildSystemMessage(ID, SystemEvent.PARTICIPANT_LEFT, new Date(Date.UTC(2024, 0, 2, 3, 4, 5))).time).toBe(
      '2024-01-02T03:04:05.000Z',
    );
  });
});

describe('buildMessage', () => {
  it('builds a human text message with the sender and every field it carries', () => {
    const draft: MessageDraft = {
      type: 'T',
      text: 'pick one',
      local_id: 'l1',
      quoted_message_id: 'q-1',
      options: ['a', 'b'],
    };
    expect(buildMessage(ID, draft, byHuman, ApprovalStatus.AUTOMATICALLY_APPROVED, TIME)).toEqual({
      id: ID,
      type: 'T',
      time: '2024-05-01T10:00:00.123Z',
      sender_id: 'h-ana',
      text: 'pick one',
      local_id: 'l1',
      quoted_message_id: 'q-1',
      options: ['a', 'b'],
      approval_status: 1,
      sent_by_human: true,
      sent_by_manager: false,
    });
  });

  it('leaves out every field the draft does not carry, and never sets seq or event', () => {
    const built = buildMessage(ID, { type: 'T', text: 'hi' }, byHuman, ApprovalStatus.AUTOMATICALLY_APPROVED, TIME);
    for (const field of ['local_id', 'quoted_message_id', 'options', 'command', 'seq', 'event', 'additional_metadata', ...FILE_FIELDS]) {
      expect(built).not.toHaveProperty(field);
    }
  });

  it('leaves out an empty list of options', () => {
    expect(buildMessage(ID, { type: 'T', text: 'hi', options: [] }, byHuman, 1, TIME)).not.toHaveProperty('options');
  });

  it('stores the approval status it is given', () => {
    expect(buildMessage(ID, { type: 'T', text: 'hi' }, { sender: echo, sentByManager: false, keepCommand: false }, 0, TIME).approval_status).toBe(
      ApprovalStatus.NOT_APPROVED,
    );
    expect(buildMessage(ID, { type: 'T', text: 'hi' }, byManager, 2, TIME).approval_status).toBe(
      ApprovalStatus.APPROVED_BY_MANAGER,
    );
  });

  it('marks a bot message as not sent by a human', () => {
    const built = buildMessage(ID, { type: 'T', text: 'HI' }, { sender: echo, sentByManager: false, keepCommand: false }, 1, TIME);
    expect(built.sent_by_human).toBe(false);
    expect(built.sent_by_manager).toBe(false);
    expect(built.sender_id).toBe(echo.id);
  });

  describe('command', () => {
    const draft: MessageDraft = { type: 'T', text: 'hi', command: '{"self_approve":true}' };

    it('keeps the command on the manager\'s message', () => {
      const built = buildMessage(ID, draft, byManager, 2, TIME);
      expect(built.command).toBe('{"self_approve":true}');
      expect(built.sent_by_manager).toBe(true);
      expect(built.sent_by_human).toBe(false);
    });

    it('drops the command of anyone else', () => {
      expect(buildMessage(ID, draft, byHuman, 1, TIME)).not.toHaveProperty('command');
    });
  });

  it('stores a message the manager sends on behalf of a human as sent by that human, and by the manager', () => {
    const built = buildMessage(ID, { type: 'T', text: 'on behalf' }, { sender: ana, sentByManager: true, keepCommand: true }, 0, TIME);
    expect(built.sender_id).toBe('h-ana');
    expect(built.sent_by_human).toBe(true);
    expect(built.sent_by_manager).toBe(true);
  });

  describe('file messages', () => {
    const url = 'https://files.example/cat.png';

    it('copies the file fields and serves the external URL as file_url', () => {
      const draft: MessageDraft = {
        type: 'i',
        text: 'my cat',
        external_file_url: url,
        file_name: 'cat.png',
        file_size: 2048,
        mime_type: 'image/png',
      };
      expect(buildMessage(ID, draft, byHuman, 1, TIME)).toEqual({
        id: ID,
        type: 'i',
        time: '2024-05-01T10:00:00.123Z',
        sender_id: 'h-ana',
        text: 'my cat',
        external_file_url: url,
        file_url: url,
        file_name: 'cat.png',
        file_size: 2048,
        mime_type: 'image/png',
        approval_status: 1,
        sent_by_human: true,
        sent_by_manager: false,
      });
    });

    it('leaves out the optional file fields the draft does not carry', () => {
      const built = buildMessage(ID, { type: 'A', external_file_url: url }, byHuman, 1, TIME);
      expect(built.file_url).toBe(url);
      expect(built).not.toHaveProperty('file_name');
      expect(built).not.toHaveProperty('file_size');
      expect(built).not.toHaveProperty('mime_type');
      expect(built).not.toHaveProperty('text');
    });

    it('never puts file fields on a text message', () => {
      const draft = { type: 'T', text: 'hi', external_file_url: url, file_name: 'x', file_size: 1, mime_type: 'a/b' } as MessageDraft;
      const built = buildMessage(ID, draft, byHuman, 1, TIME);
      for (const field of FILE_FIELDS) expect(built).not.toHaveProperty(field);
    });
  });
});

describe('withOverrides', () => {
  const stored = message({ id: 'm-1', seq: 9, text: 'original', approval_status: 2 });

  it('replaces the overridden fields in a copy', () => {
    const copy = withOverrides(stored, { text: 'rewritten', options: ['x'] });
    expect(copy).toEqual({ ...stored, text: 'rewritten', options: ['x'] });
  });

  it('never replaces id or seq', () => {
    const copy = withOverrides(stored, { id: 'forged', seq: 1, text: 'rewritten' });
    expect(copy.id).toBe('m-1');
    expect(copy.seq).toBe(9);
    expect(copy.text).toBe('rewritten');
  });

  it('does not add a seq to an unapproved message', () => {
    const pending: WireMessage = message({ seq: undefined, approval_status: 0 });
    delete pending.seq;
    expect(withOverrides(pending, { seq: 4 })).not.toHaveProperty('seq');
  });

  it('leaves the stored message untouched', () => {
    const before = structuredClone(stored);
    const copy = withOverrides(stored, { text: 'rewritten' });
    expect(copy).not.toBe(stored);
    expect(stored).toEqual(before);
  });

  it('returns an equal copy when there is nothing to override', () => {
    expect(withOverrides(stored, {})).toEqual(stored);
  });
});

describe('participantMetadata', () => {
  it('names the participant by id, name and type', () => {
    expect(participantMetadata(ana)).toEqual({ participant_id: 'h-ana', participant_name: 'Ana', participant_type: 'H' });
  });
});
