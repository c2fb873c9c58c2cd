import { buildState, findBot, managerOf, planBroadcast } from '../../../lambdas/core/delivery';
import type { ConversationRoster } from '../../../lambdas/core/records';
import { ApprovalStatus, type WireMessage } from '../../../lambdas/core/wire';
import { bot, botParticipant, connection, conversation, human, message } from './builders';

const echo = bot('Echo', { delivery: 'websocket' });
const calculator = bot('Calculator');
const weather = bot('Weather');
const manager = bot('Manager', { isManager: true });

/** Two humans (one on two devices) and the websocket bot Echo are connected. */
const connections = [
  connection('c-ana-1', 'h-ana', 'H'),
  connection('c-ana-2', 'h-ana', 'H'),
  connection('c-bia', 'h-bia', 'H'),
  connection('c-echo', echo.id, 'B'),
];
const ALL_CONNECTIONS = ['c-ana-1', 'c-ana-2', 'c-bia', 'c-echo'];
const HUMAN_CONNECTIONS = ['c-ana-1', 'c-ana-2', 'c-bia'];

const withManager = conversation({ bots: [echo, calculator, manager, weather] });
const withoutManager = conversation({ bots: [echo, calculator, weather] });

const system: WireMessage = {
  id: 'sys-1',
  seq: 3,
  type: 'S',
  time: '2024-05-01T10:00:00.000Z',
  event: 'participant-joined',
  additional_metadata: { participant_id: 'h-bia' },
  approval_status: ApprovalStatus.AUTOMATICALLY_APPROVED,
  sent_by_human: false,
  sent_by_manager: false,
};
const approved = message({ approval_status: ApprovalStatus.AUTOMATICALLY_APPROVED });
const approvedByManager = message({ approval_status: ApprovalStatus.APPROVED_BY_MANAGER });
const unapproved = message({ seq: undefined, sender_id: echo.id, sent_by_human: false, approval_status: ApprovalStatus.NOT_APPROVED });

describe('managerOf', () => {
  it('finds the bot manager of a conversation', () => {
    expect(managerOf(withManager)).toBe(manager);
  });

  it('finds none in a conversation without one', () => {
    expect(managerOf(withoutManager)).toBeUndefined();
  });
});

describe('planBroadcast', () => {
  describe('a system message', () => {
    it('with a manager reaches human connections and the manager only: other bots see only redirections', () => {
      const plan = planBroadcast(system, withManager, connections);
      expect(plan.connectionIds).toEqual(HUMAN_CONNECTIONS);
      expect(plan.queueBots).toEqual([manager]);
    });

    it('without a manager reaches every connection and every queue bot', () => {
      const plan = planBroadcast(system, withoutManager, connections);
      expect(plan.connectionIds).toEqual(ALL_CONNECTIONS);
      expect(plan.queueBots).toEqual([calculator, weather]);
    });

    it('skips the excluded connections', () => {
      const plan = planBroadcast(system, withoutManager, connections, new Set(['c-ana-2', 'c-echo']));
      expect(plan.connectionIds).toEqual(['c-ana-1', 'c-bia']);
    });
  });

  describe('with a bot manager', () => {
    it('sends an unapproved message to the manager only', () => {
      expect(planBroadcast(unapproved, withManager, connections)).toEqual({ connectionIds: [], queueBots: [manager] });
    });

    it.each([
      ['automatically approved', approved],
      ['approved by the manager', approvedByManager],
    ])('sends a message %s to the manager and to human connections only', (_label, stored) => {
      const plan = planBroadcast(stored, withManager, connections);
      expect(plan.connectionIds).toEqual(HUMAN_CONNECTIONS);
      expect(plan.queueBots).toEqual([manager]);
    });

    it('never sends it to the other queue bots nor to websocket bots', () => {
      const plan = planBroadcast(approved, withManager, connections);
      expect(plan.queueBots).not.toContain(calculator);
      expect(plan.queueBots).not.toContain(weather);
      expect(plan.connectionIds).not.toContain('c-echo');
    });

    it('skips the excluded connections', () => {
      const plan = planBroadcast(approved, withManager, connections, new Set(['c-bia']));
      expect(plan.connectionIds).toEqual(['c-ana-1', 'c-ana-2']);
      expect(plan.queueBots).toEqual([manager]);
    });
  });

  describe('without a bot manager', () => {
    it.each([
      ['automatically approved', approved],
      ['approved by the manager', approvedByManager],
    ])('sends a message %s to every connection and every queue bot', (_label, stored) => {
      const plan = planBroadcast(stored, withoutManager, connections);
      expect(plan.connectionIds).toEqual(ALL_CONNECTIONS);
      expect(plan.queueBots).toEqual([calculator, weather]);
    });

    it('sends an unapproved message to nobody', () => {
      expect(planBroadcast(unapproved, withoutManager, connections)).toEqual({ connectionIds: [], queueBots: [] });
    });

    it('skips the excluded connections', () => {
      const plan = planBroadcast(approved, withoutManager, connections, new Set(['c-ana-1', 'unknown']));
      expect(plan.connectionIds).toEqual(['c-ana-2', 'c-bia', 'c-echo']);
    });
  });

  describe("the sender's own connections", () => {
    const fromAna = message({ sender_id: 'h-ana' });

    it('come after everyone else\'s, in their order, without a manager', () => {
      expect(planBroadcast(fromAna, withoutManager, connections).connectionIds).toEqual(['c-bia', 'c-echo', 'c-ana-1', 'c-ana-2']);
    });

    it('come after the other humans\' with a manager', () => {
      expect(planBroadcast(fromAna, withManager, connections).connectionIds).toEqual(['c-bia', 'c-ana-1', 'c-ana-2']);
    });

    it('keep the stored order for a system message, which has no sender', () => {
      expect(planBroadcast(system, withoutManager, [...connections].reverse()).connectionIds).toEqual([...ALL_CONNECTIONS].reverse());
    });
  });

  it('plans no connection when the conversation has none', () => {
    expect(planBroadcast(approved, withoutManager, []).connectionIds).toEqual([]);
  });
});

