/**
 * The chat page of `npm start` in real headless Chromium: what a user does after `npm start`.
 * The stack is the real command (`tsx local/start.ts`) on free ports; the page lists the bots,
 * starts a conversation, and shows the human's messages, the bots' answers with the quoted
 * question, and the participants with their online state. A screenshot lands in
 * `reports/chat-page.png`.
 *
 * Skipped with a message when Chromium is missing, except under CI (see `support/chromium.ts`).
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { chromiumAvailability, launchChromium, type LaunchedChromium } from '../support/chromium';
import {
  freePorts,
  isRunning,
  parseStartOutput,
  processesWithMarker,
  ROOT,
  spawnStart,
  within,
  type StartedCommand,
} from '../support/npm-start';

const SCREENSHOT = resolve(ROOT, 'reports', 'chat-page.png');
const READY_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 10_000;
/** Echo joins when its invitation arrives; answers go through the manager's and the Calculator's queues. */
const ANSWER_TIMEOUT_MS = 20_000;
const UI_TIMEOUT_MS = 10_000;

const availability = chromiumAvailability();
if (!availability.run) process.stderr.write(`[chat page test] ${availability.reason}\n`);
const describeWithChromium = availability.run ? describe : describe.skip;

jest.setTimeout(60_000);

describeWithChromium('the chat page in headless Chromium', () => {
  let stack: StartedCommand | undefined;
  let browser: LaunchedChromium | undefined;
  let page: Page;
  let httpUrl: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const { httpPort, wsPort } = await freePorts();
    stack = spawnStart({ HTTP_PORT: String(httpPort), WS_PORT: String(wsPort) });
    // The browser starts while the stack does; both carry the stack's marker, so the last test can
    // tell that nothing of either outlived the run.
    const [launched] = await Promise.all([
      launchChromium({ SERVERLESS_CONVERSATIONS_TEST_RUN: stack.marker }),
      stack.waitForLine('ready', READY_TIMEOUT_MS),
    ]);
    browser = launched;
    page = launched.page;
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      // A failed request also logs "Failed to load resource"; the response listener names it.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageErrors.push(`console.error: ${message.text()}`);
      }
    });
    page.on('response', (response) => {
      // The browser asks for /favicon.ico by itself; the page has none and needs none.
      if (response.status() >= 400 && new URL(response.url()).pathname !== '/favicon.ico') {
        pageErrors.push(`HTTP ${response.status()} for ${response.request().method()} ${response.url()}`);
      }
    });
    page.on('requestfailed', (request) => pageErrors.push(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText})`));
    httpUrl = parseStartOutput(stack.stdoutLines).httpUrl;
    expect(httpUrl).toBe(`http://127.0.0.1:${httpPort}`);
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await stack?.kill();
  });

  it('loads and lists the bots as checked checkboxes', async () => {
    const response = await page.goto(httpUrl);
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe('Conversations — local');
    const checkboxes = page.locator('#bots input.bot[type=checkbox]');
    await checkboxes.first().waitFor();
    const bots = await checkboxes.evaluateAll((boxes) =>
      (boxes as HTMLInputElement[]).map((box) => ({ name: box.value, checked: box.checked, label: box.parentElement?.textContent?.trim() })),
    );
    expect(bots).toEqual([
      { name: 'Echo', checked: true, label: 'Echo' },
      { name: 'Calculator', checked: true, label: 'Calculator' },
    ]);
    await expect(page.locator('#chat').isVisible()).resolves.toBe(false);
  });

  it('starts a conversation with a nickname and shows the chat, connected, with the participants online', async () => {
    await page.locator('#nickname').fill('Ana');
    await page.getByRole('button', { name: 'Start a conversation' }).click();
    await page.locator('#chat').waitFor({ state: 'visible' });
    await page.locator('#start').waitFor({ state: 'hidden' });
    await waitForText(page.locator('#status'), /^connected · conversation [0-9a-f-]{36}$/);

    // Ana is online at once; Echo (a websocket bot) once its invitation arrived. Queue bots (the
    // Calculator, the Manager) hold no connection, so they show offline although they answer.
    const onlineChip = (text: string) => page.locator('#participants .participant.online', { hasText: new RegExp(`^${text}$`, 'u') });
    await onlineChip('🧑 Ana').waitFor({ timeout: ANSWER_TIMEOUT_MS });
    await onlineChip('🤖 Echo').waitFor({ timeout: ANSWER_TIMEOUT_MS });
    const participants = await page.locator('#participants .participant').evaluateAll((chips) =>
      chips.map((element) => ({ text: element.textContent, online: element.classList.contains('online'), title: (element as HTMLElement).title })),
    );
    expect(participants).toEqual(
      expect.arrayContaining([
        { text: '🧑 Ana', online: true, title: 'online' },
        { text: '🤖 Echo', online: true, title: 'online' },
        { text: '🤖 Calculator', online: false, title: 'offline' },
      ]),
    );
    // Ana, the manager and the two bots she asked for: nobody else.
    expect(participants.map((participant) => participant.text).sort()).toEqual(['🤖 Calculator', '🤖 Echo', '🤖 Manager', '🧑 Ana']);
    // The timeline starts with the system messages.
    await page.locator('#messages .message.system', { hasText: 'conversation created' }).waitFor();
  });

  it('sends 2+3*4 with Enter and shows it, then 14 from the Calculator quoting it', async () => {
    await page.locator('#text').fill('2+3*4');
    await page.locator('#text').press('Enter');
    await expect(page.locator('#text').inputValue()).resolves.toBe('');
    const question = page.locator('#messages .message.mine', { has: page.locator('.text', { hasText: /^2\+3\*4$/ }) });
    await question.waitFor();
    await waitForText(question.locator('.meta'), /^Ana · #\d+$/);

    const answer = page.locator('#messages .message:not(.mine):not(.system)', { has: page.locator('.text', { hasText: /^14$/ }) });
    await answer.waitFor({ timeout: ANSWER_TIMEOUT_MS });
    await expect(answer.locator('.quote').textContent()).resolves.toBe('2+3*4');
    await waitForText(answer.locator('.meta'), /^Calculator · #\d+$/);
    expect(await seqOf(answer)).toBeGreaterThan(await seqOf(question));
  });

  it('answers hello with HELLO from Echo, quoting it; the timeline is in seq order and no error shows', async () => {
    await page.locator('#text').fill('hello');
    await page.locator('#text').press('Enter');
    const question = page.locator('#messages .message.mine', { has: page.locator('.text', { hasText: /^hello$/ }) });
    await question.waitFor();
    const answer = page.locator('#messages .message:not(.mine):not(.system)', { has: page.locator('.text', { hasText: /^HELLO$/ }) });
    await answer.waitFor({ timeout: ANSWER_TIMEOUT_MS });
    await expect(answer.locator('.quote').textContent()).resolves.toBe('hello');
    await waitForText(answer.locator('.meta'), /^Echo · #\d+$/);
    expect(await seqOf(answer)).toBeGreaterThan(await seqOf(question));

    // Every message once, in seq order, gap-free from 1 (the page shows only approved messages).
    const seqs = await page.locator('#messages .message').evaluateAll((items) => items.map((item) => Number((item as HTMLElement).dataset.seq)));
    expect(seqs).toEqual(seqs.map((_seq, index) => index + 1));
    const texts = await page.locator('#messages .message:not(.system) .text').allTextContents();
    expect(texts).toEqual(expect.arrayContaining(['2+3*4', '14', 'hello', 'HELLO']));
    expect(texts.filter((text) => text === '14' || text === 'HELLO')).toHaveLength(2);
    await expect(page.locator('#error').textContent()).resolves.toBe('');
    expect(pageErrors).toEqual([]);

    await mkdir(resolve(ROOT, 'reports'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('leaves nothing running: the browser closes, npm start stops on SIGINT with code 0', async () => {
    const command = stack!;
    command.rememberDescendants();
    await browser!.close();
    process.kill(command.pid, 'SIGINT');
    expect(await command.waitForExit(STOP_TIMEOUT_MS)).toEqual({ code: 0, signal: null });
    await within(3_000, () => processesWithMarker(command.marker).length === 0 && command.seenDescendants.every((p) => !isRunning(p)));
    expect([...processesWithMarker(command.marker), ...command.seenDescendants.filter(isRunning)]).toEqual([]);
  });
});

/** Waits until the element's text matches (the page updates it asynchronously). */
async function waitForText(locator: Locator, pattern: RegExp, timeoutMs = UI_TIMEOUT_MS): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await locator.textContent({ timeout: timeoutMs })) ?? '';
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`text ${JSON.stringify(text)} does not match ${pattern} after ${timeoutMs} ms`);
    await new Promise((resolveDelay) => setTimeout(resolveDelay, 50));
  }
}

async function seqOf(message: Locator): Promise<number> {
  return Number(await message.getAttribute('data-seq'));
}
