/**
 * Throughput at saturation: every conversation keeps a fixed number of messages in flight (a
 * closed loop: a sender sends again as soon as every other participant has its last message), so
 * the system runs as fast as it can. Messages accepted per second, frames delivered per second,
 * and where the time went, from the timers inside the handlers.
 */
import { timeBreakdown, type TimeBreakdown } from './breakdown';
import type { DeliveryCounts } from './delivery-tracker';
import type { Recorder } from './instrumentation';
import { within } from './load';
import type { Progress } from './progress';
import type { StorageFloor, StorageFloorConversation } from './floor';
import { sendFrom, type Harness, type ProjectRoom } from './rooms';
import { summarize, type LatencySummary } from './stats';
import { setTimeout as delay } from 'node:timers/promises';
import { startCpuMeter, type CpuUse } from './cpu';

export interface ThroughputOptions {
  durationMs: number;
  warmupMs: number;
  /** After the measured window, this long with the recorder's attribution on, for the breakdown. */
  attributedMs: number;
}

export interface ThroughputResult {
  conversations: number;
  participants: number;
  /** Messages each conversation keeps in flight. */
  inFlightPerConversation: number;
  durationMs: number;
  /** Messages stored and delivered to every other participant, per second. */
  acceptedPerSecond: number;
  /** Message frames received by participants, per second. */
  framesPerSecond: number;
  completion: LatencySummary;
  counts: DeliveryCounts;
  errors: Record<string, number>;
  /** From the attributed window after the measured one (see `Recorder.setAttribution`). */
  breakdown: TimeBreakdown;
  cpu: CpuUse;
  /** The storage floor alone (Query + TransactWriteItems) with the same messages in flight. */
  storageFloor?: { opsPerSecond: number; cpu: CpuUse };
}

const STALL_TIMEOUT_MS = 15_000;
const DRAIN_TIMEOUT_MS = 20_000;

export async function measureThroughput(
  context: { harness: Harness; recorder: Recorder; progress: Progress },
  rooms: readonly ProjectRoom[],
  inFlightPerConversation: number,
  options: ThroughputOptions,
): Promise<ThroughputResult> {
  const { harness, recorder } = context;
  harness.tracker.takeResults();
  harness.errors.clear();
  let running = true;
  const completions: number[] = [];
  let measuring = false;
  const worker = async (room: ProjectRoom) => {
    while (running) {
      const ms = await within(sendFrom(room, harness).completion, STALL_TIMEOUT_MS);
      if (ms !== undefined && measuring) completions.push(ms);
    }
  };
  const workers = rooms.flatMap((room) => Array.from({ length: inFlightPerConversation }, () => worker(room)));

  recorder.setAttribution(false);
  await delay(options.warmupMs);
  const before = harness.tracker.current();
  measuring = true;
  const startedAt = performance.now();
  const readCpu = startCpuMeter();
  await delay(options.durationMs);
  const cpu = readCpu();
  const elapsedMs = performance.now() - startedAt;
  measuring = false;
  const after = harness.tracker.current();
  recorder.setAttribution(true);
  recorder.open();
  await delay(options.attributedMs);
  const window = recorder.close();
  running = false;
  await Promise.all(workers);
  await harness.tracker.drained(DRAIN_TIMEOUT_MS);
  const { counts } = harness.tracker.takeResults();

  const seconds = elapsedMs / 1000;
  const result: ThroughputResult = {
    conversations: rooms.length,
    participants: rooms[0]?.participantIds.length ?? 0,
    inFlightPerConversation,
    durationMs: elapsedMs,
    acceptedPerSecond: (after.completed - before.completed) / seconds,
    framesPerSecond: (after.received - before.received) / seconds,
    completion: summarize(completions),
    counts,
    errors: Object.fromEntries(harness.errors),
    breakdown: timeBreakdown(window.invocations),
    cpu,
  };
  context.progress(
    `throughput ${result.conversations} conversation(s) × ${inFlightPerConversation} in flight: ` +
      `${result.acceptedPerSecond.toFixed(0)} messages/s, ${result.framesPerSecond.toFixed(0)} frames/s, ` +
      `p50 ${result.completion.p50.toFixed(1)} ms, p99 ${result.completion.p99.toFixed(1)} ms; ` +
      `dropped ${counts.dropped}, errors ${JSON.stringify(result.errors)}; CPU: bench process ${cpu.benchProcessPercent.toFixed(0)}% ` +
      `of a core, machine ${cpu.machinePercent.toFixed(0)}% of all cores`,
  );
  return result;
}

/**
 * The storage floor at saturation: the same number of conversations and messages in flight, each
 * doing only the floor's Query + TransactWriteItems, back to back.
 */
export async function measureStorageSaturation(
  storage: StorageFloor,
  conversations: readonly StorageFloorConversation[],
  inFlightPerConversation: number,
  options: ThroughputOptions,
  harness: Harness,
): Promise<{ opsPerSecond: number; cpu: CpuUse }> {
  let running = true;
  let measuring = false;
  let completed = 0;
  const worker = async (conversation: StorageFloorConversation) => {
    while (running) {
      await storage.storeMessage(conversation, harness.nextKey('f'));
      if (measuring) completed += 1;
    }
  };
  const workers = conversations.flatMap((conversation) => Array.from({ length: inFlightPerConversation }, () => worker(conversation)));
  await delay(options.warmupMs);
  measuring = true;
  const startedAt = performance.now();
  const readCpu = startCpuMeter();
  await delay(options.durationMs);
  const cpu = readCpu();
  measuring = false;
  const seconds = (performance.now() - startedAt) / 1000;
  running = false;
  await Promise.all(workers);
  return { opsPerSecond: completed / seconds, cpu };
}
