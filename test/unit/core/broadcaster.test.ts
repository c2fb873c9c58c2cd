import { Broadcaster, NEW_CONNECTION_GRACE_MS, type BroadcasterDependencies } from '../../../lambdas/core/broadcaster';
import type { LogFields, PostReport, QueueDelivery } from '../../../lambdas/core/ports';
import type { ConnectionRecord, ConversationRoster } from '../../../lambdas/core/records';
import { ApprovalStatus } from '../../../lambdas/core/wire';
import { bot, botParticipant, connection, conversation, CONVERSATION_ID, human, message } from './builders';

const NOW = 1_000_000_000;
const echo = bot('Echo', { delivery: 'websocket' });
const calculator = bot('Calculator');
const manager = bot('Manager', { isManager: true });

/** A connection opened `ageMs` before now. */
function aged(record: ConnectionRecord, ageMs: number): ConnectionRecord {
  return { ...record, connectedAt: NOW - ageMs };
}

const ana = aged(connection('c-ana', 'h-ana', 'H'), 60_000);
const bia = aged(connection('c-bia', 'h-bia', 'H'), 60_000);
const echoConnection = aged(connection('c-echo', echo.id, 'B'), 60_000);

interface Fakes {
  broadcaster: Broadcaster;
  posts: Array<{ connectionIds: readonly string[]; frame: unknown }>;
  /** Fan-outs made ready with `prepareMany`, and what became of them. */
  prepared: Array<{ connectionIds: readonly string[]; frame: unknown; state: 'held' | 'sent' | 'cancelled' }>;
  sends: QueueDelivery[];
  logs: Array<{ level: string; message: string; fields?: LogFields }>;
  removed: string[];
}

/** A broadcaster on fakes: `gone` connections answer 410; `failingQueues` refuse sends. */
function fakes(
  options: {
    gone?: string[];
    failingQueues?: string[];
    failPosts?: boolean;
    roster?: ConversationRoster;
    remove?: (connectionId: string) => Promise<void>;
  } = {},
): Fakes {
  const result: Omit<Fakes, 'broadcaster'> = { posts: [], prepared: [], sends: [], logs: [], removed: [] };
  const gone = new Set(options.gone ?? []);
  const log = (level: string) => (text: string, fields?: LogFields) => result.logs.push({ level, message: text, fields });
  const deps: BroadcasterDependencies = {
    removeGoneConnection:
      options.remove ??
      (async (connectionId) => {
        result.removed.push(connectionId);
      }),
    store: { loadRoster: async () => options.roster },
    poster: {
      async postToMany(connectionIds, payload): Promise<PostReport> {
        if (options.failPosts) throw new Error('management API down');
        result.posts.push({ connectionIds, frame: JSON.parse(payload) });
        const goneIds = connectionIds.filter((id) => gone.has(id));
        return { gone: goneIds, failed: [], delivered: connectionIds.length - goneIds.length };
      },
      prepareMany(connectionIds, payload) {
        result.prepared.push({ connectionIds, frame: JSON.parse(payload), state: 'held' });
        const prepared = result.prepared[result.prepared.length - 1]!;
        return {
          send: () => {
            prepared.state = 'sent';
            return this.postToMany(connectionIds, payload);
          },
          cancel: () => {
            prepared.state = 'cancelled';
          },
        };
      },
      async postToOne(connectionId, payload) {
        result.posts.push({ connectionIds: [connectionId], frame: JSON.parse(payload) });
        return gone.has(connectionId) ? 'gone' : 'delivered';
      },
    },
    botQueues: {
      async send(delivery) {
        if (options.failingQueues?.includes(delivery.botName)) throw new Error(`queue ${delivery.botName} refused`);
        result.sends.push(delivery);
      },
    },
    clock: { now: () => new Date(NOW) },
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  };
  return { ...result, broadcaster: new Broadcaster(deps) };
}

