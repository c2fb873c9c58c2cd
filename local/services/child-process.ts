import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';

/** Runs a command and stops it when its parent dies (see the file's own comment). */
const TETHER_SCRIPT = join(__dirname, 'tether.mjs');

/** How long a stopped process may take to exit after SIGTERM before it gets SIGKILL. */
export const STOP_GRACE_MS = 5_000;
/** Extra wait for the tether itself, past its grace period, before the whole group gets SIGKILL. */
const STOP_MARGIN_MS = 2_000;
/** Output lines kept for error messages (stack frames are left out). */
const OUTPUT_TAIL_LINES = 40;
/** Java and Node stack frames: noise in an error message that already names the exception. */
const STACK_FRAME_LINE = /^\s+(at |\.\.\. \d+ more$)/;
/** @default pause between two readiness probes */
export const READY_POLL_INTERVAL_MS = 50;

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface TetheredSpawnOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** @default STOP_GRACE_MS */
  stopGraceMs?: number;
}

/**
 * Spawns `command` through the tether, so it dies with this process even on SIGKILL. The tether
 * leads its own process group (`detached`), which lets `stop()` SIGKILL the command and the tether
 * together as a last resort, and keeps a terminal's Ctrl-C for the parent to handle.
 * stdout and stderr are pipes; stdin is the tether's life line and must stay open.
 */
export function spawnTethered(command: string, args: readonly string[], options: TetheredSpawnOptions = {}): ChildProcess {
  const graceMs = options.stopGraceMs ?? STOP_GRACE_MS;
  return spawn(process.execPath, [TETHER_SCRIPT, String(graceMs), command, ...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
}

export interface SuperviseOptions {
  /** Names the process in errors and log lines, e.g. `DynamoDB Local`. */
  label: string;
  /** Receives each output line (stdout and stderr) and lifecycle notes, prefixed with the label. */
  log?: (line: string) => void;
  /** @default STOP_GRACE_MS; must match the grace given to `spawnTethered`. */
  stopGraceMs?: number;
}

export interface ReadinessOptions {
  /** What the probe checks, for the error message, e.g. `ListTables`. */
  what: string;
  timeoutMs: number;
  /** @default READY_POLL_INTERVAL_MS */
  intervalMs?: number;
}

/**
 * A spawned process with its output kept for error messages, an `exited` promise, a readiness
 * wait that fails fast when the process dies, and a `stop()` that returns once it is gone.
 */
export class SupervisedProcess {
  readonly label: string;
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | undefined;
  private readonly outputTail: string[] = [];
  private readonly lineListeners: Array<(line: string) => void> = [];
  private readonly log: (line: string) => void;
  private readonly stopGraceMs: number;

  constructor(
    private readonly child: ChildProcess,
    options: SuperviseOptions,
  ) {
    this.label = options.label;
    this.log = options.log ?? (() => undefined);
    this.stopGraceMs = options.stopGraceMs ?? STOP_GRACE_MS;
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => this.onLine(line));
    }
    // The tether notices EOF on its stdin only; an EPIPE after it died must not crash the parent.
    child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      const settle = (status: ExitStatus) => {
        if (this.status) return;
        this.status = status;
        child.stdin?.destroy();
        this.log(`${this.label}: exited (${describeExit(status)})`);
        resolve(status);
      };
      // 'close' comes after the output pipes drained, so error messages hold the last lines.
      child.once('close', (code, signal) => settle({ code, signal }));
      child.once('error', (error) => {
        this.onLine(`cannot start: ${error.message}`);
        settle({ code: null, signal: null });
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get exitStatus(): ExitStatus | undefined {
    return this.status;
  }

  /** The last output lines, for error messages, without stack frames (`at …`, `... 16 more`). */
  recentOutput(): string {
    return this.outputTail.length > 0 ? this.outputTail.join('\n') : '(no output)';
  }

  /** Calls `listener` with every later output line. */
  onOutputLine(listener: (line: string) => void): void {
    this.lineListeners.push(listener);
  }

  /**
   * Polls `probe` until it resolves. Rejects at once, with the process's output, if the process
   * exits first; rejects after `timeoutMs` with the probe's last error and the output.
   */
  async waitUntilReady(probe: () => Promise<unknown>, options: ReadinessOptions): Promise<void> {
    const deadline = Date.now() + options.timeoutMs;
    const intervalMs = options.intervalMs ?? READY_POLL_INTERVAL_MS;
    let lastError: unknown;
    for (;;) {
      if (this.status) {
        throw new Error(
          `${this.label} exited (${describeExit(this.status)}) before it answered ${options.what}.\n` +
            `Its output:\n${this.recentOutput()}`,
        );
      }
      // A probe can hang on a port someone else holds; the process's exit must still end the wait.
      const probing = probe().then(() => true);
      probing.catch(() => undefined);
      try {
        if (await Promise.race([probing, this.exited.then(() => false)])) return;
        continue;
      } catch (error) {
        lastError = error;
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `${this.label} did not answer ${options.what} within ${options.timeoutMs} ms ` +
            `(last error: ${errorMessage(lastError)}).\nIts output:\n${this.recentOutput()}`,
        );
      }
      await Promise.race([delay(intervalMs), this.exited]);
    }
  }

  /** SIGTERM (passed on by the tether), then SIGKILL to the whole group; resolves once it exited. */
  async stop(): Promise<void> {
    if (this.status) return;
    this.signalGroup('SIGTERM');
    const timeout = new AbortController();
    const exitedInTime = await Promise.race([
      this.exited.then(() => true),
      delay(this.stopGraceMs + STOP_MARGIN_MS, false, { signal: timeout.signal }).catch(() => false),
    ]);
    timeout.abort();
    if (!exitedInTime) {
      this.log(`${this.label}: did not stop within ${this.stopGraceMs + STOP_MARGIN_MS} ms, sending SIGKILL`);
      this.signalGroup('SIGKILL');
      await this.exited;
    }
  }

  private signalGroup(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      // SIGTERM goes to the tether only (it passes it on, then escalates); SIGKILL to the group.
      process.kill(signal === 'SIGKILL' ? -pid : pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  private onLine(line: string): void {
    if (!STACK_FRAME_LINE.test(line)) {
      this.outputTail.push(line);
      if (this.outputTail.length > OUTPUT_TAIL_LINES) this.outputTail.shift();
    }
    this.log(`${this.label}: ${line}`);
    for (const listener of this.lineListeners) listener(line);
  }
}

export function describeExit(status: ExitStatus): string {
  if (status.signal) return `signal ${status.signal}`;
  if (status.code === null) return 'could not start';
  return `code ${status.code}`;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
