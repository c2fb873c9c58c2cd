/**
 * Fan-out latency: client send → every other participant has the message, for the project and
 * for the floor, idle (one message at a time) and at a steady offered load (open loop), all in
 * this one process with `performance.now()`.
 */
import type { BenchStack } from './bench-stack';
import { callDurations, timeBreakdown, type TimeBreakdown } from './breakdown';
import type { DeliveryCounts, DeliveryResults } from './delivery-tracker';
import type { BroadcastFloor, StorageFloor, StorageFloorConversation } from './floor';
import type { CallRecord, InvocationRecord, Recorder } from './instrumentation';
import { runOpenLoop, within } from './load';
import type { Progress } from './progress';
import { mapLimit, openConversation, sendFrom, type Harness, type ProjectRoom, type Room } from './rooms';
import { mergePauses, summarizePauses, watchPauses, type PauseSummary } from './pauses';
import { ratio, summarize, summarizeSum, type LatencySummary } from './stats';

export interface LatencyOptions {
  /** Messages measured one at a time, per conversation size. */
  idleSamples: number;
  /** Open-loop rate across `loadConversations`… */
  loadRatePerSecond: number;
  /** …capped so that messages × participants stays under this many frames per second. */
  maxLoadFramesPerSecond: number;
  /** Project and floor alternate in this many blocks (idle samples and load duration are split). */
  blocks: number;
  /**
   * Each project block is followed by one this much smaller with the recorder's attribution on,
   * for the breakdown (see `Recorder.setAttribution`); the latency comes from the blocks without.
   */
  attributedShare: number;
  loadConversations: number;
  loadDurationMs: number;
  warmupMessages: number;
}

export interface LatencyContext {
  chat: BenchStack;
  broadcast: BroadcastFloor;
  storage: StorageFloor;
  harness: Harness;
  recorder: Recorder;
  progress: Progress;
  /** DynamoDB Local's GC log (`gcLogFile`), for its pauses. */
  dynamoDbGcLog?: string;
}

export interface FloorResult {
  /** (a) Query + TransactWriteItems against DynamoDB Local. */
  storage: LatencySummary;
  /** (b) bare ws broadcast: send → every other participant. */
  broadcast: LatencySummary;
  /** (a) + (b) as independent distributions. */
  total: LatencySummary;
  broadcastCounts: DeliveryCounts;
  /** The storage floor's own calls (mean and median ms of one call), to set against the handler's. */
  storageCalls: ReturnType<typeof callDurations>;
}

export interface LatencyResult {
  participants: number;
  mode: 'idle' | 'load';
  conversations: number;
  /** Offered messages per second (load only). */
  offeredPerSecond?: number;
  project: LatencySummary;
  counts: DeliveryCounts;
  floor: FloorResult;
  ratioP50: number;
  ratioP99: number;
  /** Where the project's time went (timers inside the handlers), from the attributed blocks. */
  breakdown: TimeBreakdown;
  /** The same for the slowest 5 % of those messages (end to end): where the tail comes from. */
  tailBreakdown: TimeBreakdown;
  /** The attributed blocks' own latency and deliveries (their timers make them slower). */
  attributed: { project: LatencySummary; counts: DeliveryCounts };
  /** Pauses of this process during the project's measured blocks and during the floor's. */
  pauses: { project: PauseSummary; floor: PauseSummary };
  /** The longest DynamoDB call of the project's measured blocks and of the storage floor's. */
  slowestCalls: { project?: SlowestCall; floor?: SlowestCall };
  /** Transactions of the project's measured blocks that failed (a lost race is retried). */
  failedTransactions: number;
  /** Error frames the clients got, by code. */
  errors: Record<string, number>;
}

/** Gives up on one message after this long (it then counts as dropped). */
const MESSAGE_TIMEOUT_MS = 15_000;
/** After an open loop, how long delivery may still take before the rest counts as dropped. */
const DRAIN_TIMEOUT_MS = 20_000;
const SETUP_CONCURRENCY = 4;

export interface LatencyRooms {
  project: ProjectRoom[];
}

/** Offered messages per second for conversations of `participants`: the rate, capped in frames per second. */
export function offeredRate(options: Pick<LatencyOptions, 'loadRatePerSecond' | 'maxLoadFramesPerSecond'>, participants: number): number {
  return Math.min(options.loadRatePerSecond, options.maxLoadFramesPerSecond / participants);
}

