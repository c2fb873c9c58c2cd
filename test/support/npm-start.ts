/**
 * Runs the real `npm start` command (`tsx local/start.ts`) as a user would, for the tests of SPEC 5
 * and the browser tests: free ports, its stdout read line by line, its processes found through
 * `/proc` (Linux), and a last-resort kill for `afterAll`.
 *
 * Every process it starts, however deep (tsx, the runner, the tethers, DynamoDB Local's JVM,
 * fauxqs, esbuild), inherits a unique marker in its environment, so a test can tell whether any of
 * them outlived the command, even one that was re-parented after its parent died.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const ROOT = resolve(__dirname, '..', '..');
/** What `npm start` runs (`"start": "exec tsx local/start.ts"`), without npm in between. */
export const START_COMMAND = resolve(ROOT, 'node_modules', '.bin', 'tsx');
export const START_ARGS = ['local/start.ts'];
/** Environment variable carrying the per-run marker. */
export const RUN_MARKER_VARIABLE = 'SERVERLESS_CONVERSATIONS_TEST_RUN';
/** Output kept for error messages. */
const STDERR_TAIL_CHARS = 6_000;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A port nothing listens on right now (the OS picks it; released at once for the command to take). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Two distinct free ports. */
export async function freePorts(): Promise<{ httpPort: number; wsPort: number }> {
  for (;;) {
    const [httpPort, wsPort] = await Promise.all([freePort(), freePort()]);
    if (httpPort !== wsPort) return { httpPort, wsPort };
  }
}

// ---------------------------------------------------------------------------------------------
// Processes, through /proc

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Clock ticks since boot (`/proc/<pid>/stat` field 22): with the pid, names one process for good. */
  startTime: string;
  /** `R`, `S`, `Z`… */
  state: string;
  /** The command line, arguments joined by spaces. */
  command: string;
}

/** The process `pid` now, or undefined when there is none. */
export function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    let command = '';
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    } catch {
      // gone meanwhile, or a zombie: keep the empty command
    }
    return { pid, ppid: Number(fields[1]), startTime: fields[19] ?? '', state: fields[0] ?? '', command };
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/** Every live descendant of `pid` (children, grandchildren…). */
export function descendantsOf(pid: number): ProcessInfo[] {
  const table = allPids().flatMap((candidate) => readProcess(candidate) ?? []);
  const found: ProcessInfo[] = [];
  const parents = [pid];
  while (parents.length > 0) {
    const parent = parents.shift()!;
    for (const info of table) {
      if (info.ppid === parent && isRunning(info)) {
        found.push(info);
        parents.push(info.pid);
      }
    }
  }
  return found;
}

/** True while that very process (same pid, same start time) exists and is not a zombie. */
export function isRunning(info: ProcessInfo): boolean {
  const now = readProcess(info.pid);
  return now !== undefined && now.startTime === info.startTime && now.state !== 'Z' && now.state !== 'X';
}

/** Live processes whose environment carries `<RUN_MARKER_VARIABLE>=<marker>`. */
export function processesWithMarker(marker: string): ProcessInfo[] {
  const needle = `${RUN_MARKER_VARIABLE}=${marker}`;
  return allPids().flatMap((pid) => {
    if (pid === process.pid) return [];
    let environment: string;
    try {
      environment = readFileSync(`/proc/${pid}/environ`, 'utf8');
    } catch {
      return [];
    }
    if (!environment.split('\0').includes(needle)) return [];
    const info = readProcess(pid);
    return info && isRunning(info) ? [info] : [];
  });
}

/** Polls until `check` holds, or returns false after `timeoutMs`. */
export async function within(timeoutMs: number, check: () => boolean, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolveDelay) => setTimeout(resolveDelay, intervalMs));
  }
}

// ---------------------------------------------------------------------------------------------
// The command

export interface StartedCommand {
  /** The pid of `tsx` (what a shell would have started); it leads its own process group. */
  readonly pid: number;
  /** The environment marker of this run (see the file's comment). */
  readonly marker: string;
  /** When it was spawned (`performance.now()`). */
  readonly spawnedAt: number;
  /** Every stdout line so far. */
  readonly stdoutLines: string[];
  /** The end of its stderr, for error messages. */
  stderrTail(): string;
  readonly exited: Promise<ExitStatus>;
  /** Set once it exited. */
  exitStatus(): ExitStatus | undefined;
  /** Resolves with the first stdout line (already seen or later) that equals `line`. */
  waitForLine(line: string, timeoutMs: number): Promise<void>;
  /** Resolves with the exit status; rejects after `timeoutMs`. */
  waitForExit(timeoutMs: number): Promise<ExitStatus>;
  /** Processes it started, seen at any point (see `rememberDescendants`). */
  readonly seenDescendants: ProcessInfo[];
  /** Adds the current descendants to `seenDescendants` and returns them. */
  rememberDescendants(): ProcessInfo[];
  /** Last resort: SIGKILL to its group, every remembered descendant and every marked process. */
  kill(): Promise<void>;
}

/**
 * Spawns `tsx local/start.ts` in the repository with `env` added to this process's environment.
 * With `viaNpm`, spawns `npm start` itself instead, as a tool driving it would: `pid` is then npm's.
 */
