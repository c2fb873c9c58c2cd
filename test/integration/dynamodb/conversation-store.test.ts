/**
 * The DynamoDB adapter against real DynamoDB Local: transactions, conditions and the key design.
 */
import { GetCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { DynamoConversationStore } from '../../../lambdas/adapters/dynamodb/conversation-store';
import { CONNECTION_TTL_SECONDS, keys } from '../../../lambdas/adapters/dynamodb/table-design';
import {
  AlreadyApproved,
  ConcurrentChange,
  ConnectionAlreadyGone,
  DuplicateMessage,
  type ConversationChange,
} from '../../../lambdas/core/ports';
import type { ConnectionRecord, ConversationRecord, ParticipantRecord } from '../../../lambdas/core/records';
import type { WireMessage } from '../../../lambdas/core/wire';
import { createConversationTable } from '../../../local/provision/create-table';
import { testDynamoDbClient } from '../../support/aws-clients';
import { uniquePrefix } from '../../support/isolation';

const client = testDynamoDbClient();
const tableName = `${uniquePrefix('store')}-conversations`;
const store = new DynamoConversationStore(client, { tableName });
// A document client shares its DynamoDBClient's config: give it the same marshalling options as the store.
const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

beforeAll(async () => {
  await createConversationTable(client, tableName);
});

afterAll(() => client.destroy());

function textMessage(fields: Partial<WireMessage> = {}): WireMessage {
  return {
    id: randomUUID(),
    type: 'T',
    time: new Date().toISOString(),
    text: 'hello',
    approval_status: 1,
    sent_by_human: true,
    sent_by_manager: false,
    ...fields,
  };
}

function human(conversationId: string, name = 'Ana'): ParticipantRecord {
  return { id: randomUUID(), conversationId, name, type: 'H', isRequired: false, isManager: false };
}

async function newConversation(): Promise<{ conversation: ConversationRecord; ana: ParticipantRecord }> {
  const conversationId = randomUUID();
  const conversation: ConversationRecord = {
    id: conversationId,
    name: 'test',
    createdAt: new Date().toISOString(),
    ended: false,
    lastSeq: 1,
    rosterVersion: 0,
    bots: [{ id: randomUUID(), name: 'Manager', delivery: 'queue', isManager: true, isRequired: false }],
  };
  const ana = human(conversationId);
  await store.createConversation({
    conversation,
    participants: [{ participant: ana, tokenHash: `hash-${ana.id}` }],
    messages: [{ ...textMessage({ type: 'S', text: undefined, event: 'conversation-created' }), seq: 1 }],
  });
  return { conversation, ana };
}

function appendChange(conversation: { id: string }, lastSeq: number, message: WireMessage, rosterVersion = 0): ConversationChange {
  return {
    conversationId: conversation.id,
    expected: { lastSeq, rosterVersion },
    lastSeq: message.seq === undefined ? lastSeq : lastSeq + 1,
    rosterVersion,
    requireOpen: true,
    messages: [message],
  };
}

function connection(conversationId: string, participant: ParticipantRecord, connectedAt = Date.now()): ConnectionRecord {
  return {
    connectionId: `${randomUUID().slice(0, 15)}=`,
    conversationId,
    participantId: participant.id,
    participantType: participant.type,
    connectedAt,
  };
}

describe('createConversation', () => {
  it('writes the conversation, its participants, their token hashes and its first messages', async () => {
    const { conversation, ana } = await newConversation();

    expect(await store.getConversation(conversation.id)).toEqual(conversation);
    expect(await store.findTokenOwner(`hash-${ana.id}`)).toEqual({ participant: ana, tokenHash: `hash-${ana.id}` });
    expect(await store.getParticipant(conversation.id, ana.id)).toEqual(ana);
    const roster = await store.loadRoster(conversation.id);
    expect(roster?.participants).toEqual([ana]);
    expect((await store.listMessagesAfter(conversation.id, 0, 10)).map((m) => m.event)).toEqual(['conversation-created']);
  });

  it('refuses to create the same conversation twice', async () => {
    const { conversation } = await newConversation();
    await expect(store.createConversation({ conversation, participants: [], messages: [] })).rejects.toThrow();
  });
});

describe('commit', () => {
  it('stores an approved message at the next seq, findable by id and in order', async () => {
    const { conversation } = await newConversation();
    const message = { ...textMessage(), seq: 2 };
    await store.commit(appendChange(conversation, 1, message));

    expect((await store.getConversation(conversation.id))?.lastSeq).toBe(2);
    expect(await store.findMessage(conversation.id, message.id)).toEqual(message);
    expect(await store.messageExists(conversation.id, message.id)).toBe(true);
    expect(await store.messageExists(randomUUID(), message.id)).toBe(false);
    expect(await store.listMessagesAfter(conversation.id, 1, 10)).toEqual([message]);
  });

  it('refuses a stale expected seq with ConcurrentChange and writes nothing', async () => {
    const { conversation } = await newConversation();
    const message = { ...textMessage(), seq: 5 };
    await expect(store.commit(appendChange(conversation, 4, message))).rejects.toBeInstanceOf(ConcurrentChange);
    expect(await store.findMessage(conversation.id, message.id)).toBeUndefined();
    expect((await store.getConversation(conversation.id))?.lastSeq).toBe(1);
  });

  it('refuses a message id that exists with DuplicateMessage (the local_id guard)', async () => {
    const { conversation } = await newConversation();
    const message = { ...textMessage(), seq: 2 };
    await store.commit(appendChange(conversation, 1, message));
    await expect(store.commit(appendChange(conversation, 2, { ...message, seq: 3 }))).rejects.toEqual(
      new DuplicateMessage(message.id),
    );
    expect((await store.getConversation(conversation.id))?.lastSeq).toBe(2);
  });

  it('gives concurrent writers distinct, gap-free seqs (each retries on ConcurrentChange)', async () => {
    const { conversation } = await newConversation();
    const writers = 12;
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: writers }, async (_, index) => {
        for (;;) {
          const current = (await store.getConversation(conversation.id))!;
          try {
            await store.commit(appendChange(conversation, current.lastSeq, { ...textMessage({ text: `w${index}` }), seq: current.lastSeq + 1 }));
            return;
          } catch (error) {
            if (!(error instanceof ConcurrentChange)) throw error;
            conflicts++;
          }
        }
      }),
    );
    const stored = await store.listMessagesAfter(conversation.id, 1, 100);
    expect(stored.map((m) => m.seq)).toEqual(Array.from({ length: writers }, (_, i) => i + 2));
    expect(new Set(stored.map((m) => m.text)).size).toBe(writers);
    expect(conflicts).toBeGreaterThan(0);
  });

  it('keeps a pending message out of the timeline until it is approved, once', async () => {
    const { conversation } = await newConversation();
    const pending = textMessage({ approval_status: 0, sent_by_human: false });
    await store.commit(appendChange(conversation, 1, pending));
    expect(await store.findMessage(conversation.id, pending.id)).toEqual(pending);
    expect(await store.listMessagesAfter(conversation.id, 1, 10)).toEqual([]);
    expect((await store.getConversation(conversation.id))?.lastSeq).toBe(1);

    const approved: WireMessage = { ...pending, approval_status: 2, seq: 2 };
    const approval: ConversationChange = {
      conversationId: conversation.id,
      expected: { lastSeq: 1, rosterVersion: 0 },
      lastSeq: 2,
      rosterVersion: 0,
      requireOpen: true,
      messages: [],
      approve: approved,
    };
    await store.commit(approval);
    expect(await store.findMessage(conversation.id, pending.id)).toEqual(approved);
    expect(await store.listMessagesAfter(conversation.id, 1, 10)).toEqual([approved]);

    await expect(
      store.commit({ ...approval, expected: { lastSeq: 2, rosterVersion: 0 }, lastSeq: 3, approve: { ...approved, seq: 3 } }),
    ).rejects.toEqual(new AlreadyApproved(pending.id));
    expect((await store.getConversation(conversation.id))?.lastSeq).toBe(2);
  });

  it('refuses messages once the conversation has ended', async () => {
    const { conversation } = await newConversation();
    await store.commit({
      conversationId: conversation.id,
      expected: { lastSeq: 1, rosterVersion: 0 },
      lastSeq: 2,
      rosterVersion: 0,
      requireOpen: false,
      end: true,
      messages: [{ ...textMessage({ type: 'S', event: 'conversation-ended' }), seq: 2 }],
    });
    expect((await store.getConversation(conversation.id))?.ended).toBe(true);
    await expect(store.commit(appendChange(conversation, 2, { ...textMessage(), seq: 3 }))).rejects.toBeInstanceOf(
      ConcurrentChange,
    );
    await expect(store.commit(appendChange(conversation, 2, textMessage({ approval_status: 0 })))).rejects.toBeInstanceOf(
      ConcurrentChange,
    );
  });
});

