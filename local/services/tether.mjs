/**
 * Runs one command and ties its life to the Node process that started this one.
 *
 * Usage: node tether.mjs <grace ms> <command> [args...]
 *
 * When the parent dies, for any reason including SIGKILL, this process's stdin (a pipe the parent
 * holds) reaches end-of-file and the command is stopped, so no JVM or server outlives a crashed
 * test run. Linux's PR_SET_PDEATHSIG would do the same but Node cannot set it.
 * SIGTERM, SIGINT and SIGHUP are passed on as SIGTERM; a command still running after the grace
 * period gets SIGKILL. Exits with the command's status (128 + signal number when it was killed).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

const [graceMsArgument, command, ...args] = process.argv.slice(2);
const graceMs = Number(graceMsArgument);
if (!command || !Number.isFinite(graceMs) || graceMs < 0) {
  process.stderr.write('usage: node tether.mjs <grace ms> <command> [args...]\n');
  process.exit(2);
}

const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  child.kill('SIGTERM');
  setTimeout(() => child.kill('SIGKILL'), graceMs).unref();
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

child.on('error', (error) => {
  process.stderr.write(`cannot run ${command}: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  process.exit(code ?? 128 + (constants.signals[signal] ?? 0));
});
