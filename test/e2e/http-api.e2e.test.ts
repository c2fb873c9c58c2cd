/**
 * The HTTP API (SPEC 4) end to end: real HTTP requests to the local HTTP API server, the same
 * Lambda handler as on AWS, DynamoDB Local behind it.
 */
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { QueuePeer } from '../support/queue-peer';
import { TEST_BOTS, httpJson, startTestStack, type TestStack } from '../support/test-stack';
import { TestSocket, eventually, type Frame } from '../support/ws-test-client';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack('http', TEST_BOTS);
});

afterAll(async () => {
  await stack?.stop();
});

async function itemCount(): Promise<number> {
  const output = await stack.dynamoDb.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT' }));
  return output.Count ?? 0;
}

async function create(body: unknown = { nickname: 'Ana', bots: [] }) {
  const response = await httpJson(stack, 'POST', '/conversations', { body });
  expect(response.status).toBe(201);
  return response.body;
}

describe('GET /bots and /limits', () => {
  it('lists the bots a conversation can ask for, without the manager', async () => {
    const response = await httpJson(stack, 'GET', '/bots');
    expect(response).toEqual({ status: 200, body: { results: ['Helper', 'Calc', 'Keeper'] } });
  });

  it('serves the size limits clients must respect', async () => {
    const response = await httpJson(stack, 'GET', '/limits');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ max_text_chars: 4000, max_local_id_chars: 32, max_frame_bytes: 32768 });
  });
});

