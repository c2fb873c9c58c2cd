import {
  ApprovalStatus,
  FILE_MESSAGE_TYPES,
  MessageType,
  ParticipantType,
  SystemEvent,
} from '../../../lambdas/core/wire';

describe('MessageType', () => {
  it('uses the one-letter codes of the original system', () => {
    expect(MessageType).toEqual({ SYSTEM: 'S', TEXT: 'T', VOICE: 'V', AUDIO: 'a', VIDEO: 'v', IMAGE: 'i', ATTACHMENT: 'A' });
  });
});

describe('FILE_MESSAGE_TYPES', () => {
  it('holds voice, audio, video, image and attachment, and neither system nor text', () => {
    expect([...FILE_MESSAGE_TYPES].sort()).toEqual(['A', 'V', 'a', 'i', 'v']);
    expect(FILE_MESSAGE_TYPES.has('S')).toBe(false);
    expect(FILE_MESSAGE_TYPES.has('T')).toBe(false);
  });
});

describe('ApprovalStatus', () => {
  it('is 0 not approved, 1 automatically approved, 2 approved by the bot manager', () => {
    expect(ApprovalStatus).toEqual({ NOT_APPROVED: 0, AUTOMATICALLY_APPROVED: 1, APPROVED_BY_MANAGER: 2 });
  });
});

describe('SystemEvent', () => {
  it('names the four system events', () => {
    expect(Object.values(SystemEvent).sort()).toEqual([
      'conversation-created',
      'conversation-ended',
      'participant-joined',
      'participant-left',
    ]);
  });
});

describe('ParticipantType', () => {
  it('is H for humans and B for bots', () => {
    expect(ParticipantType).toEqual({ HUMAN: 'H', BOT: 'B' });
  });
});
