/**
 * Pauses while something is measured: how late this process's event loop ran (a timer's
 * lateness: anything synchronous, garbage collection included), this process's garbage
 * collections, and DynamoDB Local's (its JVM logs them, `gcLogFile`): every request in flight
 * waits for those. A tail percentile under load moves with them, so the report shows them.
 */
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';

export interface PauseSummary {
  /** Longest event-loop delay seen, ms: how much later than due a 10 ms timer ran. */
  eventLoopMaxMs: number;
  /** 99th percentile of those delays (one sample per timer), ms. */
  eventLoopP99Ms: number;
  /** Garbage collections, their summed and longest pause, ms. */
  gcCount: number;
  gcTotalMs: number;
  gcMaxMs: number;
  /** DynamoDB Local's JVM: collections, their summed and longest pause, ms. */
  dynamoDbGcCount: number;
  dynamoDbGcTotalMs: number;
  dynamoDbGcMaxMs: number;
  /**
   * Share of the machine's CPU time the hypervisor gave to others while this ran (`steal` in
   * /proc/stat), in %; NaN where there is no /proc/stat. A slowed machine slows every thread.
   */
  stealPercent: number;
}

const DELAY_RESOLUTION_MS = 10;

/** Starts watching; the returned function stops and summarizes. Nestable: each watch is its own. */
export function watchPauses(dynamoDbGcLog?: string): () => PauseSummary {
  const startedAt = Date.now();
  const cpuBefore = machineCpuTicks();
  const delay = monitorEventLoopDelay({ resolution: DELAY_RESOLUTION_MS });
  delay.enable();
  const gcDurations: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as PerformanceEntry[]) gcDurations.push(entry.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  return () => {
    delay.disable();
    // Entries still queued for the callback.
    for (const entry of observer.takeRecords()) gcDurations.push(entry.duration);
    observer.disconnect();
    const jvm = dynamoDbGcLog ? jvmGcPauses(readFileSync(dynamoDbGcLog, 'utf8'), startedAt, Date.now()) : [];
    const cpuAfter = machineCpuTicks();
    const steal =
      cpuBefore && cpuAfter && cpuAfter.total > cpuBefore.total
        ? (100 * (cpuAfter.steal - cpuBefore.steal)) / (cpuAfter.total - cpuBefore.total)
        : NaN;
    // The histogram holds whole timer intervals (an idle loop reads 10.1 ms): the delay is the excess.
    const lateness = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - DELAY_RESOLUTION_MS);
    return summarizePauses(lateness(delay.max), lateness(delay.percentile(99)), gcDurations, jvm, steal);
  };
}

/** The machine's CPU time so far, in ticks: all of it, and what the hypervisor stole. */
function machineCpuTicks(): { total: number; steal: number } | undefined {
  try {
    return parseProcStatCpu(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** The `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal (guest time is in user). */
export function parseProcStatCpu(stat: string): { total: number; steal: number } | undefined {
  const line = stat.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (!line) return undefined;
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return { total: ticks.reduce((sum, tick) => sum + tick, 0), steal: ticks[7] ?? 0 };
}

export function summarizePauses(
  eventLoopMaxMs: number,
  eventLoopP99Ms: number,
  gcDurationsMs: readonly number[],
  jvmGcDurationsMs: readonly number[] = [],
  stealPercent = NaN,
): PauseSummary {
  const total = (durations: readonly number[]) => durations.reduce((sum, ms) => sum + ms, 0);
  const longest = (durations: readonly number[]) => durations.reduce((max, ms) => Math.max(max, ms), 0);
  return {
    eventLoopMaxMs,
    eventLoopP99Ms,
    gcCount: gcDurationsMs.length,
    gcTotalMs: total(gcDurationsMs),
    gcMaxMs: longest(gcDurationsMs),
    dynamoDbGcCount: jvmGcDurationsMs.length,
    dynamoDbGcTotalMs: total(jvmGcDurationsMs),
    dynamoDbGcMaxMs: longest(jvmGcDurationsMs),
    stealPercent,
  };
}

const JVM_GC_PAUSE = /^\[(\d+)ms\] GC\(\d+\) Pause .* ([\d.]+)ms$/;

/** Pauses (ms) of the JVM's `-Xlog:gc::timemillis` lines stamped from `fromEpochMs` to `toEpochMs`. */
export function jvmGcPauses(log: string, fromEpochMs: number, toEpochMs: number): number[] {
  const pauses: number[] = [];
  for (const line of log.split('\n')) {
    const match = JVM_GC_PAUSE.exec(line.trim());
    if (!match) continue;
    const stampedAt = Number(match[1]);
    if (stampedAt >= fromEpochMs && stampedAt <= toEpochMs) pauses.push(Number(match[2]));
  }
  return pauses;
}

/** The worse of two summaries, field by field (counts and totals added). */
export function mergePauses(a: PauseSummary | undefined, b: PauseSummary): PauseSummary {
  if (!a) return b;
  return {
    eventLoopMaxMs: Math.max(a.eventLoopMaxMs, b.eventLoopMaxMs),
    eventLoopP99Ms: Math.max(a.eventLoopP99Ms, b.eventLoopP99Ms),
    gcCount: a.gcCount + b.gcCount,
    gcTotalMs: a.gcTotalMs + b.gcTotalMs,
    gcMaxMs: Math.max(a.gcMaxMs, b.gcMaxMs),
    dynamoDbGcCount: a.dynamoDbGcCount + b.dynamoDbGcCount,
    dynamoDbGcTotalMs: a.dynamoDbGcTotalMs + b.dynamoDbGcTotalMs,
    dynamoDbGcMaxMs: Math.max(a.dynamoDbGcMaxMs, b.dynamoDbGcMaxMs),
    // The worst watch: a slowdown confined to one block is what moves that side's tail.
    stealPercent: Number.isNaN(a.stealPercent) ? b.stealPercent : Math.max(a.stealPercent, b.stealPercent),
  };
}
