/**
 * The ConversationConsumer end to end: real `ws` clients -> local API Gateway -> the three Lambda
 * handlers -> DynamoDB Local, with posts through the real management API client.
 * Covers the consumer table of SPEC 2 without a bot manager.
 */
import { HandshakeRefused, TestSocket, eventually, type Frame } from '../support/ws-test-client';
import { NO_MANAGER_BOTS, httpJson, startTestStack, type TestStack } from '../support/test-stack';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack('consumer', NO_MANAGER_BOTS, { openRooms: true });
});

afterAll(async () => {
  await stack?.stop();
});

interface Ticket {
  id: string;
  token: string;
  my_participant_id: string;
  participants: Array<{ id: string; name: string; type: string }>;
}

async function createConversation(nickname: string, bots: string[] = []): Promise<Ticket> {
  const response = await httpJson(stack, 'POST', '/conversations', { body: { nickname, bots } });
  expect(response.status).toBe(201);
  return response.body as Ticket;
}

async function join(conversationId: string, nickname: string): Promise<Ticket> {
  const response = await httpJson(stack, 'POST', `/conversations/${conversationId}/join`, { body: { nickname } });
  expect(response.status).toBe(201);
  return response.body as Ticket;
}

/** Connects and syncs from 0; resolves once the sync's `state` frame arrived. */
async function connectAndSync(token: string): Promise<TestSocket> {
  const socket = await TestSocket.open(stack.gateway.url, { token });
  socket.send({ action: 'sync', after_seq: 0 });
  await socket.waitFor((frame) => frame.state !== undefined);
  return socket;
}

async function lastSeqOf(socket: TestSocket): Promise<number> {
  const from = socket.frames.length;
  socket.send({ action: 'ping' });
  const pong = await socket.waitFor((frame) => frame.pong !== undefined, 5000, from);
  return pong.pong.last_seq as number;
}

const isMessage = (predicate: (message: Frame) => boolean) => (frame: Frame) =>
  frame.message !== undefined && predicate(frame.message);

describe('connect', () => {
  it('stores participant-joined for a human, broadcasts state, and serves history through sync', async () => {
    const ana = await createConversation('Ana');
    const socket = await TestSocket.open(stack.gateway.url, { token: ana.token });
    socket.send({ action: 'sync', after_seq: 0 });
    const state = await socket.waitFor((frame) => frame.state !== undefined);
    const messages = socket.messages();

    expect(messages.map((m) => m.seq)).toEqual([1, 2]);
    expect(messages[0]).toMatchObject({ type: 'S', event: 'conversation-created', approval_status: 1 });
    expect(messages[1]).toMatchObject({
      type: 'S',
      event: 'participant-joined',
      additional_metadata: { participant_id: ana.my_participant_id },
    });
    expect(messages[1]).not.toHaveProperty('sender_id');
    expect(messages[1]).not.toHaveProperty('text');
    expect(state.state).toEqual({
      participants: [{ id: ana.my_participant_id, name: 'Ana', type: 'H', online: true }],
      last_seq: 2,
    });
    await socket.close();
  });

  it('tells connected participants about a newcomer with participant-joined and state', async () => {
    const ana = await createConversation('Ana');
    const bia = await join(ana.id, 'Bia');
    const anaSocket = await connectAndSync(ana.token);
    const from = anaSocket.frames.length;
    const biaSocket = await TestSocket.open(stack.gateway.url, { token: bia.token });

    const joined = await anaSocket.waitFor(
      isMessage((m) => m.event === 'participant-joined' && m.additional_metadata.participant_id === bia.my_participant_id),
      5000,
      from,
    );
    // created (1), Ana joined (2), Bia joined (3): joining by HTTP stores nothing until Bia connects.
    expect(joined.message.seq).toBe(3);
    const state = await anaSocket.waitFor(
      (frame) => frame.state?.participants.some((p: Frame) => p.id === bia.my_participant_id && p.online),
      5000,
      from,
    );
    expect(state.state.last_seq).toBe(3);
    await Promise.all([anaSocket.close(), biaSocket.close()]);
  });

  it.each([
    ['no token', {}, 401],
    ['an unknown token', { token: 'not-a-token' }, 401],
  ])('refuses a handshake with %s (%i) and writes nothing', async (_label, query, status) => {
    const ana = await createConversation('Ana');
    const watcher = await connectAndSync(ana.token);
    const before = await lastSeqOf(watcher);

    await expect(TestSocket.open(stack.gateway.url, query as Record<string, string>)).rejects.toEqual(
      new HandshakeRefused(status),
    );
    expect(await lastSeqOf(watcher)).toBe(before);
    expect(stack.gateway.connectionCount()).toBeGreaterThanOrEqual(1);
    await watcher.close();
  });

  it('refuses a token used with another conversation_id (403)', async () => {
    const ana = await createConversation('Ana');
    const other = await createConversation('Other');
    await expect(
      TestSocket.open(stack.gateway.url, { token: ana.token, conversation_id: other.id }),
    ).rejects.toEqual(new HandshakeRefused(403));
    // The matching conversation_id is accepted.
    const socket = await TestSocket.open(stack.gateway.url, { token: ana.token, conversation_id: ana.id });
    await socket.close();
  });
});

