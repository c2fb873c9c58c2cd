/**
 * Cold start: each Lambda entry bundled as `cdk synth` bundles it (esbuild with the options of
 * `lib/handler-function.ts`, the AWS SDK bundled in), next to its SDK floor: a handler with no
 * logic that imports and builds the same SDK clients and the same commands the entry's bundle
 * contains (read from esbuild's metafile), bundled the same way. Then module initialisation time:
 * a fresh `node` requires the bundle (with dummy environment variables), median of N runs, with
 * `--enable-source-maps` as deployed (`NODE_OPTIONS` in `HandlerFunction`) and without.
 */
import { build, type BuildOptions } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { HANDLER_BUNDLING, HANDLER_MEMORY_SIZE_MB, HANDLER_RUNTIME } from '../lib/handler-function';
import { ownModules, sdkContents, sdkFloorSource } from './bundle-contents';
import type { Progress } from './progress';
import { median } from './stats';

const ROOT = resolve(__dirname, '..');
const ENTRIES_DIR = join(ROOT, 'lambdas', 'entries');

export interface InitTime {
  /** Median ms of `require(bundle)` in a fresh process, with `--enable-source-maps` (as deployed). */
  medianMs: number;
  /** Same without source maps. */
  medianWithoutSourceMapsMs: number;
  samplesMs: number[];
}

export interface BundleMeasurement {
  /** e.g. `default` for `lambdas/entries/default.ts`. */
  entry: string;
  bytes: number;
  sourceMapBytes: number;
  floorBytes: number;
  overFloorBytes: number;
  /** SDK clients and commands in the bundle (and so in its floor). */
  sdkClients: string[];
  sdkCommands: string[];
  /** What the bundle holds beyond the SDK, largest first: source file or package → bytes in the bundle. */
  ownModules: Array<{ module: string; bytes: number }>;
  init: InitTime;
  floorInit: InitTime;
  error?: string;
}

export interface ColdStartResult {
  runtime: string;
  memoryMb: number;
  nodeVersion: string;
  runs: number;
  bundles: BundleMeasurement[];
}

/**
 * The esbuild options `NodejsFunction` derives from `HANDLER_BUNDLING` (aws-lambda-nodejs
 * `buildEsbuildArgs`; it passes no `--tsconfig` unless given one). Checked against `cdk synth`:
 * the same bytes.
 */
export function cdkEsbuildOptions(): BuildOptions {
  const bundling = HANDLER_BUNDLING;
  return {
    bundle: true,
    platform: 'node',
    target: bundling.target ?? 'node22',
    format: (bundling.format ?? 'cjs') as BuildOptions['format'],
    minify: bundling.minify ?? false,
    sourcemap: bundling.sourceMap ?? false,
    sourcesContent: bundling.sourcesContent ?? true,
    external: [...(bundling.externalModules ?? ['@aws-sdk/*'])],
    ...(bundling.mainFields ? { mainFields: [...bundling.mainFields] } : {}),
    logLevel: 'warning',
    metafile: true,
    write: true,
  };
}

/** Every Lambda entry (`lambdas/entries/*.ts`). */
export function lambdaEntries(): string[] {
  return readdirSync(ENTRIES_DIR)
    .filter((name) => name.endsWith('.ts'))
    .sort()
    .map((name) => join(ENTRIES_DIR, name));
}

/** Environment the entries read at init, with dummy values (nothing is called at init). */
function dummyEnvironment(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'dummy',
    AWS_SECRET_ACCESS_KEY: 'dummy',
    AWS_SESSION_TOKEN: 'dummy',
    // Lambda runs Node 22; on older Node the SDK would print a support warning at client creation.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TABLE_NAME: 'conversations',
    MANAGEMENT_API_ENDPOINT: 'https://abcdef1234.execute-api.us-east-1.amazonaws.com/prod',
    WEBSOCKET_URL: 'wss://abcdef1234.execute-api.us-east-1.amazonaws.com/prod',
    BOTS_CONFIG: readFileSync(join(ROOT, 'bots', 'bots.json'), 'utf8'),
    BOT_QUEUE_URLS: JSON.stringify({ Manager: 'https://sqs.us-east-1.amazonaws.com/123456789012/bot-Manager.fifo' }),
    REPLIES_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/replies.fifo',
    REPLIES_DLQ_URL: 'https://sqs.us-east-1.amazonaws.com/123456789012/replies-dlq.fifo',
    BOT_NAME: 'Manager',
    LOG_LEVEL: 'info',
  };
}

