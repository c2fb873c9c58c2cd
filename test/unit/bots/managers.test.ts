import type { BotQueueBody, WireMessage } from '../../../lambdas/core/wire';
import { echoAnswer } from '../../../bots/echo/echo-reply';
import { quotingReply, shouldAnswer } from '../../../bots/bot-reply';
import { ConversationBots } from '../../../bots/manager/conversation-bots';
import { routingManagerReplies } from '../../../bots/manager/routing-manager';
import { transparentManagerReplies } from '../../../bots/manager/transparent-manager';

const CONVERSATION = 'c0000000-0000-4000-8000-000000000000';
const MANAGER = 'm0000000-0000-4000-8000-000000000000';
const HUMAN = 'h0000000-0000-4000-8000-000000000000';
const ECHO = 'e0000000-0000-4000-8000-000000000000';
const CALC = 'a0000000-0000-4000-8000-000000000000';

let counter = 0;
function message(fields: Partial<WireMessage>): WireMessage {
  counter++;
  return {
    id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    type: 'T',
    time: '2026-11-25T00:00:00.000Z',
    approval_status: 1,
    sent_by_human: false,
    sent_by_manager: false,
    ...fields,
  };
}

function delivery(msg: WireMessage, self = MANAGER): BotQueueBody {
  return { conversation_id: CONVERSATION, bot_participant_id: self, message: msg };
}

function joined(id: string, name: string, type = 'B'): WireMessage {
  return message({
    type: 'S',
    event: 'participant-joined',
    additional_metadata: { participant_id: id, participant_name: name, participant_type: type },
  });
}

function knownBots(): ConversationBots {
  const bots = new ConversationBots();
  for (const [id, name] of [[ECHO, 'Echo'], [CALC, 'Calculator'], [MANAGER, 'Manager']] as const) {
    expect(routingManagerReplies(delivery(joined(id, name)), bots)).toEqual([]);
  }
  return bots;
}

const commandOf = (frames: Array<{ command?: string }>) => frames.map((frame) => JSON.parse(frame.command ?? '{}'));