describe('receive', () => {
  it('delivers a human message to every participant with the server-filled fields', async () => {
    const ana = await createConversation('Ana');
    const bia = await join(ana.id, 'Bia');
    const anaSocket = await connectAndSync(ana.token);
    const biaSocket = await connectAndSync(bia.token);

    anaSocket.send({ type: 'T', text: 'hi Bia', local_id: 'l-1', sender_id: 'forged', approval_status: 2, seq: 99 });
    const atBia = await biaSocket.waitFor(isMessage((m) => m.text === 'hi Bia'));
    const atAna = await anaSocket.waitFor(isMessage((m) => m.text === 'hi Bia'));

    expect(atBia.message).toEqual(atAna.message);
    expect(atBia.message).toMatchObject({
      type: 'T',
      sender_id: ana.my_participant_id,
      local_id: 'l-1',
      approval_status: 1,
      sent_by_human: true,
      sent_by_manager: false,
    });
    expect(atBia.message.seq).toBe(await lastSeqOf(anaSocket));
    expect(atBia.message.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(atBia.message).not.toHaveProperty('command');
    await Promise.all([anaSocket.close(), biaSocket.close()]);
  });

  it('stores a resent local_id once, answers the sender with the stored message, and delivers nothing again', async () => {
    const ana = await createConversation('Ana');
    const bia = await join(ana.id, 'Bia');
    const anaSocket = await connectAndSync(ana.token);
    const biaSocket = await connectAndSync(bia.token);

    anaSocket.send({ type: 'T', text: 'once', local_id: 'dup-1' });
    const first = await biaSocket.waitFor(isMessage((m) => m.local_id === 'dup-1'));
    const seqAfterFirst = await lastSeqOf(anaSocket);
    const anaFrom = anaSocket.frames.length;
    anaSocket.send({ type: 'T', text: 'once, again', local_id: 'dup-1' });
    const echo = await anaSocket.waitFor(isMessage((m) => m.local_id === 'dup-1'), 5000, anaFrom);

    expect(echo.message).toEqual(first.message);
    expect(await lastSeqOf(anaSocket)).toBe(seqAfterFirst);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(biaSocket.messages().filter((m) => m.local_id === 'dup-1')).toHaveLength(1);
    await Promise.all([anaSocket.close(), biaSocket.close()]);
  });

  it('keeps time in seq order when concurrent senders race for the next seq', async () => {
    const ana = await createConversation('Ana');
    const bia = await join(ana.id, 'Bia');
    const sockets = [await connectAndSync(ana.token), await connectAndSync(ana.token), await connectAndSync(bia.token)];
    const perSocket = 8;
    for (let i = 0; i < perSocket; i++) {
      sockets.forEach((socket, n) => socket.send({ type: 'T', text: `race ${n}.${i}`, local_id: `race-${n}-${i}` }));
    }
    const total = perSocket * sockets.length;
    // A lost race is retried by the server; a `busy` refusal (after many) is resent like the SDK does.
    const stored = await eventually(async () => {
      for (const socket of sockets) {
        for (const frame of socket.frames.filter((f) => f.error?.code === 'busy' && !f.resent)) {
          frame.resent = true;
          const [, n, i] = (frame.error.local_id as string).split('-');
          socket.send({ type: 'T', text: `race ${n}.${i}`, local_id: frame.error.local_id });
        }
      }
      const history = await httpJson(stack, 'GET', `/conversations/${ana.id}/messages?limit=1000`, { token: ana.token });
      const races = (history.body.results as Frame[]).filter((m) => m.local_id?.startsWith('race-'));
      return races.length === total ? races : undefined;
    }, 15_000);
    const times = stored.map((m) => Date.parse(m.time));
    expect(times.every((time, i) => i === 0 || time >= times[i - 1]!)).toBe(true);
    await Promise.all(sockets.map((socket) => socket.close()));
  });

  it('answers a quote of an existing message and refuses a quote of another conversation', async () => {
    const ana = await createConversation('Ana');
    const other = await createConversation('Other');
    const otherSocket = await connectAndSync(other.token);
    const foreignMessageId = otherSocket.messages()[0]!.id as string;
    const socket = await connectAndSync(ana.token);
    const ownMessageId = socket.messages()[0]!.id as string;

    socket.send({ type: 'T', text: 'quoting', local_id: 'q-1', quoted_message_id: ownMessageId });
    const quoted = await socket.waitFor(isMessage((m) => m.local_id === 'q-1'));
    expect(quoted.message.quoted_message_id).toBe(ownMessageId);

    const before = await lastSeqOf(socket);
    socket.send({ type: 'T', text: 'quoting', local_id: 'q-2', quoted_message_id: foreignMessageId });
    const error = await socket.waitFor((frame) => frame.error !== undefined);
    expect(error.error).toEqual({
      code: 'unknown_quoted_message',
      message: 'quoted_message_id is not a message of this conversation',
      local_id: 'q-2',
    });
    expect(await lastSeqOf(socket)).toBe(before);
    await Promise.all([socket.close(), otherSocket.close()]);
  });

  it.each([
    ['not JSON', 'hello', 'invalid_json', undefined],
    ['a JSON array', '[1,2]', 'invalid_frame', undefined],
    ['a system message', { type: 'S', text: 'x', local_id: 'e-1' }, 'invalid_message_type', 'e-1'],
    ['an unknown type', { type: 'Z', text: 'x' }, 'invalid_message_type', undefined],
    ['text over 4000 chars', { type: 'T', text: 'x'.repeat(4001), local_id: 'e-2' }, 'text_too_long', 'e-2'],
    ['a local_id over 32 chars', { type: 'T', text: 'x', local_id: 'y'.repeat(33) }, 'local_id_too_long', 'y'.repeat(33)],
    ['options that are not strings', { type: 'T', text: 'x', options: [1] }, 'invalid_options', undefined],
    ['an unknown action', { action: 'dance' }, 'unknown_action', undefined],
    ['an empty text message', { type: 'T', text: '  ' }, 'empty_message', undefined],
  ])('answers %s with an error frame and stores nothing', async (_label, frame, code, localId) => {
    const ana = await createConversation('Ana');
    const socket = await connectAndSync(ana.token);
    const before = await lastSeqOf(socket);
    const from = socket.frames.length;

    socket.send(frame);
    const error = await socket.waitFor((f) => f.error !== undefined, 5000, from);

    expect(error.error.code).toBe(code);
    expect(typeof error.error.message).toBe('string');
    expect(error.error.local_id).toBe(localId);
    expect(await lastSeqOf(socket)).toBe(before);
    await socket.close();
  });

  it('answers ping with the newest seq and the connection id', async () => {
    const ana = await createConversation('Ana');
    const socket = await connectAndSync(ana.token);
    socket.send({ action: 'ping' });
    const pong = await socket.waitFor((frame) => frame.pong !== undefined);
    expect(pong.pong.last_seq).toBe(2);
    expect(pong.pong.connection_id).toMatch(/^[A-Za-z0-9+/]{15}=$/);
    await socket.close();
  });
});

describe('sync after a reconnect', () => {
  it('returns exactly the messages missed, in seq order, then state', async () => {
    const ana = await createConversation('Ana');
    const bia = await join(ana.id, 'Bia');
    const anaSocket = await connectAndSync(ana.token);
    let biaSocket = await connectAndSync(bia.token);
    const lastSeen = await lastSeqOf(biaSocket);
    await biaSocket.close();
    // $disconnect runs after the close (as on AWS): let its participant-left land first.
    await anaSocket.waitFor(isMessage((m) => m.event === 'participant-left'));

    for (const text of ['one', 'two', 'three']) {
      anaSocket.send({ type: 'T', text, local_id: `m-${text}` });
      await anaSocket.waitFor(isMessage((m) => m.text === text));
    }
    biaSocket = await TestSocket.open(stack.gateway.url, { token: bia.token });
    biaSocket.send({ action: 'sync', after_seq: lastSeen });
    await biaSocket.waitFor((frame) => frame.state !== undefined);

    const missed = biaSocket.messages();
    const seqs = missed.map((m) => m.seq as number);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => lastSeen + 1 + i));
    expect(missed.map((m) => m.event ?? m.text)).toEqual([
      'participant-left',
      'one',
      'two',
      'three',
      'participant-joined',
    ]);
    await Promise.all([anaSocket.close(), biaSocket.close()]);
  });
});