describe('connections', () => {
  it('records a connection both ways with a TTL, bumps roster_version, and removes it once', async () => {
    const { conversation, ana } = await newConversation();
    const record = connection(conversation.id, ana, 1_700_000_000_000);
    await store.commit({
      conversationId: conversation.id,
      expected: { lastSeq: 1, rosterVersion: 0 },
      lastSeq: 1,
      rosterVersion: 1,
      requireOpen: true,
      messages: [],
      addConnection: { connection: record, participant: ana },
    });

    expect(await store.findConnection(record.connectionId)).toEqual({ connection: record, participant: ana });
    const loaded = await store.loadConnections(conversation.id);
    expect(loaded?.connections).toEqual([record]);
    expect(loaded?.conversation.rosterVersion).toBe(1);
    const item = await documents.send(new GetCommand({ TableName: tableName, Key: keys.connection(record.connectionId) }));
    expect(item.Item?.expires_at).toBe(1_700_000_000 + CONNECTION_TTL_SECONDS);

    const removal: ConversationChange = {
      conversationId: conversation.id,
      expected: { lastSeq: 1, rosterVersion: 1 },
      lastSeq: 1,
      rosterVersion: 1,
      requireOpen: false,
      messages: [],
      removeConnection: record,
    };
    await store.commit(removal);
    expect(await store.findConnection(record.connectionId)).toBeUndefined();
    expect((await store.loadConnections(conversation.id))?.connections).toEqual([]);
    await expect(store.commit(removal)).rejects.toEqual(new ConnectionAlreadyGone(record.connectionId));
  });

  it('reads only the conversation\'s own connections (a Query on its partition)', async () => {
    const first = await newConversation();
    const second = await newConversation();
    const mine = connection(first.conversation.id, first.ana);
    const theirs = connection(second.conversation.id, second.ana);
    for (const [target, record, participant] of [
      [first.conversation, mine, first.ana],
      [second.conversation, theirs, second.ana],
    ] as const) {
      await store.commit({
        conversationId: target.id,
        expected: { lastSeq: 1, rosterVersion: 0 },
        lastSeq: 1,
        rosterVersion: 1,
        requireOpen: true,
        messages: [],
        addConnection: { connection: record, participant },
      });
    }
    expect((await store.loadConnections(first.conversation.id))?.connections).toEqual([mine]);
    expect((await store.loadRoster(second.conversation.id))?.connections).toEqual([theirs]);
  });

  it('forgets a connection without a message', async () => {
    const { conversation, ana } = await newConversation();
    const record = connection(conversation.id, ana);
    await store.commit({
      conversationId: conversation.id,
      expected: { lastSeq: 1, rosterVersion: 0 },
      lastSeq: 1,
      rosterVersion: 1,
      requireOpen: true,
      messages: [],
      addConnection: { connection: record, participant: ana },
    });
    await store.forgetConnection(record);
    expect(await store.findConnection(record.connectionId)).toBeUndefined();
    expect((await store.getConversation(conversation.id))?.lastSeq).toBe(1);
  });

  it('answers undefined for unknown ids', async () => {
    expect(await store.findConnection('nope')).toBeUndefined();
    expect(await store.findTokenOwner('nope')).toBeUndefined();
    expect(await store.loadConnections(randomUUID())).toBeUndefined();
    expect(await store.findMessage(randomUUID(), randomUUID())).toBeUndefined();
  });
});

describe('listHistory', () => {
  it('pages by seq and bounds by time', async () => {
    const { conversation } = await newConversation();
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    for (let seq = 2; seq <= 8; seq++) {
      await store.commit(
        appendChange(conversation, seq - 1, { ...textMessage({ time: new Date(base + seq * 1000).toISOString() }), seq }),
      );
    }
    const seqs = async (query: Parameters<typeof store.listHistory>[0]) =>
      (await store.listHistory(query)).map((m) => m.seq);
    const at = (seq: number) => new Date(base + seq * 1000).toISOString();

    expect(await seqs({ conversationId: conversation.id, limit: 3 })).toEqual([6, 7, 8]);
    expect(await seqs({ conversationId: conversation.id, limit: 3, afterSeq: 2 })).toEqual([3, 4, 5]);
    expect(await seqs({ conversationId: conversation.id, limit: 100, since: at(4), until: at(6) })).toEqual([4, 5, 6]);
    expect(await seqs({ conversationId: conversation.id, limit: 2, since: at(3) })).toEqual([7, 8]);
    expect(await seqs({ conversationId: conversation.id, limit: 2, since: at(3), afterSeq: 4 })).toEqual([5, 6]);
  });
});
