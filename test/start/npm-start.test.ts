/**
 * SPEC 5 "Running it": the real `npm start` command (`tsx local/start.ts`) with HTTP_PORT and
 * WS_PORT on free ports. It starts its own DynamoDB Local and SQS server (not jest's), prints its
 * endpoints and `ready`, serves the local API Gateway and the HTTP API, runs the example bots, and
 * stops everything it started on SIGINT.
 */
import {
  ApiGatewayManagementApiClient,
  GetConnectionCommand,
  GoneException,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import {
  freePorts,
  isRunning,
  parseStartOutput,
  processesWithMarker,
  ROOT,
  spawnStart,
  within,
  type StartOutput,
  type StartedCommand,
} from '../support/npm-start';
import { TestSocket, type Frame } from '../support/ws-test-client';

/** SPEC 5: "aim for well under 15 s". A cold tsx cache and a busy machine still fit. */
const READY_TARGET_MS = 15_000;
/** How long the test waits for `ready` before giving up (generous, bounded). */
const READY_TIMEOUT_MS = 45_000;
/** "Ctrl-C stops everything": the runner stops its services (each with a 5 s grace) in sequence. */
const STOP_TIMEOUT_MS = 10_000;
/** Echo joins when its invitation arrives; the answers go through the manager's and the Calculator's queues. */
const ANSWER_TIMEOUT_MS = 20_000;
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REGION = 'us-east-1';

jest.setTimeout(60_000);

interface Running {
  command: StartedCommand;
  output: StartOutput;
  readyMs: number;
  httpPort: number;
  wsPort: number;
}

/** Spawns the command and waits for `ready`; measures the time from spawn to `ready`. */
async function start(label: string, env: Record<string, string> = {}): Promise<Running> {
  const { httpPort, wsPort } = await freePorts();
  const command = spawnStart({ HTTP_PORT: String(httpPort), WS_PORT: String(wsPort), ...env });
  started.push(command);
  await command.waitForLine('ready', READY_TIMEOUT_MS);
  const readyMs = performance.now() - command.spawnedAt;
  process.stderr.write(`[npm start test] ${label}: ready ${(readyMs / 1000).toFixed(2)} s after spawn\n`);
  return { command, output: parseStartOutput(command.stdoutLines), readyMs, httpPort, wsPort };
}

/** Every command this file started; afterAll kills whatever is left, whatever happened. */
const started: StartedCommand[] = [];

afterAll(async () => {
  await Promise.all(started.map((command) => command.kill()));
});

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Frame; headers: Headers }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Frame;
  try {
    body = text ? (JSON.parse(text) as Frame) : {};
  } catch {
    body = { raw: text };
  }
  return { status: response.status, body, headers: response.headers };
}

/** Upgrades to `url`; resolves with the refusal's HTTP status (rejects if the upgrade succeeds). */
function refusedUpgradeStatus(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveStatus, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => {
      socket.terminate();
      reject(new Error(`upgrade to ${url} was accepted`));
    });
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        socket.terminate();
        resolveStatus({ status: response.statusCode ?? 0, body });
      });
    });
    socket.once('error', (error) => reject(error));
  });
}