describe('disconnect', () => {
  it('stores participant-left and broadcasts state with the participant offline', async () => {
    const ana = await createConversation('Ana');
    const bia = await join(ana.id, 'Bia');
    const anaSocket = await connectAndSync(ana.token);
    const biaSocket = await connectAndSync(bia.token);
    const from = anaSocket.frames.length;

    await biaSocket.close();
    const left = await anaSocket.waitFor(
      isMessage((m) => m.event === 'participant-left' && m.additional_metadata.participant_id === bia.my_participant_id),
      5000,
      from,
    );
    const state = await anaSocket.waitFor(
      (frame) => frame.state?.participants.some((p: Frame) => p.id === bia.my_participant_id && !p.online),
      5000,
      from,
    );
    expect(state.state.last_seq).toBe(left.message.seq);
    await anaSocket.close();
  });

  it('is idempotent: a second $disconnect for the same connection stores nothing', async () => {
    const ana = await createConversation('Ana');
    const anaSocket = await connectAndSync(ana.token);
    const bia = await join(ana.id, 'Bia');
    const biaSocket = await connectAndSync(bia.token);
    const connectionId = await biaSocket.connectionId();
    await biaSocket.close();
    await anaSocket.waitFor(isMessage((m) => m.event === 'participant-left'));
    const before = await lastSeqOf(anaSocket);

    await stack.app.consumer.disconnect(connectionId, 1000);

    expect(await lastSeqOf(anaSocket)).toBe(before);
    await anaSocket.close();
  });

  it('ends the conversation when a required bot leaves: conversation-ended, refusals after it', async () => {
    const keeperStack = await startTestStack(
      'ending',
      {
        manager: null,
        bots: [{ name: 'Keeper', delivery: 'websocket', invite_url: 'local://bots/invite/Keeper', required: true }],
      },
      {},
    );
    try {
      const created = await httpJson(keeperStack, 'POST', '/conversations', { body: { nickname: 'Ana', bots: ['Keeper'] } });
      const ticket = created.body as Ticket;
      const invitation = await eventually(() => keeperStack.inbox.invitations[0]);
      expect(invitation.path).toBe('/invite/Keeper');
      expect(Object.keys(invitation.body).sort()).toEqual(['bot_participant_id', 'conversation_id', 'token', 'websocket_url']);
      expect(invitation.body.websocket_url).toBe(keeperStack.gateway.url);

      const human = await TestSocket.open(keeperStack.gateway.url, { token: ticket.token });
      const bot = await TestSocket.open(invitation.body.websocket_url!, { token: invitation.body.token! });
      human.send({ action: 'sync', after_seq: 0 });
      await human.waitFor((frame) => frame.state !== undefined);
      const from = human.frames.length;

      await bot.close();
      const ended = await human.waitFor(isMessage((m) => m.event === 'conversation-ended'), 5000, from);
      const left = human.messages().find((m) => m.event === 'participant-left');
      expect(left!.seq + 1).toBe(ended.message.seq);

      human.send({ type: 'T', text: 'still there?', local_id: 'late' });
      const refusal = await human.waitFor((frame) => frame.error !== undefined);
      expect(refusal.error).toMatchObject({ code: 'conversation_ended', local_id: 'late' });
      // A malformed message frame learns the same: no message can be sent any more.
      const afterLate = human.frames.length;
      human.send({ type: 'X', text: 'bad type', local_id: 'late-bad' });
      const malformed = await human.waitFor((frame) => frame.error !== undefined, 5000, afterLate);
      expect(malformed.error).toMatchObject({ code: 'conversation_ended', local_id: 'late-bad' });
      // Actions keep their own answers: a client can still ping and sync the history.
      const afterBad = human.frames.length;
      human.send({ action: 'dance' });
      expect((await human.waitFor((frame) => frame.error !== undefined, 5000, afterBad)).error.code).toBe('unknown_action');
      const afterDance = human.frames.length;
      human.send({ action: 'ping' });
      expect((await human.waitFor((frame) => frame.pong !== undefined, 5000, afterDance)).pong.last_seq).toBe(ended.message.seq);
      expect(human.closed).toBeUndefined();
      await expect(TestSocket.open(keeperStack.gateway.url, { token: ticket.token })).rejects.toEqual(
        new HandshakeRefused(403),
      );
      const view = await httpJson(keeperStack, 'GET', `/conversations/${ticket.id}`, { token: ticket.token });
      expect(view.body.ended).toBe(true);
      await human.close();
    } finally {
      await keeperStack.stop();
    }
  });
});