describe('findBot', () => {
  it('finds a bot by participant id', () => {
    expect(findBot(withManager, calculator.id)).toBe(calculator);
  });

  it('finds a bot by name', () => {
    expect(findBot(withManager, 'Echo')).toBe(echo);
  });

  it('prefers the participant id when a name and an id collide', () => {
    const named = bot('id-Calculator', { id: 'other-id' });
    const record = conversation({ bots: [named, calculator] });
    expect(findBot(record, 'id-Calculator')).toBe(calculator);
  });

  it.each([['Unknown'], ['echo'], ['']])('finds nothing for %j', (nameOrId) => {
    expect(findBot(withManager, nameOrId)).toBeUndefined();
  });

  it('does not find humans', () => {
    expect(findBot(withManager, 'h-ana')).toBeUndefined();
  });
});

describe('buildState', () => {
  const roster = (overrides: Partial<ConversationRoster> = {}): ConversationRoster => ({
    conversation: conversation({ bots: [echo, calculator, manager], lastSeq: 17 }),
    connections: [connection('c-zoe', 'h-zoe', 'H')],
    participants: [
      botParticipant(manager),
      human('h-zoe', 'Zoe'),
      botParticipant(echo),
      human('h-ana', 'Ana'),
      botParticipant(calculator),
    ],
    ...overrides,
  });

  it('lists every participant, humans first, each group by name, with last_seq', () => {
    const state = buildState(roster());
    expect(state.participants.map((p) => p.name)).toEqual(['Ana', 'Zoe', 'Calculator', 'Echo', 'Manager']);
    expect(state.last_seq).toBe(17);
  });

  it('keeps only id, name, type and online for each participant', () => {
    expect(buildState(roster()).participants[0]).toEqual({ id: 'h-ana', name: 'Ana', type: 'H', online: false });
  });

  it('marks a human online only while it has a live connection', () => {
    const byName = Object.fromEntries(buildState(roster()).participants.map((p) => [p.name, p.online]));
    expect(byName.Zoe).toBe(true);
    expect(byName.Ana).toBe(false);
  });

  it('marks a websocket bot online only while it has a live connection', () => {
    const offline = buildState(roster()).participants.find((p) => p.name === 'Echo');
    expect(offline?.online).toBe(false);
    const online = buildState(roster({ connections: [connection('c-echo', echo.id, 'B')] })).participants.find(
      (p) => p.name === 'Echo',
    );
    expect(online?.online).toBe(true);
  });

  it('marks queue bots, the manager included, offline: they hold no connection', () => {
    const state = buildState(roster({ connections: [] }));
    expect(state.participants.filter((p) => p.online)).toEqual([]);
    expect(state.participants.map((p) => p.name)).toEqual(expect.arrayContaining(['Calculator', 'Manager']));
  });

  it('keeps connected participants online once the conversation has ended', () => {
    const ended = roster({ conversation: conversation({ bots: [echo, calculator, manager], ended: true, lastSeq: 20 }) });
    const state = buildState(ended);
    expect(state.participants.find((p) => p.name === 'Calculator')?.online).toBe(false);
    expect(state.participants.find((p) => p.name === 'Manager')?.online).toBe(false);
    expect(state.participants.find((p) => p.name === 'Zoe')?.online).toBe(true);
    expect(state.last_seq).toBe(20);
  });

  it('does not reorder the roster it was given', () => {
    const given = roster();
    const before = given.participants.map((p) => p.id);
    buildState(given);
    expect(given.participants.map((p) => p.id)).toEqual(before);
  });

  it('reports last_seq 0 and no participants for an empty roster', () => {
    expect(buildState({ conversation: conversation(), connections: [], participants: [] })).toEqual({
      participants: [],
      last_seq: 0,
    });
  });
});