/**
 * Idle and loaded fan-out latency for conversations of `participants`, with the floor. Project
 * and floor alternate in `blocks` blocks, so a pause of the shared machine (a JVM collection in
 * DynamoDB Local, another process) falls on both sides alike rather than on one run.
 */
export async function measureLatency(
  context: LatencyContext,
  participants: number,
  options: LatencyOptions,
): Promise<{ results: LatencyResult[]; rooms: LatencyRooms }> {
  const { harness, recorder, progress } = context;
  const label = `latency N=${participants}`;
  const count = options.loadConversations;
  progress(`${label}: opening ${count} conversations of ${participants} (project), ${count} floor rooms, ${count} storage-floor conversations`);
  const project = await mapLimit(range(count), SETUP_CONCURRENCY, (index) =>
    openConversation(context.chat, participants, harness, { label: `N${participants}-c${index}` }),
  );
  const broadcast = await mapLimit(range(count), SETUP_CONCURRENCY, (index) =>
    context.broadcast.openRoom(participants, harness, `floor-N${participants}-r${index}`),
  );
  const storage = await mapLimit(range(count), SETUP_CONCURRENCY, () => context.storage.createConversation(participants));

  // Warm-up (JIT, connection pools, DynamoDB Local's caches) of both ways the handler runs; not measured.
  recorder.setAttribution(false);
  await idleProject(context, project[0]!, options.warmupMessages);
  recorder.setAttribution(true);
  await idleProject(context, project[0]!, options.warmupMessages);
  await idleBroadcast(context, broadcast[0]!, options.warmupMessages);
  await idleStorage(context, storage[0]!, options.warmupMessages);

  const blocks = Math.max(1, options.blocks);
  const idle = emptyRun();
  const perBlock = Math.ceil(options.idleSamples / blocks);
  const attributedPerBlock = Math.max(1, Math.round(perBlock * options.attributedShare));
  for (let block = 0; block < blocks; block++) {
    recorder.setAttribution(false);
    const stopProject = await watchProject(context);
    recorder.open();
    mergeDeliveries(idle.project, await idleProject(context, project[0]!, perBlock));
    await collectProject(idle, recorder.close().calls, stopProject);
    recorder.setAttribution(true);
    recorder.open();
    mergeDeliveries(idle.attributed, await idleProject(context, project[0]!, attributedPerBlock));
    idle.invocations.push(...recorder.close().invocations);
    const stopFloor = watchPauses(context.dynamoDbGcLog);
    mergeDeliveries(idle.broadcast, await idleBroadcast(context, broadcast[0]!, perBlock));
    recorder.open();
    idle.storageMs.push(...(await idleStorage(context, storage[0]!, perBlock)));
    idle.storageCalls.push(...recorder.close().calls.filter((call) => call.side === 'floor'));
    idle.floorPauses = mergePauses(idle.floorPauses, stopFloor());
  }
  const idleResult = result(participants, 'idle', 1, undefined, idle, Object.fromEntries(harness.errors));
  progress(`${label} idle: ${describe(idleResult)}`);

  const rate = offeredRate(options, participants);
  const blockMs = options.loadDurationMs / blocks;
  const loaded = emptyRun();
  const errors = new Map<string, number>();
  const projectLoad = async (durationMs: number, into: DeliveryResults) => {
    harness.errors.clear();
    harness.tracker.takeResults();
    await runOpenLoop({
      ratePerSecond: rate,
      durationMs,
      fire: (index) => void sendFrom(project[index % project.length]!, harness),
    });
    await harness.tracker.drained(DRAIN_TIMEOUT_MS);
    mergeDeliveries(into, harness.tracker.takeResults());
    for (const [code, n] of harness.errors) errors.set(code, (errors.get(code) ?? 0) + n);
  };
  for (let block = 0; block < blocks; block++) {
    recorder.setAttribution(false);
    const stopProject = await watchProject(context);
    recorder.open();
    await projectLoad(blockMs, loaded.project);
    await collectProject(loaded, recorder.close().calls, stopProject);
    recorder.setAttribution(true);
    recorder.open();
    await projectLoad(blockMs * options.attributedShare, loaded.attributed);
    loaded.invocations.push(...recorder.close().invocations);

    // The floor at the same offered rate: storage and broadcast together, as one server would do them.
    const storing: Promise<void>[] = [];
    const stopFloor = watchPauses(context.dynamoDbGcLog);
    recorder.open();
    await Promise.all([
      runOpenLoop({
        ratePerSecond: rate,
        durationMs: blockMs,
        fire: (index) => void sendFrom(broadcast[index % broadcast.length]!, harness),
      }),
      runOpenLoop({
        ratePerSecond: rate,
        durationMs: blockMs,
        fire: (index) => {
          storing.push(
            context.storage
              .storeMessage(storage[index % storage.length]!, harness.nextKey('f'))
              .then((ms) => void loaded.storageMs.push(ms)),
          );
        },
      }),
    ]);
    await Promise.all(storing);
    await harness.tracker.drained(DRAIN_TIMEOUT_MS);
    mergeDeliveries(loaded.broadcast, harness.tracker.takeResults());
    loaded.storageCalls.push(...recorder.close().calls.filter((call) => call.side === 'floor'));
    loaded.floorPauses = mergePauses(loaded.floorPauses, stopFloor());
  }
  harness.errors.clear();
  const loadResult = result(participants, 'load', count, rate, loaded, Object.fromEntries(errors));
  progress(`${label} at ${rate}/s over ${count} conversations: ${describe(loadResult)}`);
  return { results: [idleResult, loadResult], rooms: { project } };
}

