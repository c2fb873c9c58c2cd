/**
 * Processes started through `spawnTethered` never outlive their parent, `stop()` ends them even
 * when they ignore SIGTERM, and a readiness wait fails fast with their output.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { spawnTethered, SupervisedProcess } from '../../../local/services/child-process';

const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const PROCESS_GONE_TIMEOUT_MS = 8_000;

/** A Node process that idles until killed, findable in `ps` by its marker argument. */
function idleArgs(marker: string, ignoreSigterm = false): string[] {
  const ignore = ignoreSigterm ? "process.on('SIGTERM', () => {});" : '';
  return ['-e', `${ignore} console.log('ready'); setInterval(() => {}, 1000);`, marker];
}

interface ProcessLine {
  pid: number;
  args: string;
}

function processesWith(marker: string): ProcessLine[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(.*)$/.exec(line))
    .flatMap((match) => (match ? [{ pid: Number(match[1]), args: match[2] }] : []))
    .filter((process) => process.args.includes(marker) && !process.args.startsWith('ps '));
}

async function waitUntil(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + PROCESS_GONE_TIMEOUT_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await delay(50);
  }
}

describe('spawnTethered', () => {
  it('stops the command when its parent dies by SIGKILL', async () => {
    const marker = `tethered-${randomUUID()}`;
    const parentScript = [
      "const { spawnTethered } = require('./local/services/child-process.ts');",
      `spawnTethered(process.execPath, ${JSON.stringify(idleArgs(marker))});`,
      'setInterval(() => {}, 1000);',
    ].join('\n');
    const parent = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', parentScript], { cwd: REPO_ROOT, stdio: 'ignore' });
    try {
      // The parent's own command line holds the marker too; the tethered command is another process.
      const tethered = () =>
        processesWith(marker).filter((process) => process.pid !== parent.pid && !process.args.includes('tether.mjs'));
      await waitUntil(() => tethered().length > 0, 'the tethered command runs');

      parent.kill('SIGKILL');

      await waitUntil(() => processesWith(marker).length === 0, `no process with ${marker} is left`);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});

describe('SupervisedProcess', () => {
  it('stop() kills a command that ignores SIGTERM once the grace period is over, and waits for it', async () => {
    const marker = `stubborn-${randomUUID()}`;
    const stopGraceMs = 200;
    const stubborn = new SupervisedProcess(spawnTethered(process.execPath, idleArgs(marker, true), { stopGraceMs }), {
      label: 'stubborn',
      stopGraceMs,
    });
    await stubborn.waitUntilReady(
      async () => {
        if (!stubborn.recentOutput().includes('ready')) throw new Error('not ready');
      },
      { what: 'ready line', timeoutMs: 5_000 },
    );

    await stubborn.stop();

    expect(stubborn.exitStatus).toBeDefined();
    expect(processesWith(marker)).toEqual([]);
  });

  it('fails a readiness wait at once, with the exit code and output, when the command exits', async () => {
    const crashing = new SupervisedProcess(spawnTethered('sh', ['-c', 'echo "port already taken" >&2; exit 3']), {
      label: 'crashing server',
    });
    const startedAt = Date.now();

    await expect(
      crashing.waitUntilReady(() => Promise.reject(new Error('connection refused')), { what: 'a probe', timeoutMs: 20_000 }),
    ).rejects.toThrow(/crashing server exited \(code 3\) before it answered a probe\.\nIts output:\nport already taken/);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('fails a readiness wait after its timeout with the probe’s last error', async () => {
    const marker = `silent-${randomUUID()}`;
    const silent = new SupervisedProcess(spawnTethered(process.execPath, idleArgs(marker)), { label: 'silent server' });
    try {
      await expect(
        silent.waitUntilReady(() => Promise.reject(new Error('connection refused')), { what: 'ListTables', timeoutMs: 300 }),
      ).rejects.toThrow('silent server did not answer ListTables within 300 ms (last error: connection refused)');
    } finally {
      await silent.stop();
    }
    expect(processesWith(marker)).toEqual([]);
  });
});