describe('POST /conversations', () => {
  it('creates the conversation with its human, the bots asked for and the manager', async () => {
    const ticket = await create({ nickname: 'Ana', bots: ['Helper', 'Calc'], name: 'Homework' });

    expect(Object.keys(ticket).sort()).toEqual(
      ['created_at', 'id', 'my_participant_id', 'name', 'participants', 'token', 'websocket_url'].sort(),
    );
    expect(ticket.name).toBe('Homework');
    expect(ticket.websocket_url).toBe(stack.gateway.url);
    expect(ticket.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(ticket.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(ticket.participants.map((p: Frame) => `${p.type}:${p.name}`).sort()).toEqual(
      ['B:Calc', 'B:Helper', 'B:Manager', 'H:Ana'].sort(),
    );
    expect(ticket.participants.find((p: Frame) => p.name === 'Ana').id).toBe(ticket.my_participant_id);

    const history = await httpJson(stack, 'GET', `/conversations/${ticket.id}/messages`, { token: ticket.token });
    expect(history.body.results.map((m: Frame) => [m.seq, m.event])).toEqual([
      [1, 'conversation-created'],
      [2, 'participant-joined'],
      [3, 'participant-joined'],
      [4, 'participant-joined'],
    ]);
  });

  it('counts a name in characters, as SPEC does: 50 emoji are 50 characters (100 UTF-16 units), 51 are too many', async () => {
    const ticket = await create({ nickname: '😀'.repeat(50), name: '🎉'.repeat(50), bots: [] });
    expect(ticket.name).toBe('🎉'.repeat(50));
    expect(ticket.participants.find((p: Frame) => p.id === ticket.my_participant_id).name).toBe('😀'.repeat(50));
    for (const body of [{ nickname: '😀'.repeat(51) }, { nickname: 'Ana', name: '🎉'.repeat(51) }]) {
      const response = await httpJson(stack, 'POST', '/conversations', { body });
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('name_too_long');
    }
  });

  it('names an anonymous human ANON_<id>', async () => {
    const ticket = await create({ nickname: '', bots: [] });
    const me = ticket.participants.find((p: Frame) => p.id === ticket.my_participant_id);
    expect(me.name).toBe(`ANON_${ticket.my_participant_id}`);
  });

  it('invites each websocket bot by POSTing its invitation', async () => {
    const ticket = await create({ nickname: 'Ana', bots: ['Helper'] });
    const invitation = stack.inbox.invitations.find((i) => i.body.conversation_id === ticket.id);
    expect(invitation?.path).toBe('/invite/Helper');
    expect(invitation?.body.bot_participant_id).toBe(ticket.participants.find((p: Frame) => p.name === 'Helper').id);
    expect(invitation?.body.websocket_url).toBe(stack.gateway.url);
    // The invitation token opens the bot's connection.
    const socket = await TestSocket.open(stack.gateway.url, { token: invitation!.body.token! });
    await socket.close();
  });

  it.each([
    ['a body that is not JSON', { rawBody: '{nope' }, 400, 'invalid_body'],
    ['an empty body', { rawBody: '' }, 400, 'invalid_body'],
    ['a JSON array', { body: [] }, 400, 'invalid_body'],
    ['a JSON string', { body: 'Ana' }, 400, 'invalid_body'],
    ['a non-string nickname', { body: { nickname: 42 } }, 400, 'invalid_field'],
    ['a nickname over 50 chars', { body: { nickname: 'x'.repeat(51) } }, 400, 'name_too_long'],
    ['a name over 50 chars', { body: { nickname: 'Ana', name: 'x'.repeat(51) } }, 400, 'name_too_long'],
    ['bots that is not a list', { body: { nickname: 'Ana', bots: 'Helper' } }, 400, 'invalid_field'],
    ['an unknown bot', { body: { nickname: 'Ana', bots: ['Nobody'] } }, 400, 'unknown_bot'],
    ['the manager asked for as a bot', { body: { nickname: 'Ana', bots: ['Manager'] } }, 400, 'unknown_bot'],
    ['a body over 16 KB', { body: { nickname: 'Ana', padding: 'x'.repeat(17 * 1024) } }, 413, 'body_too_large'],
  ])('refuses %s with %i and writes nothing', async (_label, request, status, code) => {
    const before = await itemCount();
    const response = await httpJson(stack, 'POST', '/conversations', request as { body?: unknown; rawBody?: string });
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    expect(typeof response.body.error.message).toBe('string');
    expect(await itemCount()).toBe(before);
  });
});

describe('POST /conversations/{id}/join', () => {
  it('answers 403 while open rooms are off, and writes nothing', async () => {
    const ticket = await create();
    const before = await itemCount();
    const response = await httpJson(stack, 'POST', `/conversations/${ticket.id}/join`, { body: { nickname: 'Bia' } });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('rooms_closed');
    expect(await itemCount()).toBe(before);
  });

  it('adds a human with its own token when open rooms are on; 404 for an unknown conversation', async () => {
    const open = await startTestStack('open-rooms', TEST_BOTS, { openRooms: true });
    try {
      const ticket = (await httpJson(open, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body;
      const joined = await httpJson(open, 'POST', `/conversations/${ticket.id}/join`, { body: { nickname: 'Bia' } });
      expect(joined.status).toBe(201);
      expect(joined.body.id).toBe(ticket.id);
      expect(joined.body.token).not.toBe(ticket.token);
      expect(joined.body.participants.map((p: Frame) => p.name)).toContain('Bia');
      const view = await httpJson(open, 'GET', `/conversations/${ticket.id}`, { token: joined.body.token });
      expect(view.status).toBe(200);

      const missing = await httpJson(open, 'POST', '/conversations/00000000-0000-4000-8000-000000000000/join', {
        body: { nickname: 'Cai' },
      });
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('not_found');
      const badBody = await httpJson(open, 'POST', `/conversations/${ticket.id}/join`, { body: { nickname: 7 } });
      expect(badBody.status).toBe(400);
    } finally {
      await open.stop();
    }
  });
});

describe('GET /conversations/{id}', () => {
  it('shows the conversation to a participant, online only with a live connection (a queue bot never is)', async () => {
    const ticket = await create({ nickname: 'Ana', bots: ['Calc'] });
    const socket = await TestSocket.open(stack.gateway.url, { token: ticket.token });
    const view = await httpJson(stack, 'GET', `/conversations/${ticket.id}`, { token: ticket.token });
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ id: ticket.id, name: null, created_at: ticket.created_at, ended: false });
    expect(view.body.participants).toEqual(
      expect.arrayContaining([
        { id: ticket.my_participant_id, name: 'Ana', type: 'H', online: true },
        expect.objectContaining({ name: 'Calc', type: 'B', online: false }),
      ]),
    );
    await socket.close();
  });

  it.each([
    ['no token', undefined, 401, 'missing_token'],
    ['an unknown token', 'bogus', 401, 'invalid_token'],
  ])('refuses %s with %i', async (_label, token, status, code) => {
    const ticket = await create();
    const response = await httpJson(stack, 'GET', `/conversations/${ticket.id}`, token ? { token } : {});
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
    const messages = await httpJson(stack, 'GET', `/conversations/${ticket.id}/messages`, token ? { token } : {});
    expect(messages.status).toBe(status);
    expect(messages.body.results).toBeUndefined();
  });

  it('refuses the token of another conversation with 403 and shows nothing of it', async () => {
    const ana = await create();
    const other = await create({ nickname: 'Other' });
    const response = await httpJson(stack, 'GET', `/conversations/${ana.id}/messages`, { token: other.token });
    expect(response.status).toBe(403);
    expect(response.body).toEqual({
      error: { code: 'foreign_conversation', message: 'the token belongs to another conversation' },
    });
  });

  it('answers 404 for an unknown path and 405 for a wrong method', async () => {
    expect((await httpJson(stack, 'GET', '/nothing-here')).status).toBe(404);
    const wrong = await httpJson(stack, 'POST', '/bots', { body: {} });
    expect(wrong.status).toBe(405);
  });
});

describe('GET /conversations/{id}/messages', () => {
  let ticket: Frame;
  let all: Frame[];

  beforeAll(async () => {
    ticket = await create({ nickname: 'Ana', bots: ['Helper'] });
    const socket = await TestSocket.open(stack.gateway.url, { token: ticket.token });
    for (let i = 1; i <= 6; i++) {
      socket.send({ type: 'T', text: `m${i}`, local_id: `p-${i}` });
      await socket.waitFor((frame) => frame.message?.local_id === `p-${i}`);
      await new Promise((resolve) => setTimeout(resolve, 5)); // distinct millisecond times
    }
    // An unapproved bot message: stored, but never in the history.
    const invitation = stack.inbox.invitations.find((i) => i.body.conversation_id === ticket.id)!;
    const bot = await TestSocket.open(stack.gateway.url, { token: invitation.body.token! });
    bot.send({ type: 'T', text: 'pending', local_id: 'pending-1' });
    const manager = new QueuePeer(stack.sqs, stack.botQueueUrls.Manager!, stack.repliesQueueUrl);
    await manager.waitFor((body) => body.message.local_id === 'pending-1');
    await Promise.all([socket.close(), bot.close()]);
    // Wait for both participant-left messages, so the history no longer moves.
    all = await eventually(async () => {
      const results = (
        await httpJson(stack, 'GET', `/conversations/${ticket.id}/messages?after_seq=0&limit=1000`, { token: ticket.token })
      ).body.results as Frame[];
      return results.filter((m) => m.event === 'participant-left').length === 2 ? results : undefined;
    });
  });

  const page = async (query: string) => {
    const response = await httpJson(stack, 'GET', `/conversations/${ticket.id}/messages${query}`, { token: ticket.token });
    expect(response.status).toBe(200);
    return (response.body.results as Frame[]).map((m) => m.seq as number);
  };

  it('returns only approved messages, gap-free in seq order', () => {
    const seqs = all.map((m) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(all.some((m) => m.local_id === 'pending-1')).toBe(false);
    expect(all.every((m) => m.approval_status > 0)).toBe(true);
  });

  it('keeps the newest N with limit, and the first N after after_seq', async () => {
    const last = all.length;
    expect(await page('')).toEqual(all.map((m) => m.seq));
    expect(await page('?limit=2')).toEqual([last - 1, last]);
    expect(await page('?after_seq=3&limit=2')).toEqual([4, 5]);
    expect(await page(`?after_seq=${last}`)).toEqual([]);
  });

  it('bounds time inclusively with since and until (ISO times or now)', async () => {
    const m2 = all.find((m) => m.text === 'm2')!;
    const m4 = all.find((m) => m.text === 'm4')!;
    const within = (from: string, to: string) =>
      all.filter((m) => m.time >= from && m.time <= to).map((m) => m.seq);

    expect(await page(`?since=${encodeURIComponent(m2.time)}`)).toEqual(within(m2.time, '9999'));
    expect(await page(`?until=${encodeURIComponent(m4.time)}`)).toEqual(within('0000', m4.time));
    expect(await page(`?since=${encodeURIComponent(m2.time)}&until=${encodeURIComponent(m4.time)}`)).toEqual(
      within(m2.time, m4.time),
    );
    expect(await page('?until=now')).toEqual(all.map((m) => m.seq));
    expect(await page(`?since=${encodeURIComponent(m2.time)}&limit=1`)).toEqual([all[all.length - 1].seq]);
    expect(await page(`?since=${encodeURIComponent(m2.time)}&after_seq=1&limit=2`)).toEqual(
      within(m2.time, '9999').slice(0, 2),
    );
  });

  it.each([
    ['since=yesterday'],
    ['until=12:00'],
    ['limit=0'],
    ['limit=1001'],
    ['limit=abc'],
    ['after_seq=-1'],
    ['after_seq=1.5'],
  ])('refuses %s with 400 invalid_parameter', async (query) => {
    const response = await httpJson(stack, 'GET', `/conversations/${ticket.id}/messages?${query}`, { token: ticket.token });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_parameter');
  });
});