type ProjectWatch = () => Promise<{ pauses: PauseSummary; calls: CallRecord[] }>;

/**
 * Watches the project's side of a measured block: this thread's pauses and, when `$default` runs
 * in the handler thread, that thread's pauses and DynamoDB calls, which this thread's clients never see.
 */
async function watchProject(context: LatencyContext): Promise<ProjectWatch> {
  const stopHere = watchPauses(context.dynamoDbGcLog);
  const stopThread = await context.chat.handlerThread?.watch();
  return async () => {
    const here = stopHere();
    if (!stopThread) return { pauses: here, calls: [] };
    const watched = await stopThread();
    const calls = watched.calls.map(
      (call): CallRecord => ({
        service: 'dynamodb',
        command: call.command,
        side: 'backend',
        startedAt: call.startedAt - performance.timeOrigin,
        endedAt: call.endedAt - performance.timeOrigin,
        ...(call.failed ? { failed: call.failed } : {}),
      }),
    );
    // Only this thread reads the JVM GC log; steal is the machine's, read on both.
    return { pauses: mergePauses(watched.pauses, here), calls };
  };
}

async function collectProject(run: RunSamples, recorded: readonly CallRecord[], stop: ProjectWatch): Promise<void> {
  const { pauses, calls } = await stop();
  run.projectCalls.push(...recorded.filter((call) => call.side === 'backend'), ...calls);
  run.projectPauses = mergePauses(run.projectPauses, pauses);
}

interface RunSamples {
  project: DeliveryResults;
  /** The project with attribution on: for the breakdown only. */
  attributed: DeliveryResults;
  broadcast: DeliveryResults;
  storageMs: number[];
  storageCalls: CallRecord[];
  /** The handlers' calls in the measured (not attributed) blocks: timed, but tied to no invocation. */
  projectCalls: CallRecord[];
  invocations: InvocationRecord[];
  projectPauses?: PauseSummary;
  floorPauses?: PauseSummary;
}

function emptyRun(): RunSamples {
  const empty = (): DeliveryResults => ({
    counts: { sent: 0, completed: 0, dropped: 0, duplicated: 0, outOfOrder: 0, received: 0 },
    completionsMs: [],
    completionsByKey: [],
  });
  return { project: empty(), attributed: empty(), broadcast: empty(), storageMs: [], storageCalls: [], projectCalls: [], invocations: [] };
}

/** Adds `more` into `into`. */
export function mergeDeliveries(into: DeliveryResults, more: DeliveryResults): void {
  into.completionsMs.push(...more.completionsMs);
  into.completionsByKey.push(...more.completionsByKey);
  for (const key of Object.keys(into.counts) as Array<keyof DeliveryCounts>) into.counts[key] += more.counts[key];
}