function measureInit(file: string, runs: number, sourceMaps: boolean): number[] {
  const script =
    'const t = performance.now(); const m = require(process.argv[1]); const ms = performance.now() - t;' +
    "if (typeof m.handler !== 'function') throw new Error('no handler export');" +
    'process.stdout.write(JSON.stringify({ ms }));';
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    const child = spawnSync(process.execPath, [...(sourceMaps ? ['--enable-source-maps'] : []), '-e', script, file], {
      env: dummyEnvironment(),
      encoding: 'utf8',
      timeout: 30_000,
    });
    if (child.status !== 0) throw new Error(`requiring ${basename(file)} failed: ${(child.stderr || String(child.error)).trim().split('\n').slice(-3).join(' | ')}`);
    samples.push((JSON.parse(child.stdout) as { ms: number }).ms);
  }
  return samples;
}

function initTime(file: string, runs: number): InitTime {
  const samplesMs = measureInit(file, runs, true);
  return {
    medianMs: median(samplesMs),
    medianWithoutSourceMapsMs: median(measureInit(file, runs, false)),
    samplesMs,
  };
}

export async function measureColdStart(runs: number, progress: Progress): Promise<ColdStartResult> {
  const outDir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  const bundles: BundleMeasurement[] = [];
  try {
    for (const entryPath of lambdaEntries()) {
      const entry = basename(entryPath, '.ts');
      const dir = join(outDir, entry);
      const floorDir = join(outDir, `${entry}-sdk-floor`);
      try {
        const { metafile } = await build({ ...cdkEsbuildOptions(), entryPoints: [entryPath], outfile: join(dir, 'index.js') });
        const contents = sdkContents(metafile!);
        const { metafile: floorMetafile } = await build({
          ...cdkEsbuildOptions(),
          stdin: { contents: sdkFloorSource(contents), resolveDir: ROOT, sourcefile: `${entry}-sdk-floor.ts`, loader: 'ts' },
          outfile: join(floorDir, 'index.js'),
        });
        const bytes = statSync(join(dir, 'index.js')).size;
        const floorBytes = statSync(join(floorDir, 'index.js')).size;
        const measurement: BundleMeasurement = {
          entry,
          bytes,
          sourceMapBytes: sizeIfExists(join(dir, 'index.js.map')),
          floorBytes,
          overFloorBytes: bytes - floorBytes,
          sdkClients: [...contents.clients.values()],
          sdkCommands: contents.commands.map((command) => command.name),
          ownModules: ownModules(metafile!, floorMetafile!),
          init: initTime(join(dir, 'index.js'), runs),
          floorInit: initTime(join(floorDir, 'index.js'), runs),
        };
        bundles.push(measurement);
        progress(
          `cold start ${entry}: ${(bytes / 1024).toFixed(1)} KB (SDK floor ${(floorBytes / 1024).toFixed(1)} KB, ` +
            `+${((bytes - floorBytes) / 1024).toFixed(1)} KB); init median ${measurement.init.medianMs.toFixed(1)} ms ` +
            `(floor ${measurement.floorInit.medianMs.toFixed(1)} ms)`,
        );
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        progress(`cold start ${entry}: FAILED: ${message}`);
        bundles.push({
          entry,
          bytes: NaN,
          sourceMapBytes: NaN,
          floorBytes: NaN,
          overFloorBytes: NaN,
          sdkClients: [],
          sdkCommands: [],
          ownModules: [],
          init: { medianMs: NaN, medianWithoutSourceMapsMs: NaN, samplesMs: [] },
          floorInit: { medianMs: NaN, medianWithoutSourceMapsMs: NaN, samplesMs: [] },
          error: message,
        });
      }
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
  return { runtime: HANDLER_RUNTIME.name, memoryMb: HANDLER_MEMORY_SIZE_MB, nodeVersion: process.version, runs, bundles };
}

function sizeIfExists(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
