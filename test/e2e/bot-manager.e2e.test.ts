/**
 * The bot manager end to end (SPEC 3): a manager that reads its real SQS FIFO queue and answers
 * through the replies queue, a `websocket` bot, a `queue` bot and a human, all through the local stack.
 */
import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { QUEUE_RESEND_WINDOW_MS } from '../../lambdas/core/queue-ids';
import { QueuePeer, type QueueDeliveryBody } from '../support/queue-peer';
import { TEST_BOTS, httpJson, startTestStack, type TestStack } from '../support/test-stack';
import { TestSocket, eventually, type Frame } from '../support/ws-test-client';

let stack: TestStack;
/** The handlers' clock, moved forward by a test and back after it. */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };
/** Queue URL of every SendMessage the handlers make. */
const queueSends: string[] = [];

beforeAll(async () => {
  stack = await startTestStack('manager', TEST_BOTS, {
    clock,
    instrument: {
      sqs: (client, user) => {
        if (user !== 'handlers') return;
        client.middlewareStack.add(
          (next, context) => async (args) => {
            const input = args.input as { QueueUrl?: string };
            if (context.commandName === 'SendMessageCommand' && input.QueueUrl) queueSends.push(input.QueueUrl);
            return next(args);
          },
          { step: 'initialize', name: 'recordQueueSends' },
        );
      },
    },
  });
});

afterEach(() => {
  clock.offsetMs = 0;
});

afterAll(async () => {
  await stack?.stop();
});

interface Scene {
  conversationId: string;
  human: TestSocket;
  humanId: string;
  helper: TestSocket;
  helperId: string;
  calcId: string;
  managerId: string;
  manager: QueuePeer;
  calc: QueuePeer;
}

const isMessage = (predicate: (message: Frame) => boolean) => (frame: Frame) =>
  frame.message !== undefined && predicate(frame.message);

/** A conversation with Helper (websocket) and Calc (queue); the human and Helper connected. */
async function scene(): Promise<Scene> {
  const created = await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Ana', bots: ['Helper', 'Calc'] } });
  expect(created.status).toBe(201);
  const ticket = created.body;
  const invitation = await eventually(() =>
    stack.inbox.invitations.find((candidate) => candidate.body.conversation_id === ticket.id),
  );
  const participantNamed = (name: string) => ticket.participants.find((p: Frame) => p.name === name).id as string;
  const manager = new QueuePeer(stack.sqs, stack.botQueueUrls.Manager!, stack.repliesQueueUrl);
  const calc = new QueuePeer(stack.sqs, stack.botQueueUrls.Calc!, stack.repliesQueueUrl);
  const helper = await TestSocket.open(invitation.body.websocket_url!, { token: invitation.body.token! });
  const human = await TestSocket.open(stack.gateway.url, { token: ticket.token });
  human.send({ action: 'sync', after_seq: 0 });
  await human.waitFor((frame) => frame.state !== undefined);
  return {
    conversationId: ticket.id,
    human,
    humanId: ticket.my_participant_id,
    helper,
    helperId: invitation.body.bot_participant_id!,
    calcId: participantNamed('Calc'),
    managerId: participantNamed('Manager'),
    manager,
    calc,
  };
}

async function humanSays(s: Scene, text: string, localId: string): Promise<Frame> {
  s.human.send({ type: 'T', text, local_id: localId });
  return (await s.human.waitFor(isMessage((m) => m.local_id === localId))).message;
}

async function closeScene(s: Scene): Promise<void> {
  await Promise.all([s.human.close(), s.helper.close()]);
}

function managerCommand(s: Scene, message: Record<string, unknown>): Promise<void> {
  return s.manager.reply(s.conversationId, s.managerId, { type: 'T', ...message });
}