describe('Broadcaster', () => {
  describe('broadcastMessage', () => {
    it('posts a message frame to the planned connections and sends it to each queue bot of the conversation', async () => {
      const { broadcaster, posts, sends } = fakes();
      const stored = message({ id: 'm-1', approval_status: ApprovalStatus.AUTOMATICALLY_APPROVED });
      await broadcaster.broadcastMessage(
        stored,
        { conversation: conversation({ bots: [echo, calculator] }), connections: [ana, bia, echoConnection] },
        new Set(['c-bia']),
      );
      expect(posts).toEqual([{ connectionIds: ['c-ana', 'c-echo'], frame: { message: stored } }]);
      expect(sends).toEqual([
        {
          botName: 'Calculator',
          body: { conversation_id: CONVERSATION_ID, bot_participant_id: calculator.id, message: stored },
          groupId: CONVERSATION_ID,
          deduplicationId: `m-1-${ApprovalStatus.AUTOMATICALLY_APPROVED}`,
        },
      ]);
    });

    it('logs a failed fan-out to connections without failing', async () => {
      const { broadcaster, logs } = fakes({ failPosts: true });
      await broadcaster.broadcastMessage(message(), { conversation: conversation(), connections: [ana] });
      expect(logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'fan-out failed' }));
    });

    it('fails when a queue bot could not be told, after the connections had theirs', async () => {
      const { broadcaster, posts } = fakes({ failingQueues: ['Calculator'] });
      const target = { conversation: conversation({ bots: [calculator] }), connections: [ana] };
      await expect(broadcaster.broadcastMessage(message(), target)).rejects.toThrow('queue Calculator refused');
      expect(posts).toHaveLength(1);
    });
  });

  describe('prepareMessageBroadcast', () => {
    const target = { conversation: conversation({ bots: [calculator] }), connections: [ana, bia, echoConnection] };

    it('makes the planned posts ready and sends nothing until deliver()', async () => {
      const { broadcaster, posts, prepared, sends } = fakes();
      const stored = message({ id: 'm-2' });

      const broadcast = broadcaster.prepareMessageBroadcast(stored, target, new Set(['c-bia']));
      expect(prepared).toEqual([{ connectionIds: ['c-ana', 'c-echo'], frame: { message: stored }, state: 'held' }]);
      expect([...posts, ...sends]).toEqual([]);

      await broadcast.deliver();
      expect(prepared[0]!.state).toBe('sent');
      expect(posts).toEqual([{ connectionIds: ['c-ana', 'c-echo'], frame: { message: stored } }]);
      expect(sends.map((send) => send.botName)).toEqual(['Calculator']);
    });

    it('cancelled, posts nothing and tells no queue bot', () => {
      const { broadcaster, posts, prepared, sends } = fakes();
      broadcaster.prepareMessageBroadcast(message(), target).cancel();
      expect(prepared.map((entry) => entry.state)).toEqual(['cancelled']);
      expect([...posts, ...sends]).toEqual([]);
    });

    it('delivered, forgets connections found gone like broadcastMessage', async () => {
      const { broadcaster, removed } = fakes({ gone: ['c-bia'] });
      await broadcaster.prepareMessageBroadcast(message(), target).deliver();
      expect(removed).toEqual(['c-bia']);
    });
  });

  describe('connections API Gateway reports gone (410)', () => {
    it('hands old ones to removeGoneConnection and keeps those that may still be inside their $connect', async () => {
      const young = aged(connection('c-young', 'h-cai', 'H'), NEW_CONNECTION_GRACE_MS - 1);
      const { broadcaster, removed, posts } = fakes({ gone: ['c-ana', 'c-young'] });
      await broadcaster.broadcastMessage(message(), { conversation: conversation(), connections: [ana, bia, young] });
      expect(posts[0]!.connectionIds).toEqual(['c-ana', 'c-bia', 'c-young']);
      expect(removed).toEqual(['c-ana']);
    });

    it('logs a removal that fails and goes on with the others', async () => {
      const { broadcaster, logs } = fakes({
        gone: ['c-ana', 'c-bia'],
        remove: async (connectionId) => {
          if (connectionId === 'c-ana') throw new Error('table unreachable');
        },
      });
      await broadcaster.broadcastMessage(message(), { conversation: conversation(), connections: [ana, bia] });
      expect(logs.filter((line) => line.message === 'connection gone (410); removing it')).toHaveLength(2);
      expect(logs).toContainEqual({
        level: 'error',
        message: 'removing a gone connection failed',
        fields: { connection_id: 'c-ana', error: 'Error: table unreachable' },
      });
    });
  });

  describe('broadcastState', () => {
    const roster: ConversationRoster = {
      conversation: conversation({ lastSeq: 7, bots: [calculator] }),
      connections: [ana, bia],
      participants: [human('h-ana', 'Ana'), human('h-bia', 'Bia'), botParticipant(calculator)],
    };

    it('posts the conversation state to every connection but the excluded ones', async () => {
      const { broadcaster, posts } = fakes({ roster });
      await broadcaster.broadcastState(CONVERSATION_ID, new Set(['c-bia']));
      expect(posts).toEqual([
        {
          connectionIds: ['c-ana'],
          frame: {
            state: {
              participants: [
                { id: 'h-ana', name: 'Ana', type: 'H', online: true },
                { id: 'h-bia', name: 'Bia', type: 'H', online: true },
                { id: calculator.id, name: 'Calculator', type: 'B', online: false },
              ],
              last_seq: 7,
            },
          },
        },
      ]);
    });

    it('posts nothing for a conversation that does not exist', async () => {
      const { broadcaster, posts } = fakes();
      await broadcaster.broadcastState(CONVERSATION_ID);
      expect(posts).toEqual([]);
    });
  });

  describe('deliverMessageToBot', () => {
    const target = { conversation: conversation({ bots: [echo, calculator] }), connections: [ana, echoConnection] };

    it('sends a queue bot, found by name, the message with the overrides applied', async () => {
      const { broadcaster, sends } = fakes();
      await broadcaster.deliverMessageToBot(message({ text: 'hi' }), 'Calculator', { text: '2+2' }, target);
      expect(sends.map((send) => send.body.message.text)).toEqual(['2+2']);
    });

    it('posts to a websocket bot, found by id, on its own connections only', async () => {
      const { broadcaster, posts } = fakes();
      await broadcaster.deliverMessageToBot(message(), echo.id, {}, target);
      expect(posts.map((post) => post.connectionIds)).toEqual([['c-echo']]);
    });

    it('delivers nothing to an unknown bot and logs it', async () => {
      const { broadcaster, posts, sends, logs } = fakes();
      await broadcaster.deliverMessageToBot(message(), 'Nobody', {}, target);
      expect([...posts, ...sends]).toEqual([]);
      expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'no such bot in the conversation; nothing delivered' }));
    });
  });

  describe('deliverMessageToBotManager', () => {
    it('sends to the manager queue, and to nothing without a manager', async () => {
      const { broadcaster, sends } = fakes();
      await broadcaster.deliverMessageToBotManager(message(), { conversation: conversation({ bots: [calculator, manager] }), connections: [] });
      await broadcaster.deliverMessageToBotManager(message(), { conversation: conversation({ bots: [calculator] }), connections: [] });
      expect(sends.map((send) => send.botName)).toEqual(['Manager']);
    });
  });

  describe('deliverMessage and deliverState', () => {
    it('post one frame to one connection and say whether it is gone', async () => {
      const { broadcaster, posts } = fakes({ gone: ['c-bia'] });
      await expect(broadcaster.deliverMessage('c-ana', message())).resolves.toBe('delivered');
      await expect(broadcaster.deliverState('c-bia', { participants: [], last_seq: 0 })).resolves.toBe('gone');
      expect(posts.map((post) => Object.keys(post.frame as object))).toEqual([['message'], ['state']]);
    });
  });
});
