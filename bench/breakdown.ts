/**
 * Where a message's time goes, from the timers inside the handlers (`instrumentation.ts`): the
 * gateway (client send → handler start), the handler, each DynamoDB call, the posts and the SQS
 * sends. Pure, unit-tested in `test/bench/breakdown.test.ts`.
 */
import type { CallRecord, InvocationRecord } from './instrumentation';
import { mean, median } from './stats';

export interface CallShare {
  /** Calls per message. */
  calls: number;
  /** Mean ms per message spent in these calls (summed within a message). */
  ms: number;
  /** Median of that per-message time. */
  medianMs: number;
}

export interface TimeBreakdown {
  /** `$default` invocations of benchmark messages. */
  messages: number;
  /** Client send → handler start: the local gateway's share (mean, median). */
  gatewayMs: number;
  gatewayMedianMs: number;
  /** Handler start → end (mean, median). */
  handlerMs: number;
  handlerMedianMs: number;
  /** Per DynamoDB command, e.g. `GetItem`, `Query`, `TransactWriteItems`. */
  dynamoDb: Record<string, CallShare>;
  /** PostToConnection: calls per message, and first post start → last post end (mean ms). */
  posts: CallShare;
  /** Mean ms of one post. */
  postMs: number;
  sqs: CallShare;
  /** Handler time outside those calls (CPU, awaiting between calls). */
  otherMs: number;
}

/** Per command: mean and median ms of single calls (e.g. the floor's Query and TransactWriteItems). */
export function callDurations(calls: readonly CallRecord[]): Record<string, { calls: number; meanMs: number; medianMs: number }> {
  const byCommand = new Map<string, number[]>();
  for (const call of calls) {
    const durations = byCommand.get(call.command) ?? [];
    durations.push(call.endedAt - call.startedAt);
    byCommand.set(call.command, durations);
  }
  return Object.fromEntries(
    [...byCommand].map(([command, durations]) => [command, { calls: durations.length, meanMs: mean(durations), medianMs: median(durations) }]),
  );
}

export function timeBreakdown(invocations: readonly InvocationRecord[]): TimeBreakdown {
  const measured = invocations
    .filter((invocation) => invocation.route === 'default' && invocation.clientSentAt !== undefined && invocation.endedAt !== undefined)
    .map((invocation) => ({ ...invocation, calls: invocation.calls.map(fromRelease) }));
  const gateway = measured.map((invocation) => invocation.startedAt - invocation.clientSentAt!);
  const handler = measured.map((invocation) => invocation.endedAt! - invocation.startedAt - invocation.overheadMs);
  const dynamoDbCommands = new Set(
    measured.flatMap((invocation) => invocation.calls.filter((call) => call.service === 'dynamodb').map((call) => call.command)),
  );
  const dynamoDb: Record<string, CallShare> = {};
  for (const command of [...dynamoDbCommands].sort()) {
    dynamoDb[command] = share(measured, (call) => call.service === 'dynamodb' && call.command === command, 'sum');
  }
  const posts = share(measured, (call) => call.service === 'apigw' && call.command === 'PostToConnection', 'span');
  const allPosts = measured.flatMap((invocation) => invocation.calls.filter((call) => call.command === 'PostToConnection'));
  const sqs = share(measured, (call) => call.service === 'sqs', 'span');
  const dynamoDbMs = Object.values(dynamoDb).reduce((total, entry) => total + entry.ms, 0);
  const handlerMs = mean(handler);
  return {
    messages: measured.length,
    gatewayMs: mean(gateway),
    gatewayMedianMs: median(gateway),
    handlerMs,
    handlerMedianMs: median(handler),
    dynamoDb,
    posts,
    postMs: mean(allPosts.map((call) => call.endedAt - call.startedAt)),
    sqs,
    // Posts and SQS sends run side by side: the longer of the two is on the path.
    otherMs: handlerMs - dynamoDbMs - Math.max(posts.ms, sqs.ms),
  };
}

/**
 * A post made ready while its message's commit was in flight (`prepareMany`) counts from when
 * the commit let it go: the time before is the commit's, already counted there.
 */
function fromRelease(call: CallRecord): CallRecord {
  return call.releasedAt === undefined ? call : { ...call, startedAt: call.releasedAt };
}

/** Calls per message and mean ms per message, summed ('sum') or from first start to last end ('span'). */
function share(invocations: readonly InvocationRecord[], select: (call: CallRecord) => boolean, mode: 'sum' | 'span'): CallShare {
  if (invocations.length === 0) return { calls: NaN, ms: NaN, medianMs: NaN };
  let calls = 0;
  const perMessage: number[] = [];
  for (const invocation of invocations) {
    const selected = invocation.calls.filter(select);
    calls += selected.length;
    if (selected.length === 0) {
      perMessage.push(0);
      continue;
    }
    perMessage.push(
      mode === 'sum'
        ? selected.reduce((total, call) => total + (call.endedAt - call.startedAt), 0)
        : Math.max(...selected.map((call) => call.endedAt)) - Math.min(...selected.map((call) => call.startedAt)),
    );
  }
  return { calls: calls / invocations.length, ms: mean(perMessage), medianMs: median(perMessage) };
}