export function spawnStart(env: Record<string, string>, options: { viaNpm?: boolean } = {}): StartedCommand {
  const marker = randomUUID();
  const spawnedAt = performance.now();
  const [command, args] = options.viaNpm ? ['npm', ['start']] : [START_COMMAND, START_ARGS];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env, [RUN_MARKER_VARIABLE]: marker },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, as a shell job: `kill()` can reach the whole group.
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`could not spawn ${command}`);
  const pid = child.pid;
  const stdoutLines: string[] = [];
  let stderr = '';
  let status: ExitStatus | undefined;
  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((listener) => listener());

  createInterface({ input: child.stdout!, crlfDelay: Infinity }).on('line', (line) => {
    stdoutLines.push(line);
    notify();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    if (process.env.DEBUG_NPM_START) process.stderr.write(chunk);
  });
  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.once('exit', (code, signal) => {
      status = { code, signal };
      resolveExit(status);
      notify();
    });
    child.once('error', (error) => {
      stderr += `\ncannot spawn: ${error.message}`;
      status = { code: null, signal: null };
      resolveExit(status);
      notify();
    });
  });

  const describe = () =>
    `stdout:\n${stdoutLines.join('\n') || '(nothing)'}\nstderr (end):\n${stderr || '(nothing)'}`;

  const waitFor = <T>(what: string, timeoutMs: number, check: () => T | undefined): Promise<T> =>
    new Promise<T>((resolveWait, reject) => {
      const listener = () => {
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (value !== undefined) {
          finish();
          resolveWait(value);
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`npm start: no ${what} within ${timeoutMs} ms.\n${describe()}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      listeners.add(listener);
      listener();
    });

  const seenDescendants: ProcessInfo[] = [];
  const rememberDescendants = () => {
    const now = descendantsOf(pid);
    for (const info of now) {
      if (!seenDescendants.some((seen) => seen.pid === info.pid && seen.startTime === info.startTime)) {
        seenDescendants.push(info);
      }
    }
    return now;
  };

  const signal = (target: number, name: NodeJS.Signals) => {
    try {
      process.kill(target, name);
    } catch {
      // already gone
    }
  };

  return {
    pid,
    marker,
    spawnedAt,
    stdoutLines,
    stderrTail: () => stderr,
    exited,
    exitStatus: () => status,
    waitForLine: (line, timeoutMs) =>
      waitFor(`"${line}" line`, timeoutMs, () => {
        if (stdoutLines.includes(line)) return true;
        if (status) throw new Error(`npm start exited (${JSON.stringify(status)}) before printing "${line}".\n${describe()}`);
        return undefined;
      }).then(() => undefined),
    waitForExit: (timeoutMs) => waitFor('exit', timeoutMs, () => status),
    seenDescendants,
    rememberDescendants,
    async kill() {
      if (!status) rememberDescendants();
      signal(-pid, 'SIGKILL');
      for (const info of seenDescendants) {
        // The tethers lead process groups of their own.
        if (isRunning(info)) {
          signal(-info.pid, 'SIGKILL');
          signal(info.pid, 'SIGKILL');
        }
      }
      for (const info of processesWithMarker(marker)) signal(info.pid, 'SIGKILL');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((resolveDelay) => (timer = setTimeout(resolveDelay, 5_000)))]);
      clearTimeout(timer);
    },
  };
}

/** What `npm start` printed before `ready` (SPEC 5), taken apart. */
export interface StartOutput {
  httpUrl: string;
  wsUrl: string;
  sqsEndpoint: string;
  /** `[bot name, queue url]` in printed order. */
  queues: Array<[string, string]>;
  repliesQueueUrl: string;
}

/**
 * Reads the lines up to `ready` strictly in SPEC 5's order: the HTTP URL, the WebSocket URL,
 * `sqs: …`, one or more `queue <name>: …`, `replies queue: …`, `ready`. Throws on anything else.
 */
export function parseStartOutput(lines: readonly string[]): StartOutput {
  const fail = (why: string): never => {
    throw new Error(`npm start's output does not follow SPEC 5 (${why}):\n${lines.join('\n')}`);
  };
  const readyAt = lines.indexOf('ready');
  if (readyAt < 0) fail('no "ready" line');
  const before = lines.slice(0, readyAt);
  const [httpUrl, wsUrl, sqsLine, ...rest] = before;
  const repliesLine = rest.pop();
  if (httpUrl === undefined || wsUrl === undefined || sqsLine === undefined || repliesLine === undefined) {
    return fail('too few lines');
  }
  const sqsEndpoint = /^sqs: (\S+)$/.exec(sqsLine)?.[1] ?? fail(`third line ${JSON.stringify(sqsLine)}`);
  const repliesQueueUrl =
    /^replies queue: (\S+)$/.exec(repliesLine)?.[1] ?? fail(`line before ready ${JSON.stringify(repliesLine)}`);
  const queues = rest.map((line): [string, string] => {
    const match = /^queue (.+): (\S+)$/.exec(line) ?? fail(`unexpected line ${JSON.stringify(line)}`);
    return [match[1]!, match[2]!];
  });
  return { httpUrl, wsUrl, sqsEndpoint, queues, repliesQueueUrl };
}