describe('with a bot manager', () => {
  it('creates the manager as a participant and tells it about the conversation through its queue', async () => {
    const s = await scene();
    const created = await s.manager.waitFor(
      (body) => body.conversation_id === s.conversationId && body.message.event === 'conversation-created',
    );
    expect(created.bot_participant_id).toBe(s.managerId);
    expect(created.message.seq).toBe(1);
    await closeScene(s);
  });

  it('sends system messages to humans and the manager only: other bots see joins of nobody', async () => {
    const s = await scene();
    const humanJoined = await s.human.waitFor(
      isMessage((m) => m.event === 'participant-joined' && m.additional_metadata?.participant_id === s.humanId),
    );
    await s.manager.waitFor((body) => body.message.id === humanJoined.message.id);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.helper.messages().filter((m) => m.type === 'S')).toEqual([]);
    const calcGot = (await s.calc.drain(0)).filter((body) => body.conversation_id === s.conversationId);
    expect(calcGot.map((body) => body.message.event)).toEqual([]);
    // Neither queue bot holds a connection, so neither is online; the connected bot is.
    const state = (await s.human.waitFor((frame) => frame.state !== undefined)).state;
    const online = Object.fromEntries(state.participants.map((p: Frame) => [p.name, p.online]));
    expect(online).toEqual({ Ana: true, Helper: true, Calc: false, Manager: false });
    await closeScene(s);
  });

  it('sends every human message to the manager queue and to humans only, never to other bots', async () => {
    const s = await scene();
    const sent = await humanSays(s, 'hello', 'h-1');
    expect(sent).toMatchObject({ approval_status: 1, sent_by_human: true });

    const delivery = await s.manager.waitFor((body) => body.message.id === sent.id);
    expect(delivery).toEqual({ conversation_id: s.conversationId, bot_participant_id: s.managerId, message: sent });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.helper.messages().some((m) => m.id === sent.id)).toBe(false);
    expect((await s.calc.drain(0)).some((body) => body.message.id === sent.id)).toBe(false);
    await closeScene(s);
  });

  it('answers a resent local_id without delivering it twice: sent again only within the SQS de-duplication window', async () => {
    const s = await scene();
    const managerSends = () => queueSends.filter((url) => url === stack.botQueueUrls.Manager).length;
    const resend = async () => {
      const answered = s.human.messages().filter((m) => m.local_id === 'dup-1').length;
      s.human.send({ type: 'T', text: 'once', local_id: 'dup-1' });
      await eventually(() => s.human.messages().filter((m) => m.local_id === 'dup-1').length > answered);
    };
    const sent = await humanSays(s, 'once', 'dup-1');
    await s.manager.waitFor((body) => body.message.id === sent.id);
    const sendsAfterFirst = managerSends();

    // Soon after: sent again (it heals a send lost after the write), and SQS drops the repeat.
    await resend();
    await eventually(() => managerSends() === sendsAfterFirst + 1);
    expect((await s.manager.drain(1)).filter((body) => body.message.id === sent.id)).toEqual([]);

    // Past the window SQS would deliver a repeat, so nothing is sent.
    clock.offsetMs = QUEUE_RESEND_WINDOW_MS + 1_000;
    await resend();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(managerSends()).toBe(sendsAfterFirst + 1);
    expect(s.human.messages().filter((m) => m.local_id === 'dup-1').every((m) => m.id === sent.id && m.seq === sent.seq)).toBe(true);
    await closeScene(s);
  });

  it('carries any text to the manager queue intact: emoji, and characters SQS itself refuses', async () => {
    const s = await scene();
    const text = 'thumbs 👍, café, \uffff end';
    const sent = await humanSays(s, text, 'h-emoji');
    const delivery = await s.manager.waitFor((body) => body.message.id === sent.id);
    expect(delivery.message.text).toBe(text);
    await closeScene(s);
  });

  it('redirects a message to a websocket bot by name, with overrides, and shows humans nothing new', async () => {
    const s = await scene();
    const sent = await humanSays(s, '2+3*4', 'h-2');
    const humanFrames = s.human.frames.length;

    await managerCommand(s, {
      text: '',
      quoted_message_id: sent.id,
      command: JSON.stringify({ action: 'redirect', bots: ['Helper'], overrides: { text: 'rewritten', id: 'not-allowed' } }),
    });
    const redirected = await s.helper.waitFor(isMessage((m) => m.text === 'rewritten'));

    expect(redirected.message).toMatchObject({ id: sent.id, seq: sent.seq, sender_id: s.humanId, text: 'rewritten' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.human.frames.slice(humanFrames).filter((frame) => frame.message)).toEqual([]);
    await closeScene(s);
  });

  it('redirects a message to a queue bot by participant id (deliverMessageToBot by id)', async () => {
    const s = await scene();
    const sent = await humanSays(s, 'for calc', 'h-3');
    await managerCommand(s, {
      text: '',
      quoted_message_id: sent.id,
      command: JSON.stringify({ action: 'redirect', bots: [s.calcId], overrides: { text: 'calc please' } }),
    });
    const delivered = await s.calc.waitFor((body) => body.message.id === sent.id);
    expect(delivered).toEqual({
      conversation_id: s.conversationId,
      bot_participant_id: s.calcId,
      message: { ...sent, text: 'calc please' },
    });
    await closeScene(s);
  });

  it('delivers a second redirect of the same message to the same queue bot (each redirect is a delivery)', async () => {
    const s = await scene();
    const sent = await humanSays(s, 'ask twice', 'h-twice');
    const redirect = (text: string, localId: string) =>
      managerCommand(s, {
        text: '',
        local_id: localId,
        quoted_message_id: sent.id,
        command: JSON.stringify({ action: 'redirect', bots: ['Calc'], overrides: { text } }),
      });
    const redirected = (text: string) => (body: QueueDeliveryBody) => body.message.id === sent.id && body.message.text === text;
    await redirect('first try', 'm-twice-1');
    await s.calc.waitFor(redirected('first try'));
    await redirect('second try', 'm-twice-2');
    await s.calc.waitFor(redirected('second try'));
    expect(s.calc.received.filter((body) => body.message.id === sent.id)).toHaveLength(2);
    await closeScene(s);
  });

  it('stores a bot answer unapproved, hides it from humans, and delivers it when the manager approves', async () => {
    const s = await scene();
    const question = await humanSays(s, 'question', 'h-4');
    s.helper.send({ type: 'T', text: 'ANSWER', local_id: 'b-1', quoted_message_id: question.id });
    const pending = await s.manager.waitFor((body) => body.message.local_id === 'b-1');
    expect(pending.message).toMatchObject({ approval_status: 0, sender_id: s.helperId, sent_by_human: false });
    expect(pending.message).not.toHaveProperty('seq');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(s.human.messages().some((m) => m.local_id === 'b-1')).toBe(false);

    await managerCommand(s, { text: '', quoted_message_id: pending.message.id, command: '{"action": "approve"}' });
    const approved = await s.human.waitFor(isMessage((m) => m.id === pending.message.id));

    expect(approved.message).toMatchObject({ approval_status: 2, text: 'ANSWER', quoted_message_id: question.id });
    expect(approved.message.seq).toBe(question.seq + 1);
    const again = await s.manager.waitFor((body) => body.message.id === pending.message.id && body.message.approval_status === 2);
    expect(again.message.seq).toBe(approved.message.seq);

    // Approving twice changes nothing.
    await managerCommand(s, { text: '', quoted_message_id: pending.message.id, command: '{"action": "approve"}' });
    await eventually(() => stack.log.lines.some((line) => line.message === 'manager approved a message that is approved already'));
    expect(s.human.messages().filter((m) => m.id === pending.message.id)).toHaveLength(1);
    await closeScene(s);
  });

  it('self_approve: the manager\'s own message reaches humans approved by the manager, with its command', async () => {
    const s = await scene();
    await managerCommand(s, { text: 'Welcome!', local_id: 'mgr-1', command: '{"self_approve": true}' });
    const welcome = await s.human.waitFor(isMessage((m) => m.local_id === 'mgr-1'));
    expect(welcome.message).toMatchObject({
      text: 'Welcome!',
      sender_id: s.managerId,
      approval_status: 2,
      sent_by_manager: true,
      sent_by_human: false,
      command: '{"self_approve": true}',
    });
    await closeScene(s);
  });

  it('self_redirect: the manager\'s own message goes to the named bots only', async () => {
    const s = await scene();
    await managerCommand(s, {
      text: 'just for Helper',
      local_id: 'mgr-2',
      command: JSON.stringify({ self_redirect: true, bots: ['Helper'] }),
    });
    const atHelper = await s.helper.waitFor(isMessage((m) => m.local_id === 'mgr-2'));
    expect(atHelper.message).toMatchObject({ approval_status: 0, sent_by_manager: true });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(s.human.messages().some((m) => m.local_id === 'mgr-2')).toBe(false);
    await closeScene(s);
  });

  it('on_behalf_of: stored as sent by that participant, marked sent_by_manager', async () => {
    const s = await scene();
    await managerCommand(s, {
      text: 'said for Ana',
      local_id: 'mgr-3',
      command: JSON.stringify({ on_behalf_of: s.humanId, self_approve: true }),
    });
    const message = await s.human.waitFor(isMessage((m) => m.local_id === 'mgr-3'));
    expect(message.message).toMatchObject({
      sender_id: s.humanId,
      sent_by_manager: true,
      sent_by_human: true,
      approval_status: 2,
    });

    // Without self_approve it stays unapproved (and so unseen by humans).
    await managerCommand(s, { text: 'quietly', local_id: 'mgr-4', command: JSON.stringify({ on_behalf_of: s.humanId }) });
    const pending = await s.manager.waitFor((body) => body.message.local_id === 'mgr-4');
    expect(pending.message).toMatchObject({ sender_id: s.humanId, approval_status: 0, sent_by_manager: true });
    await closeScene(s);
  });

  it('ignores a malformed command with a warning and still stores the message', async () => {
    const s = await scene();
    await managerCommand(s, { text: 'odd', local_id: 'mgr-5', command: 'not json' });
    const stored = await s.manager.waitFor((body) => body.message.local_id === 'mgr-5');
    expect(stored.message).toMatchObject({ approval_status: 0, command: 'not json' });
    expect(stack.log.lines.some((line) => line.message === 'manager command partly ignored')).toBe(true);
    await closeScene(s);
  });

  it('drops a command from anyone but the manager', async () => {
    const s = await scene();
    const question = await humanSays(s, 'q', 'h-5');
    s.helper.send({ type: 'T', text: 'sneaky', local_id: 'b-2', quoted_message_id: question.id, command: '{"self_approve": true}' });
    const stored = await s.manager.waitFor((body) => body.message.local_id === 'b-2');
    expect(stored.message.approval_status).toBe(0);
    expect(stored.message).not.toHaveProperty('command');
    await closeScene(s);
  });

  it('delivers nothing for a redirect to an unknown bot, and logs it', async () => {
    const s = await scene();
    const sent = await humanSays(s, 'nobody', 'h-6');
    await managerCommand(s, {
      text: '',
      quoted_message_id: sent.id,
      command: JSON.stringify({ action: 'redirect', bots: ['Nobody'] }),
    });
    await eventually(() =>
      stack.log.lines.find((line) => line.message === 'no such bot in the conversation; nothing delivered' && line.fields?.bot === 'Nobody'),
    );
    expect(s.helper.messages().some((m) => m.id === sent.id)).toBe(false);
    await closeScene(s);
  });

  it('moves a refused reply to the replies dead-letter queue at once, with its reason', async () => {
    const s = await scene();
    // A websocket bot may not use the replies queue.
    await s.manager.reply(s.conversationId, s.helperId, { type: 'T', text: 'via queue' });
    await s.manager.sendRaw('{not json', s.conversationId);

    const codes = new Set<string | undefined>();
    const dead = await eventually(async () => {
      const output = await stack.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: stack.repliesDeadLetterQueueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      for (const m of output.Messages ?? []) {
        codes.add(m.MessageAttributes?.error_code?.StringValue);
        // A FIFO group holds back its next message while one is in flight: delete what was read.
        await stack.sqs.send(new DeleteMessageCommand({ QueueUrl: stack.repliesDeadLetterQueueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
      return codes.has('not_a_queue_bot') && codes.has('invalid_json') ? [...codes] : undefined;
    }, 10000);
    expect(dead).toEqual(expect.arrayContaining(['not_a_queue_bot', 'invalid_json']));
    await closeScene(s);
  });

  it('keeps approved messages gap-free in seq order for humans across bot answers', async () => {
    const s = await scene();
    const question = await humanSays(s, 'one', 'h-7');
    s.helper.send({ type: 'T', text: 'ONE', local_id: 'b-3', quoted_message_id: question.id });
    const pending: QueueDeliveryBody = await s.manager.waitFor((body) => body.message.local_id === 'b-3');
    const second = await humanSays(s, 'two', 'h-8');
    await managerCommand(s, { text: '', quoted_message_id: pending.message.id, command: '{"action":"approve"}' });
    await s.human.waitFor(isMessage((m) => m.local_id === 'b-3'));

    const seqs = s.human.messages().map((m) => m.seq as number);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(second.seq).toBe(question.seq + 1);
    await closeScene(s);
  });
});