function result(
  participants: number,
  mode: 'idle' | 'load',
  conversations: number,
  offeredPerSecond: number | undefined,
  run: RunSamples,
  errors: Record<string, number>,
): LatencyResult {
  const projectSummary = summarize(run.project.completionsMs);
  const floorTotal = summarizeSum(run.storageMs, run.broadcast.completionsMs);
  return {
    participants,
    mode,
    conversations,
    ...(offeredPerSecond !== undefined ? { offeredPerSecond } : {}),
    project: projectSummary,
    counts: run.project.counts,
    floor: {
      storage: summarize(run.storageMs),
      broadcast: summarize(run.broadcast.completionsMs),
      total: floorTotal,
      broadcastCounts: run.broadcast.counts,
      storageCalls: callDurations(run.storageCalls),
    },
    ratioP50: ratio(projectSummary.p50, floorTotal.p50),
    ratioP99: ratio(projectSummary.p99, floorTotal.p99),
    breakdown: timeBreakdown(run.invocations),
    tailBreakdown: timeBreakdown(slowestInvocations(run, TAIL_PERCENT)),
    attributed: { project: summarize(run.attributed.completionsMs), counts: run.attributed.counts },
    pauses: { project: run.projectPauses ?? NO_PAUSES, floor: run.floorPauses ?? NO_PAUSES },
    slowestCalls: { project: slowestCall(run.projectCalls), floor: slowestCall(run.storageCalls) },
    failedTransactions: run.projectCalls.filter((call) => call.command === 'TransactWriteItems' && call.failed !== undefined).length,
    errors,
  };
}

export interface SlowestCall {
  command: string;
  ms: number;
}

function slowestCall(calls: readonly CallRecord[]): SlowestCall | undefined {
  let slowest: SlowestCall | undefined;
  for (const call of calls) {
    if (call.service !== 'dynamodb') continue;
    const ms = call.endedAt - call.startedAt;
    if (!slowest || ms > slowest.ms) slowest = { command: call.command, ms };
  }
  return slowest;
}

const NO_PAUSES: PauseSummary = summarizePauses(0, 0, []);

/** The share of messages whose breakdown explains the tail. */
const TAIL_PERCENT = 5;

/** `$default` invocations of the slowest `percent` % of the attributed messages, end to end. */
function slowestInvocations(run: RunSamples, percent: number): InvocationRecord[] {
  const sorted = [...run.attributed.completionsByKey].sort((a, b) => b.ms - a.ms);
  const slowest = new Set(sorted.slice(0, Math.max(1, Math.ceil((sorted.length * percent) / 100))).map((entry) => entry.key));
  return run.invocations.filter((invocation) => invocation.localId !== undefined && slowest.has(invocation.localId));
}

function describe(result: LatencyResult): string {
  const { project, floor, counts } = result;
  return (
    `project p50 ${project.p50.toFixed(1)} p99 ${project.p99.toFixed(1)} ms; floor p50 ${floor.total.p50.toFixed(1)} ` +
    `p99 ${floor.total.p99.toFixed(1)} ms; ratios ${result.ratioP50.toFixed(2)}x / ${result.ratioP99.toFixed(2)}x; ` +
    `sent ${counts.sent}, dropped ${counts.dropped}, duplicated ${counts.duplicated}, out of order ${counts.outOfOrder}; ` +
    `${result.failedTransactions} failed transactions`
  );
}

/** One message at a time in one conversation; each waits for its `$default` invocation to end. */
async function idleProject(context: LatencyContext, room: ProjectRoom, samples: number): Promise<DeliveryResults> {
  const { harness, recorder } = context;
  harness.tracker.takeResults();
  for (let i = 0; i < samples; i++) {
    const target = recorder.total('invocation:default') + 1;
    const { completion } = sendFrom(room, harness);
    await within(completion, MESSAGE_TIMEOUT_MS);
    await recorder.waitUntil(() => recorder.total('invocation:default') >= target, MESSAGE_TIMEOUT_MS, 'the $default invocation');
    await harness.tracker.drained(MESSAGE_TIMEOUT_MS);
  }
  await harness.tracker.drained(MESSAGE_TIMEOUT_MS);
  return harness.tracker.takeResults();
}

async function idleBroadcast(context: LatencyContext, room: Room, samples: number): Promise<DeliveryResults> {
  const { harness } = context;
  harness.tracker.takeResults();
  for (let i = 0; i < samples; i++) {
    await within(sendFrom(room, harness).completion, MESSAGE_TIMEOUT_MS);
    // The sender's own copy too, so the next message starts on a quiet server.
    await harness.tracker.drained(MESSAGE_TIMEOUT_MS);
  }
  return harness.tracker.takeResults();
}

async function idleStorage(context: LatencyContext, conversation: StorageFloorConversation, samples: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) latencies.push(await context.storage.storeMessage(conversation, context.harness.nextKey('f')));
  return latencies;
}

function range(count: number): number[] {
  return Array.from({ length: count }, (_, index) => index);
}