describe('routingManagerReplies', () => {
  it('redirects arithmetic to the Calculator and anything else to Echo, quoting the human message', () => {
    const bots = knownBots();
    const sum = message({ text: '2+3*4', sender_id: HUMAN, sent_by_human: true });
    const hello = message({ text: 'hello', sender_id: HUMAN, sent_by_human: true });

    const [toCalc] = routingManagerReplies(delivery(sum), bots);
    const [toEcho] = routingManagerReplies(delivery(hello), bots);

    expect(toCalc).toMatchObject({ type: 'T', text: '', quoted_message_id: sum.id });
    expect(commandOf([toCalc!, toEcho!])).toEqual([
      { action: 'redirect', bots: ['Calculator'] },
      { action: 'redirect', bots: ['Echo'] },
    ]);
    expect(toCalc!.local_id.length).toBeLessThanOrEqual(32);
  });

  it('falls back to the bot that is there when the preferred one is not in the conversation', () => {
    const bots = new ConversationBots();
    routingManagerReplies(delivery(joined(ECHO, 'Echo')), bots);
    const sum = message({ text: '1+1', sender_id: HUMAN, sent_by_human: true });
    expect(commandOf(routingManagerReplies(delivery(sum), bots))).toEqual([{ action: 'redirect', bots: ['Echo'] }]);
  });

  it('approves a bot answer, but redirects the question to Echo when the Calculator answers ?', () => {
    const bots = knownBots();
    const question = message({ text: '2+x', sender_id: HUMAN, sent_by_human: true });
    const echoAnswerMsg = message({ text: 'HI', sender_id: ECHO, approval_status: 0, quoted_message_id: question.id });
    const calcGaveUp = message({ text: '?', sender_id: CALC, approval_status: 0, quoted_message_id: question.id });

    const approve = routingManagerReplies(delivery(echoAnswerMsg), bots);
    const retry = routingManagerReplies(delivery(calcGaveUp), bots);

    expect(approve[0]?.quoted_message_id).toBe(echoAnswerMsg.id);
    expect(commandOf(approve)).toEqual([{ action: 'approve' }]);
    expect(retry[0]?.quoted_message_id).toBe(question.id);
    expect(commandOf(retry)).toEqual([{ action: 'redirect', bots: ['Echo'] }]);
  });

  it("approves the Calculator's ? when the conversation has no Echo to redirect the question to", () => {
    // given a conversation created with bots ["Calculator"] only (the manager joins every conversation)
    const bots = new ConversationBots();
    for (const [id, name] of [[CALC, 'Calculator'], [MANAGER, 'Manager']] as const) {
      expect(routingManagerReplies(delivery(joined(id, name)), bots)).toEqual([]);
    }
    const unfinished = message({ text: '2+', sender_id: HUMAN, sent_by_human: true });
    const greeting = message({ text: 'hi', sender_id: HUMAN, sent_by_human: true });

    // the arithmetic goes to the Calculator, and so does the rest, Echo being absent
    expect(commandOf(routingManagerReplies(delivery(unfinished), bots))).toEqual([{ action: 'redirect', bots: ['Calculator'] }]);
    expect(commandOf(routingManagerReplies(delivery(greeting), bots))).toEqual([{ action: 'redirect', bots: ['Calculator'] }]);

    // and its ? is approved (quoting the answer itself), not redirected to a missing Echo
    for (const question of [unfinished, greeting]) {
      const gaveUp = message({ text: '?', sender_id: CALC, approval_status: 0, quoted_message_id: question.id });
      const frames = routingManagerReplies(delivery(gaveUp), bots);
      expect(frames).toHaveLength(1);
      expect(frames[0]?.quoted_message_id).toBe(gaveUp.id);
      expect(commandOf(frames)).toEqual([{ action: 'approve' }]);
    }
  });

  it("still redirects the Calculator's ? to Echo when it knows nothing of the conversation (e.g. after a restart)", () => {
    const bots = new ConversationBots();
    const question = message({ text: '1/0', sender_id: HUMAN, sent_by_human: true });
    const gaveUp = message({ text: '?', sender_id: CALC, approval_status: 0, quoted_message_id: question.id });

    const frames = routingManagerReplies(delivery(gaveUp), bots);

    expect(frames[0]?.quoted_message_id).toBe(question.id);
    expect(commandOf(frames)).toEqual([{ action: 'redirect', bots: ['Echo'] }]);
  });

  it('forgets what it knew when the conversation ends, and routes by name again', () => {
    const bots = new ConversationBots();
    routingManagerReplies(delivery(joined(CALC, 'Calculator')), bots);
    routingManagerReplies(delivery(message({ type: 'S', event: 'conversation-ended' })), bots);
    const question = message({ text: 'hi', sender_id: HUMAN, sent_by_human: true });
    const gaveUp = message({ text: '?', sender_id: CALC, approval_status: 0, quoted_message_id: question.id });

    expect(commandOf(routingManagerReplies(delivery(gaveUp), bots))).toEqual([{ action: 'redirect', bots: ['Echo'] }]);
  });

  it('ignores its own messages, approved bot answers and system messages', () => {
    const bots = knownBots();
    expect(routingManagerReplies(delivery(message({ text: 'x', sent_by_manager: true, approval_status: 0 })), bots)).toEqual([]);
    expect(routingManagerReplies(delivery(message({ text: 'OK', sender_id: ECHO, approval_status: 2 })), bots)).toEqual([]);
    expect(routingManagerReplies(delivery(message({ type: 'S', event: 'conversation-created' })), bots)).toEqual([]);
  });

  it('gives the same local_id for the same delivery, so a re-handled delivery is a resend', () => {
    const bots = knownBots();
    const hello = message({ text: 'hello', sender_id: HUMAN, sent_by_human: true });
    expect(routingManagerReplies(delivery(hello), bots)).toEqual(routingManagerReplies(delivery(hello), bots));
  });
});

describe('transparentManagerReplies', () => {
  it('redirects a human message to every other bot and approves every bot answer', () => {
    const bots = new ConversationBots();
    for (const [id, name] of [[ECHO, 'Echo'], [CALC, 'Calculator'], [MANAGER, 'Transparent']] as const) {
      transparentManagerReplies(delivery(joined(id, name)), bots);
    }
    const hello = message({ text: 'hello', sender_id: HUMAN, sent_by_human: true });
    const answer = message({ text: 'HELLO', sender_id: ECHO, approval_status: 0 });

    expect(commandOf(transparentManagerReplies(delivery(hello), bots))).toEqual([
      { action: 'redirect', bots: ['Echo', 'Calculator'] },
    ]);
    const approvals = transparentManagerReplies(delivery(answer), bots);
    expect(approvals[0]?.quoted_message_id).toBe(answer.id);
    expect(commandOf(approvals)).toEqual([{ action: 'approve' }]);
  });
});

describe('example bot replies', () => {
  it('Echo upper-cases and quotes what it answers', () => {
    const hello = message({ text: 'hello', sender_id: HUMAN, sent_by_human: true });
    expect(quotingReply(hello, echoAnswer(hello.text!), 'echo')).toMatchObject({
      type: 'T',
      text: 'HELLO',
      quoted_message_id: hello.id,
    });
  });

  it('bots answer only human text messages that are not their own', () => {
    expect(shouldAnswer(message({ text: 'hi', sent_by_human: true, sender_id: HUMAN }), ECHO)).toBe(true);
    expect(shouldAnswer(message({ text: 'HI', sent_by_human: false, sender_id: CALC }), ECHO)).toBe(false);
    expect(shouldAnswer(message({ type: 'S', event: 'participant-joined', sent_by_human: false }), ECHO)).toBe(false);
  });
});
