/**
 * The targets, checked against a run's results. The limits are the and are not to
 * be loosened. Pure, unit-tested in `test/bench/targets.test.ts`.
 */
import type { ColdStartResult } from './cold-start';
import type { CostRow } from './cost';
import type { LatencyResult } from './latency';

export const TARGETS = {
  /** Conversation of 10, idle: p50 ≤ 1.5 × the floor's p50, p99 ≤ 2 × the floor's p99. */
  idleP50Ratio: 1.5,
  idleP99Ratio: 2,
  /** At the offered load, the p99 ratio holds. */
  loadP99Ratio: 2,
  targetParticipants: 10,
  maxDynamoDbRequestsPerHumanMessage: 3,
  maxWriteUnitsPerHumanMessage: 6,
  maxBundleOverFloorBytes: 40 * 1024,
  maxInitMs: 100,
} as const;

export interface TargetResult {
  id: string;
  description: string;
  /** What was measured, in words and numbers. */
  measured: string;
  pass: boolean;
  /** Not measured in this run (phase left out, or it failed). */
  skipped?: boolean;
}

export interface RunResults {
  latency?: LatencyResult[];
  cost?: CostRow[];
  coldStart?: ColdStartResult;
}

const HUMAN_SCENARIOS = new Set(['human', 'human-with-manager']);

