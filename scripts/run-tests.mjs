/**
 * `npm test`: the typecheck, eslint, then jest, each with a progress line on stderr; then exactly
 * one line on stdout, last: `N passed, N failed`.
 *
 * N counts jest's tests (numPassedTests / numFailedTests; a failed test file with no failed test,
 * e.g. one that did not compile or whose hook threw, counts as one failure) plus one each for the
 * typecheck and the lint. A jest run that fails without saying why in its results (crash, global
 * setup error, no tests found) counts as one failure. Exits 1 when anything failed.
 *
 * Extra arguments go to jest: `npm test -- test/local`. Needs no stdin and works with CI=true.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const JEST_RESULTS_FILE = join(ROOT, 'reports', 'jest-results.json');

/** The JavaScript file behind `node_modules/.bin/<name>`, run with this Node (no PATH lookup). */
function binScript(name) {
  const link = join(ROOT, 'node_modules', '.bin', name);
  try {
    return realpathSync(link);
  } catch {
    throw new Error(`${relative(ROOT, link)} is missing: run "npm ci" first`);
  }
}

function progress(line) {
  process.stderr.write(`[npm test] ${line}\n`);
}

function seconds(startedAt) {
  return `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;
}

/** Runs `<bin> ...args` with inherited output and no stdin; resolves with its exit code. */
function runStep(label, bin, args) {
  progress(`${label}: ${[bin, ...args].join(' ')}`);
  const startedAt = performance.now();
  return new Promise((resolve) => {
    let script;
    try {
      script = binScript(bin);
    } catch (error) {
      progress(`${label} could not start: ${error.message}`);
      resolve(1);
      return;
    }
    const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', (error) => {
      progress(`${label} could not start: ${error.message}`);
      resolve(1);
    });
    child.once('close', (code, signal) => {
      const exitCode = code ?? 1;
      const how = signal ? `killed by ${signal}` : exitCode === 0 ? 'passed' : `failed (exit code ${exitCode})`;
      progress(`${label} ${how} in ${seconds(startedAt)}`);
      resolve(exitCode);
    });
  });
}

/** Passed and failed counts from jest's JSON results; a missing or unreadable file is one failure. */
function jestCounts(exitCode) {
  let results;
  try {
    results = JSON.parse(readFileSync(JEST_RESULTS_FILE, 'utf8'));
  } catch (error) {
    progress(`jest wrote no readable results (${error.code ?? error.message}): counted as one failure`);
    return { passed: 0, failed: 1 };
  }
  const failedFilesWithoutFailedTest = (results.testResults ?? []).filter(
    (file) => file.status === 'failed' && !(file.assertionResults ?? []).some((test) => test.status === 'failed'),
  );
  for (const file of failedFilesWithoutFailedTest) {
    progress(`test file failed outside its tests: ${relative(ROOT, file.name)}: counted as one failure`);
  }
  let failed = (results.numFailedTests ?? 0) + failedFilesWithoutFailedTest.length;
  if (exitCode !== 0 && failed === 0) {
    progress(`jest exited with code ${exitCode} without a failed test: counted as one failure`);
    failed = 1;
  }
  return { passed: results.numPassedTests ?? 0, failed };
}

const jestArgs = process.argv.slice(2);
let passed = 0;
let failed = 0;

for (const [label, bin, args] of [
  ['typecheck', 'tsc', ['--noEmit', '-p', 'tsconfig.json']],
  ['lint', 'eslint', ['.']],
]) {
  if ((await runStep(label, bin, args)) === 0) passed += 1;
  else failed += 1;
}

mkdirSync(dirname(JEST_RESULTS_FILE), { recursive: true });
// A stale file from an earlier run must not pass for this run's results.
rmSync(JEST_RESULTS_FILE, { force: true });
const jestExitCode = await runStep('jest', 'jest', [
  '--json',
  `--outputFile=${relative(ROOT, JEST_RESULTS_FILE)}`,
  ...jestArgs,
]);
const jest = jestCounts(jestExitCode);
passed += jest.passed;
failed += jest.failed;

process.stdout.write(`${passed} passed, ${failed} failed\n`);
process.exitCode = failed > 0 ? 1 : 0;