describe('npm start (default bots: the Manager, Echo and the Calculator)', () => {
  let running: Running;

  beforeAll(async () => {
    running = await start('default bots');
  });

  it('prints the endpoints in SPEC 5 order, then "ready" alone, well under 15 s after it was started', async () => {
    const { command, output, httpPort, wsPort, readyMs } = running;
    expect(command.stdoutLines.slice(0, command.stdoutLines.indexOf('ready') + 1)).toEqual([
      `http://127.0.0.1:${httpPort}`,
      `ws://127.0.0.1:${wsPort}/local`,
      `sqs: ${output.sqsEndpoint}`,
      `queue Manager: ${output.queues[0]?.[1]}`,
      `queue Calculator: ${output.queues[1]?.[1]}`,
      `replies queue: ${output.repliesQueueUrl}`,
      'ready',
    ]);
    expect(output.sqsEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(readyMs).toBeLessThan(READY_TARGET_MS);

    // The printed queues are real FIFO queues of the printed SQS server.
    const sqs = new SQSClient({ endpoint: output.sqsEndpoint, region: REGION, credentials: CREDENTIALS });
    try {
      for (const url of [...output.queues.map(([, queueUrl]) => queueUrl), output.repliesQueueUrl]) {
        expect(url.startsWith(`${output.sqsEndpoint}/`)).toBe(true);
        const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['FifoQueue'] }));
        expect(attributes.Attributes?.FifoQueue).toBe('true');
      }
    } finally {
      sqs.destroy();
    }
    // Its own services: not the ones jest's global setup started for the other tests.
    expect(output.sqsEndpoint).not.toBe(process.env.TEST_SQS_ENDPOINT);
  });

  it('answers as API Gateway on the WebSocket port: 403 off the stage, 426 for a plain GET of the stage', async () => {
    const { wsPort } = running;
    const offStage = await getJson(`http://127.0.0.1:${wsPort}/other`);
    expect(offStage.status).toBe(403);
    expect(offStage.body).toEqual({ message: 'Forbidden' });
    const root = await getJson(`http://127.0.0.1:${wsPort}/`);
    expect(root.status).toBe(403);
    expect(root.body).toEqual({ message: 'Forbidden' });
    // A WebSocket upgrade off the stage is refused the same way.
    const upgrade = await refusedUpgradeStatus(`ws://127.0.0.1:${wsPort}/other`);
    expect(upgrade.status).toBe(403);
    expect(JSON.parse(upgrade.body)).toEqual({ message: 'Forbidden' });

    const plain = await fetch(`http://127.0.0.1:${wsPort}/local`);
    await plain.arrayBuffer();
    expect(plain.status).toBe(426);
  });

  it('serves the management API at the stage path: 410 GoneException for an unknown connection, through the real SDK client', async () => {
    const { wsPort } = running;
    const endpoint = `http://127.0.0.1:${wsPort}/local`;
    const raw = await getJson(`${endpoint}/@connections/${encodeURIComponent('bm9wZT0=')}`);
    expect(raw.status).toBe(410);
    expect(raw.headers.get('x-amzn-ErrorType')).toMatch(/^GoneException/);

    const client = new ApiGatewayManagementApiClient({ endpoint, region: REGION, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const error = await client.send(new GetConnectionCommand({ ConnectionId: 'unknownConnId=' })).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error).toBeInstanceOf(GoneException);
      expect((error as GoneException).$metadata.httpStatusCode).toBe(410);
    } finally {
      client.destroy();
    }
  });

  it('lists the bots a conversation can ask for (not the manager)', async () => {
    const bots = await getJson(`http://127.0.0.1:${running.httpPort}/bots`);
    expect(bots.status).toBe(200);
    expect(bots.body).toEqual({ results: ['Echo', 'Calculator'] });
  });

  it('runs a whole conversation: 2+3*4 gives 14 and hello gives HELLO, quoted, approved by the manager, in seq order', async () => {
    const { httpPort, wsPort } = running;
    const created = await getJson(`http://127.0.0.1:${httpPort}/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname: 'Ana', bots: ['Echo', 'Calculator'] }),
    });
    expect(created.status).toBe(201);
    const ticket = created.body;
    expect(ticket.websocket_url).toBe(`ws://127.0.0.1:${wsPort}/local`);

    const human = await TestSocket.open(ticket.websocket_url, { token: ticket.token });
    try {
      human.send({ action: 'sync', after_seq: 0 });
      await human.waitFor((frame) => frame.state !== undefined);
      // Echo is a websocket bot: it is online once its invitation reached the example bots.
      const withEcho = await human.waitFor(
        (frame) => frame.state?.participants.some((p: Frame) => p.name === 'Echo' && p.online),
        ANSWER_TIMEOUT_MS,
      );
      const idOf = (name: string): string => withEcho.state.participants.find((p: Frame) => p.name === name).id;

      human.send({ type: 'T', text: '2+3*4', local_id: 'q-math' });
      human.send({ type: 'T', text: 'hello', local_id: 'q-hello' });
      const isAnswer = (text: string) => (frame: Frame) => frame.message?.type === 'T' && frame.message.text === text;
      const fourteen = (await human.waitFor(isAnswer('14'), ANSWER_TIMEOUT_MS)).message;
      const hello = (await human.waitFor(isAnswer('HELLO'), ANSWER_TIMEOUT_MS)).message;
      const mine = (localId: string) => human.messages().find((m) => m.local_id === localId && m.sender_id === ticket.my_participant_id)!;
      const math = mine('q-math');
      const greeting = mine('q-hello');

      expect(fourteen).toMatchObject({ quoted_message_id: math.id, approval_status: 2, sender_id: idOf('Calculator'), sent_by_human: false });
      expect(hello).toMatchObject({ quoted_message_id: greeting.id, approval_status: 2, sender_id: idOf('Echo'), sent_by_human: false });
      expect(fourteen.seq).toBeGreaterThan(math.seq);
      expect(hello.seq).toBeGreaterThan(greeting.seq);
      // The human sees only approved messages: never a pending one.
      expect(human.messages().filter((m) => m.approval_status === 0)).toEqual([]);

      // The timeline, synced from the start: gap-free and in seq order, the answers in it.
      const from = human.frames.length;
      human.send({ action: 'sync', after_seq: 0 });
      const state = await human.waitFor((frame) => frame.state !== undefined, 5_000, from);
      const timeline = human.frames.slice(from, human.frames.indexOf(state)).map((frame) => frame.message);
      expect(timeline.map((m) => m.seq)).toEqual(timeline.map((_m, index) => index + 1));
      expect(state.state.last_seq).toBe(timeline.length);
      expect(timeline.map((m) => m.id)).toEqual(expect.arrayContaining([math.id, greeting.id, fourteen.id, hello.id]));
      expect(timeline.filter((m) => m.approval_status === 0)).toEqual([]);
    } finally {
      await human.close();
    }
  });

  it('stops everything it started on SIGINT: exit code 0 within seconds, no process left (DynamoDB Local, fauxqs…)', async () => {
    const { command } = running;
    const children = command.rememberDescendants();
    // DynamoDB Local's JVM and the fauxqs server are among them (each under its tether).
    expect(children.some((child) => /\bjava\b.*DynamoDBLocal/.test(child.command))).toBe(true);
    expect(children.some((child) => child.command.includes('fauxqs-server.mjs'))).toBe(true);

    // A browser tab still connected when the user hits Ctrl-C.
    const { httpPort } = running;
    const ticket = await getJson(`http://127.0.0.1:${httpPort}/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname: 'Bia', bots: [] }),
    });
    const tab = await TestSocket.open(ticket.body.websocket_url, { token: ticket.body.token });

    const stoppingAt = performance.now();
    process.kill(command.pid, 'SIGINT');
    const status = await command.waitForExit(STOP_TIMEOUT_MS);
    const stopMs = performance.now() - stoppingAt;
    process.stderr.write(`[npm start test] stopped ${(stopMs / 1000).toFixed(2)} s after SIGINT\n`);
    expect(status).toEqual({ code: 0, signal: null });
    await tab.waitForClose(STOP_TIMEOUT_MS);

    // Gone: every process it had started (a short wait for the last ones to be reaped).
    const gone = await within(3_000, () => command.seenDescendants.every((child) => !isRunning(child)));
    expect(gone ? [] : command.seenDescendants.filter(isRunning)).toEqual([]);
    expect(processesWithMarker(command.marker)).toEqual([]);
  });
});

describe('npm start run by npm itself, signalled as a tool would signal the process it spawned', () => {
  // `child.kill()` on a spawned `npm start` reaches npm alone, not a terminal's whole foreground
  // group. npm forwards SIGINT and SIGTERM to the script's shell only: unless the shell hands its
  // process over to tsx (`exec`), SIGINT stops nothing and SIGTERM orphans the whole stack.
  it.each(['SIGTERM', 'SIGINT'] as const)('stops everything it started on %s to npm', async (signal) => {
    const { httpPort, wsPort } = await freePorts();
    const command = spawnStart({ HTTP_PORT: String(httpPort), WS_PORT: String(wsPort) }, { viaNpm: true });
    started.push(command);
    await command.waitForLine('ready', READY_TIMEOUT_MS);
    command.rememberDescendants();

    process.kill(command.pid, signal);
    await command.waitForExit(STOP_TIMEOUT_MS);
    await within(STOP_TIMEOUT_MS, () => processesWithMarker(command.marker).length === 0);
    expect({
      stoppedInOrder: command.stderrTail().includes('[start] stopped'),
      left: [...command.seenDescendants.filter(isRunning), ...processesWithMarker(command.marker)],
    }).toEqual({ stoppedInOrder: true, left: [] });
  });
});

describe('npm start with BOTS_FILE=bots/transparent-manager.json', () => {
  let running: Running;

  beforeAll(async () => {
    // As `npm start` typed in the package root: npm sets INIT_CWD to it, against which BOTS_FILE resolves.
    running = await start('transparent manager', { BOTS_FILE: 'bots/transparent-manager.json', INIT_CWD: ROOT });
  });

  it('makes Transparent the manager: its queue is printed and the example Manager has none', () => {
    const names = running.output.queues.map(([name]) => name);
    expect(names.sort()).toEqual(['Calculator', 'Transparent']);
    expect(running.command.stdoutLines.filter((line) => line.startsWith('queue Manager:'))).toEqual([]);
    expect(running.command.stdoutLines.at(-1)).toBe('ready');
  });

  it('lists only Echo and the Calculator in GET /bots', async () => {
    const bots = await getJson(`http://127.0.0.1:${running.httpPort}/bots`);
    expect(bots.status).toBe(200);
    expect([...(bots.body.results as string[])].sort()).toEqual(['Calculator', 'Echo']);
  });

  it("stops cleanly on a terminal's Ctrl-C that reaches the runner before tsx (exit code 0, its own stop run to the end)", async () => {
    // A terminal's Ctrl-C sends SIGINT to the whole foreground group: tsx and the runner it started
    // (`node … local/start.ts`). Either may handle it first; SIGINT to tsx alone (the first describe)
    // covers tsx first. Here the runner gets it first, then tsx, which passes it on once more.
    const { command } = running;
    const runner = command.rememberDescendants().find((child) => child.ppid === command.pid && child.command.includes('local/start.ts'));
    expect(runner).toBeDefined();
    process.kill(runner!.pid, 'SIGINT');
    await within(5_000, () => command.stderrTail().includes('[start] SIGINT: stopping'));
    process.kill(command.pid, 'SIGINT');
    const status = await command.waitForExit(STOP_TIMEOUT_MS);
    await within(3_000, () => command.seenDescendants.every((child) => !isRunning(child)));
    // One expectation, so that a failure shows the exit status, whether the runner's own ordered
    // stop ran to its end (it was not killed half-way), and what was left running.
    expect({
      status,
      stoppedInOrder: command.stderrTail().includes('[start] stopped'),
      left: [...command.seenDescendants.filter(isRunning), ...processesWithMarker(command.marker)],
    }).toEqual({ status: { code: 0, signal: null }, stoppedInOrder: true, left: [] });
  });
});

