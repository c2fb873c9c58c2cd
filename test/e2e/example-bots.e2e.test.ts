/**
 * The example bots through the whole local stack (issue #3's "done when"): the human asks, the
 * manager routes through its real SQS queue, Echo (a websocket bot invited over HTTP) and the
 * Calculator (a queue bot) answer, the manager approves, the human sees only approved answers.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startExampleBots, type ExampleBots } from '../../bots/example-bots';
import { mergeBotsConfig, parseBotsConfig, type BotsConfig } from '../../lambdas/core/bots-config';
import { httpJson, startTestStack, type TestStack } from '../support/test-stack';
import { TestSocket, type Frame } from '../support/ws-test-client';

const ROOT = resolve(__dirname, '..', '..');
const DEFAULT_BOTS = parseBotsConfig(JSON.parse(readFileSync(resolve(ROOT, 'bots/bots.json'), 'utf8')));

interface Running {
  stack: TestStack;
  bots: ExampleBots;
  stop(): Promise<void>;
}

async function startWithExampleBots(label: string, config: BotsConfig): Promise<Running> {
  let bots: ExampleBots | undefined;
  const stack = await startTestStack(label, config, {
    resolveInviteUrl: (url) => url.replace(/^local:\/\/example-bots/, bots!.invitationBaseUrl),
  });
  bots = await startExampleBots({
    sqs: stack.sqs,
    botQueueUrls: stack.botQueueUrls,
    repliesQueueUrl: stack.repliesQueueUrl,
    bots: config,
    log: stack.log,
    waitTimeSeconds: 1,
  });
  return {
    stack,
    bots,
    async stop() {
      await bots!.stop();
      await stack.stop();
    },
  };
}


async function converse(
  stack: TestStack,
  questions: string[],
  expectedAnswers: number,
  bots: string[] = ['Echo', 'Calculator'],
): Promise<{ human: TestSocket; ticket: Frame }> {
  const created = await httpJson(stack, 'POST', '/conversations', { body: { nickname: 'Ana', bots } });
  expect(created.status).toBe(201);
  const ticket = created.body;
  const human = await TestSocket.open(stack.gateway.url, { token: ticket.token });
  human.send({ action: 'sync', after_seq: 0 });
  await human.waitFor((frame) => frame.state !== undefined);
  // Echo is a websocket bot: it joins when its invitation arrives (queue bots never show online).
  if (bots.includes('Echo')) {
    await human.waitFor(
      (frame) => frame.state?.participants.some((p: Frame) => p.name === 'Echo' && p.online),
      10000,
    );
  }
  questions.forEach((text, index) => human.send({ type: 'T', text, local_id: `q-${index}` }));
  const deadline = Date.now() + 20000;
  while (human.messages().filter((m) => m.type === 'T' && !m.sent_by_human).length < expectedAnswers) {
    if (Date.now() > deadline) throw new Error(`answers missing: ${JSON.stringify(human.messages())}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { human, ticket };
}

describe('the default bot manager with Echo and the Calculator', () => {
  let running: Running;

  beforeAll(async () => {
    running = await startWithExampleBots('example-bots', DEFAULT_BOTS);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('invites both bots, routes 2+3*4 to the Calculator and hello to Echo, and shows humans only approved answers in seq order', async () => {
    const { stack } = running;
    const { human, ticket } = await converse(stack, ['2+3*4', 'hello'], 2);
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything unexpected would arrive now

    const messages = human.messages();
    const question = (text: string) => messages.find((m) => m.text === text && m.sent_by_human)!;
    const answers = messages.filter((m) => m.type === 'T' && !m.sent_by_human);
    const participants: Frame[] = ticket.participants;
    const idOf = (name: string) => participants.find((p) => p.name === name)!.id;

    expect(answers).toEqual([
      expect.objectContaining({ text: expect.any(String) }),
      expect.objectContaining({ text: expect.any(String) }),
    ]);
    const fourteen = answers.find((m) => m.text === '14');
    const upper = answers.find((m) => m.text === 'HELLO');
    expect(fourteen).toMatchObject({
      quoted_message_id: question('2+3*4').id,
      sender_id: idOf('Calculator'),
      approval_status: 2,
      sent_by_manager: false,
    });
    expect(upper).toMatchObject({ quoted_message_id: question('hello').id, sender_id: idOf('Echo'), approval_status: 2 });
    expect(messages.every((m) => m.approval_status !== 0)).toBe(true);
    const seqs = messages.map((m) => m.seq as number);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect(stack.inbox.invitations).toEqual([]); // invitations went to the example bots, not the test inbox
    await human.close();
  });

  it('redirects the question to Echo when the Calculator answers ?', async () => {
    const { human } = await converse(running.stack, ['2+x'], 1);
    const original = human.messages().find((m) => m.text === '2+x')!;
    const answer = human.messages().find((m) => m.type === 'T' && !m.sent_by_human)!;
    expect(answer).toMatchObject({ text: '2+X', quoted_message_id: original.id, approval_status: 2 });
    expect(human.messages().some((m) => m.text === '?')).toBe(false);
    await human.close();
  });
});

describe('the default bot manager with the Calculator only', () => {
  let running: Running;

  beforeAll(async () => {
    running = await startWithExampleBots('calculator-only', DEFAULT_BOTS);
  });

  afterAll(async () => {
    await running?.stop();
  });

  it("approves the Calculator's ? when there is no Echo to redirect to: 2+, 1/0 and hi are all answered", async () => {
    const { human, ticket } = await converse(running.stack, ['2+', '1/0', 'hi'], 3, ['Calculator']);
    await new Promise((resolve) => setTimeout(resolve, 300)); // anything unexpected would arrive now

    const participants: Frame[] = ticket.participants;
    expect(participants.map((p) => p.name)).not.toContain('Echo');
    const calculator = participants.find((p) => p.name === 'Calculator')!.id;
    const messages = human.messages();
    const question = (text: string) => messages.find((m) => m.text === text && m.sent_by_human)!;
    const answers = messages.filter((m) => m.type === 'T' && !m.sent_by_human);

    expect(answers).toHaveLength(3);
    for (const text of ['2+', '1/0', 'hi']) {
      // 'hi' is no arithmetic: with Echo absent it goes to the Calculator, which cannot parse it either
      expect(answers.find((m) => m.quoted_message_id === question(text).id)).toMatchObject({
        text: '?',
        sender_id: calculator,
        approval_status: 2,
        sent_by_manager: false,
      });
    }
    expect(messages.every((m) => m.approval_status !== 0)).toBe(true);
    await human.close();
  });
});

describe('the transparent manager', () => {
  it('lets every bot answer every human message, approved', async () => {
    const config = mergeBotsConfig(
      DEFAULT_BOTS,
      JSON.parse(readFileSync(resolve(ROOT, 'bots/transparent-manager.json'), 'utf8')) as Partial<BotsConfig>,
    );
    expect(config.manager).toBe('Transparent');
    const running = await startWithExampleBots('transparent', config);
    try {
      const bots = await httpJson(running.stack, 'GET', '/bots');
      expect(bots.body.results).toEqual(['Echo', 'Calculator']);
      const { human } = await converse(running.stack, ['hello'], 2);
      const answers = human
        .messages()
        .filter((m) => m.type === 'T' && !m.sent_by_human)
        .map((m) => m.text)
        .sort();
      expect(answers).toEqual(['?', 'HELLO']);
      expect(human.messages().every((m) => m.approval_status !== 0)).toBe(true);
      await human.close();
    } finally {
      await running.stop();
    }
  });
});