describe('gone connections (410)', () => {
  // $disconnect never comes here, as happens on AWS when a network drops.
  let lossy: TestStack;

  beforeAll(async () => {
    lossy = await startTestStack('gone', NO_MANAGER_BOTS, {
      openRooms: true,
      newConnectionGraceMs: 0,
      gateway: { disconnectDropRate: 1 },
    });
  });

  afterAll(async () => {
    await lossy?.stop();
  });

  async function joinLossy(conversationId: string, nickname: string): Promise<Ticket> {
    return (await httpJson(lossy, 'POST', `/conversations/${conversationId}/join`, { body: { nickname } })).body as Ticket;
  }

  /** `watcher` sees `gone` leave (frames from `from`, log lines from `logFrom`): participant-left, `state` with it offline. */
  async function expectLeft(watcher: TestSocket, gone: Ticket, from: number, logFrom: number): Promise<void> {
    const left = await watcher.waitFor(
      isMessage((m) => m.event === 'participant-left' && m.additional_metadata.participant_id === gone.my_participant_id),
      5000,
      from,
    );
    expect(left.message.seq).toBeGreaterThan(0);
    await watcher.waitFor(
      (frame) => frame.state?.participants.some((p: Frame) => p.id === gone.my_participant_id && !p.online),
      5000,
      from,
    );
    expect(lossy.log.lines.slice(logFrom).some((line) => line.message === 'connection gone (410); removing it')).toBe(true);
  }

  it('removes a connection API Gateway reports gone, without failing delivery to the others', async () => {
    const ana = (await httpJson(lossy, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body as Ticket;
    const bia = await joinLossy(ana.id, 'Bia');
    const cai = await joinLossy(ana.id, 'Cai');
    // One at a time: with no grace, a 410 from a connection still inside its $connect would remove it.
    const sockets: TestSocket[] = [];
    for (const ticket of [ana, bia, cai]) {
      const socket = await TestSocket.open(lossy.gateway.url, { token: ticket.token });
      socket.send({ action: 'sync', after_seq: 0 });
      await socket.waitFor((frame) => frame.state !== undefined);
      sockets.push(socket);
    }
    const [anaSocket, biaSocket, caiSocket] = sockets as [TestSocket, TestSocket, TestSocket];
    await biaSocket.close();
    const from = anaSocket.frames.length;
    const logFrom = lossy.log.lines.length;

    anaSocket.send({ type: 'T', text: 'anyone?', local_id: 'g-1' });
    await caiSocket.waitFor(isMessage((m) => m.text === 'anyone?'));
    await expectLeft(anaSocket, bia, from, logFrom);
    await Promise.all([anaSocket.close(), caiSocket.close()]);
  });

  it('removes a gone connection the HTTP API finds when a join announces the new state', async () => {
    // given Ana and Bia connected, and Bia's connection dropped without a $disconnect
    const ana = (await httpJson(lossy, 'POST', '/conversations', { body: { nickname: 'Ana' } })).body as Ticket;
    const bia = await joinLossy(ana.id, 'Bia');
    const anaSocket = await TestSocket.open(lossy.gateway.url, { token: ana.token });
    const biaSocket = await TestSocket.open(lossy.gateway.url, { token: bia.token });
    biaSocket.send({ action: 'sync', after_seq: 0 });
    await biaSocket.waitFor((frame) => frame.state !== undefined);
    await biaSocket.close();
    const from = anaSocket.frames.length;
    const logFrom = lossy.log.lines.length;

    // when Cai joins by HTTP (the http-api Lambda posts the new state to every connection)
    const cai = await httpJson(lossy, 'POST', `/conversations/${ana.id}/join`, { body: { nickname: 'Cai' } });
    expect(cai.status).toBe(201);

    // then Bia's connection leaves as on $disconnect: participant-left is stored and broadcast
    await expectLeft(anaSocket, bia, from, logFrom);
    await anaSocket.close();
  });
});

describe('frame limits (API Gateway behaviour)', () => {
  it('closes a connection that sends a frame over 32 KB with 1009, and it leaves the conversation', async () => {
    const ana = await createConversation('Ana');
    const bia = await join(ana.id, 'Bia');
    const watcher = await connectAndSync(ana.token);
    const socket = await connectAndSync(bia.token);
    const from = watcher.frames.length;

    socket.send(JSON.stringify({ type: 'T', text: 'x'.repeat(33 * 1024) }));
    expect((await socket.waitForClose()).code).toBe(1009);
    await watcher.waitFor(isMessage((m) => m.event === 'participant-left'), 5000, from);
    expect(watcher.messages().some((m) => m.text?.startsWith('xxx'))).toBe(false);
    await watcher.close();
  });

  it('closes a connection that sends a binary frame with 1003', async () => {
    const ana = await createConversation('Ana');
    const socket = await connectAndSync(ana.token);
    socket.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await socket.waitForClose()).code).toBe(1003);
  });
});