export function evaluateTargets(results: RunResults): TargetResult[] {
  const targets: TargetResult[] = [];
  const skipped = (id: string, description: string): TargetResult => ({ id, description, measured: 'not measured', pass: false, skipped: true });

  const latency = results.latency ?? [];
  const idle = latency.find((cell) => cell.mode === 'idle' && cell.participants === TARGETS.targetParticipants);
  const loaded = latency.find((cell) => cell.mode === 'load' && cell.participants === TARGETS.targetParticipants);
  const idleDescription = `N=10 idle: p50 ≤ ${TARGETS.idleP50Ratio}× floor p50 and p99 ≤ ${TARGETS.idleP99Ratio}× floor p99`;
  targets.push(
    idle
      ? {
          id: 'latency-idle',
          description: idleDescription,
          measured: `p50 ${idle.project.p50.toFixed(1)} ms = ${idle.ratioP50.toFixed(2)}× floor ${idle.floor.total.p50.toFixed(1)} ms; ` +
            `p99 ${idle.project.p99.toFixed(1)} ms = ${idle.ratioP99.toFixed(2)}× floor ${idle.floor.total.p99.toFixed(1)} ms`,
          pass: idle.ratioP50 <= TARGETS.idleP50Ratio && idle.ratioP99 <= TARGETS.idleP99Ratio,
        }
      : skipped('latency-idle', idleDescription),
  );
  const loadDescription = `N=10 at the offered load: p99 ≤ ${TARGETS.loadP99Ratio}× floor p99, nothing dropped`;
  targets.push(
    loaded
      ? {
          id: 'latency-load',
          description: loadDescription,
          measured:
            `${loaded.offeredPerSecond ?? '?'}/s over ${loaded.conversations} conversations: p99 ${loaded.project.p99.toFixed(1)} ms = ` +
            `${loaded.ratioP99.toFixed(2)}× floor ${loaded.floor.total.p99.toFixed(1)} ms; dropped ${loaded.counts.dropped}`,
          pass: loaded.ratioP99 <= TARGETS.loadP99Ratio && loaded.counts.dropped === 0,
        }
      : skipped('latency-load', loadDescription),
  );
  const deliveryDescription = 'every latency run: nothing dropped, duplicated or out of seq order';
  if (latency.length === 0) targets.push(skipped('delivery', deliveryDescription));
  else {
    // The attributed blocks' messages are checked as well: they are messages like any other.
    const runs = latency.flatMap((cell) => [
      { label: `N=${cell.participants} ${cell.mode}`, counts: cell.counts },
      { label: `N=${cell.participants} ${cell.mode} (attributed)`, counts: cell.attributed.counts },
    ]);
    const bad = runs.filter(({ counts }) => counts.dropped + counts.duplicated + counts.outOfOrder > 0);
    targets.push({
      id: 'delivery',
      description: deliveryDescription,
      measured:
        bad.length === 0
          ? `${runs.reduce((total, run) => total + run.counts.sent, 0)} messages, all delivered once and in order`
          : bad
              .map(({ label, counts }) => `${label}: dropped ${counts.dropped}, duplicated ${counts.duplicated}, out of order ${counts.outOfOrder}`)
              .join('; '),
      pass: bad.length === 0,
    });
  }

  const cost = results.cost ?? [];
  const human = cost.filter((row) => HUMAN_SCENARIOS.has(row.scenario));
  const costDescription =
    `human message: ≤ ${TARGETS.maxDynamoDbRequestsPerHumanMessage} DynamoDB requests, ≤ ${TARGETS.maxWriteUnitsPerHumanMessage} billed WRU, ` +
    'one post per live recipient';
  if (human.length === 0) targets.push(skipped('cost-human', costDescription));
  else {
    const measurements = human.flatMap((row) => row.bySize.map((size) => ({ row, usage: size.usage })));
    const failing = measurements.filter(
      ({ row, usage }) =>
        usage.dynamoDbRequests > TARGETS.maxDynamoDbRequestsPerHumanMessage ||
        usage.writeUnits > TARGETS.maxWriteUnitsPerHumanMessage ||
        usage.posts !== row.participants,
    );
    const worst = (pick: (usage: (typeof measurements)[number]['usage']) => number) => Math.max(...measurements.map(({ usage }) => pick(usage)));
    targets.push({
      id: 'cost-human',
      description: costDescription,
      measured:
        `at most ${worst((usage) => usage.dynamoDbRequests)} requests and ${worst((usage) => usage.writeUnits)} WRU; posts = N in ` +
        `${measurements.length - failing.length}/${measurements.length} measurements`,
      pass: failing.length === 0,
    });
  }
  const growthDescription = 'cost per message identical with 0, 1,000 and 10,000 other connections';
  if (cost.length === 0) targets.push(skipped('cost-growth', growthDescription));
  else {
    const differing = cost.filter((row) => !row.growth.identical);
    targets.push({
      id: 'cost-growth',
      description: growthDescription,
      measured:
        differing.length === 0
          ? `${cost.length} scenario × N rows, every counted figure identical at every size`
          : differing.map((row) => `${row.scenario} N=${row.participants}: ${row.growth.differences.join('; ')}`).join(' | '),
      pass: differing.length === 0,
    });
  }

  const bundles = results.coldStart?.bundles ?? [];
  const bundleDescription = `each handler bundle ≤ ${TARGETS.maxBundleOverFloorBytes / 1024} KB above its SDK floor`;
  const initDescription = `module initialisation < ${TARGETS.maxInitMs} ms (median, as deployed with --enable-source-maps)`;
  if (bundles.length === 0) {
    targets.push(skipped('bundle-size', bundleDescription), skipped('init-time', initDescription));
  } else {
    targets.push({
      id: 'bundle-size',
      description: bundleDescription,
      measured: bundles.map((bundle) => `${bundle.entry} +${(bundle.overFloorBytes / 1024).toFixed(1)} KB`).join(', '),
      pass: bundles.every((bundle) => bundle.overFloorBytes <= TARGETS.maxBundleOverFloorBytes),
    });
    targets.push({
      id: 'init-time',
      description: initDescription,
      measured: bundles.map((bundle) => `${bundle.entry} ${bundle.init.medianMs.toFixed(0)} ms`).join(', '),
      pass: bundles.every((bundle) => bundle.init.medianMs < TARGETS.maxInitMs),
    });
  }
  return targets;
}

/** The exit status: 1 when cost grows with system size (always), or any target missed with `strict`. */
export function exitStatus(targets: readonly TargetResult[], strict: boolean): { code: number; reasons: string[] } {
  const growth = targets.find((target) => target.id === 'cost-growth');
  const reasons: string[] = [];
  if (growth && !growth.pass && !growth.skipped) reasons.push(`cost per message differs with system size: ${growth.measured}`);
  if (strict) {
    for (const target of targets) {
      if (!target.pass && !target.skipped && target.id !== 'cost-growth') reasons.push(`${target.id}: ${target.measured}`);
    }
  }
  return { code: reasons.length > 0 ? 1 : 0, reasons };
}