describe('npm start with BOTS_FILE, relative to the directory npm was run in, replacing the example Calculator', () => {
  let running: Running;
  let dir: string;

  beforeAll(async () => {
    // given the user's own Calculator (a queue bot, as the example) in my-bots.json of a directory
    // other than the package root, and `BOTS_FILE=my-bots.json npm start` typed there
    dir = mkdtempSync(join(tmpdir(), 'npm-start-bots-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'my-bots.json'), JSON.stringify({ bots: [{ name: 'Calculator', delivery: 'queue' }] }));
    running = await start('user Calculator', { BOTS_FILE: 'my-bots.json', INIT_CWD: join(dir, 'sub') });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the example Manager and Echo but no example Calculator, and says so', () => {
    expect(running.output.queues.map(([name]) => name)).toEqual(['Manager', 'Calculator']);
    const stderr = running.command.stderrTail();
    expect(stderr).toContain(`[start] bots file: ${join(dir, 'sub', 'my-bots.json')} (replaces the default Calculator)`);
    expect(stderr).toMatch(/\[start\] example bots running: Manager, Echo\n/);
  });

  it("leaves the Calculator's queue to the user's bot: what the Manager routes there stays on it", async () => {
    const { httpPort, output } = running;
    const created = await getJson(`http://127.0.0.1:${httpPort}/conversations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ nickname: 'Ana', bots: ['Calculator'] }),
    });
    expect(created.status).toBe(201);
    const human = await TestSocket.open(created.body.websocket_url, { token: created.body.token });
    const sqs = new SQSClient({ endpoint: output.sqsEndpoint, region: REGION, credentials: CREDENTIALS });
    try {
      human.send({ type: 'T', text: '2+3', local_id: 'q-user-calc' });
      const calculatorQueue = output.queues.find(([name]) => name === 'Calculator')![1];
      // The user's Calculator (this test) reads its queue; an example worker would have taken the message.
      const deadline = Date.now() + ANSWER_TIMEOUT_MS;
      let question: Frame | undefined;
      while (!question && Date.now() < deadline) {
        const received = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: calculatorQueue, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }),
        );
        for (const sqsMessage of received.Messages ?? []) {
          const body = JSON.parse(sqsMessage.Body ?? '{}') as Frame;
          if (body.message?.text === '2+3') question = body.message;
          await sqs.send(new DeleteMessageCommand({ QueueUrl: calculatorQueue, ReceiptHandle: sqsMessage.ReceiptHandle }));
        }
      }
      expect(question).toMatchObject({ text: '2+3', sent_by_human: true });
      // and nobody answered it in the meantime
      expect(human.messages().filter((m) => m.type === 'T' && !m.sent_by_human)).toEqual([]);
    } finally {
      sqs.destroy();
      await human.close();
    }
  });
});

describe('npm start with a BOTS_FILE that does not exist', () => {
  it('fails fast naming the file it looked for, resolved against the directory npm was run in', async () => {
    const { httpPort, wsPort } = await freePorts();
    const dir = mkdtempSync(join(tmpdir(), 'npm-start-absent-'));
    try {
      const command = spawnStart({ HTTP_PORT: String(httpPort), WS_PORT: String(wsPort), BOTS_FILE: 'absent.json', INIT_CWD: dir });
      started.push(command);
      const status = await command.waitForExit(30_000);
      expect(status.code).not.toBe(0);
      expect(status.code).not.toBeNull();
      expect(command.stderrTail()).toContain(`could not start: cannot read bots file ${join(dir, 'absent.json')}: no such file`);
      expect(command.stdoutLines).not.toContain('ready');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm start with a bad HTTP_PORT', () => {
  it('fails fast with a clear message and a non-zero exit code, leaving nothing running', async () => {
    const { wsPort } = await freePorts();
    const command = spawnStart({ HTTP_PORT: 'abc', WS_PORT: String(wsPort) });
    started.push(command);
    const status = await command.waitForExit(30_000);
    const elapsedMs = performance.now() - command.spawnedAt;
    process.stderr.write(`[npm start test] HTTP_PORT=abc: exited ${(elapsedMs / 1000).toFixed(2)} s after spawn\n`);
    expect(status.code).not.toBe(0);
    expect(status.code).not.toBeNull();
    expect(command.stderrTail()).toContain('HTTP_PORT must be a port number (0-65535), not "abc"');
    expect(command.stdoutLines).not.toContain('ready');
    expect(elapsedMs).toBeLessThan(READY_TARGET_MS);
    await within(3_000, () => processesWithMarker(command.marker).length === 0);
    expect(processesWithMarker(command.marker)).toEqual([]);
  });
});
