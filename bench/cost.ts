/**
 * Cost per message: what one message makes the system do (DynamoDB requests and billed units,
 * management API posts, SQS requests on each side, Lambda invocations), measured one message at a
 * time in conversations of N humans, with 0, 1,000 and 10,000 other connections open in other
 * conversations. The counts must be the same at every system size.
 *
 * Scenarios:
 * - `human`: a human's message in a conversation of humans (no bot manager): `$default` only.
 * - `human-with-manager`: the same under the bot manager (it also goes to the manager's queue).
 * - `manager-routing`: the manager takes that message and redirects it to the Calculator
 *   (replies queue → replies Lambda → the Calculator's queue), and takes back its own echo.
 * - `bot-answer`: the Calculator answers; the manager approves the answer; the humans get it.
 */
import type { BenchStack } from './bench-stack';
import {
  billedMilliseconds,
  checkGrowth,
  CONNECTION_MINUTES_PER_HUMAN_MESSAGE,
  COUNTED_FIGURES,
  dollarsPerMillionMessages,
  type DollarBreakdown,
  type GrowthCheck,
  type MessageUsage,
} from './cost-model';
import type { Recorder, RecordingWindow } from './instrumentation';
import { within } from './load';
import { OtherConnections } from './other-connections';
import type { Progress } from './progress';
import { openConversation, sendFrom, type Harness, type ProjectRoom } from './rooms';
import { ScriptedQueueBot } from './scripted-bots';
import { median } from './stats';

export const COST_SCENARIOS = ['human', 'human-with-manager', 'manager-routing', 'bot-answer'] as const;
export type CostScenario = (typeof COST_SCENARIOS)[number];

export interface CostOptions {
  participants: readonly number[];
  otherConnections: readonly number[];
  /** How many of the other connections are real sockets. */
  realOtherConnections: number;
  /** Messages measured per scenario, size and N (they must agree). */
  repeats: number;
  /** Lambda memory, for GB-seconds. */
  lambdaMemoryMb: number;
}

export interface CostMeasurement {
  otherConnections: number;
  /** Of which real sockets. */
  realOtherConnections: number;
  usage: MessageUsage;
  /** Every repeat gave the same counts. */
  stable: boolean;
  /** Receives that returned nothing (long-poll wake-ups): a cost of time, not of messages. */
  emptyReceives: number;
  /** Handler durations of the message's invocations (ms, sum per message). */
  handlerMs: number;
  /** Requests per message by side and command, e.g. `backend dynamodb GetItem: 1` (first repeat). */
  calls: Record<string, number>;
}

export interface CostRow {
  scenario: CostScenario;
  participants: number;
  bySize: CostMeasurement[];
  growth: GrowthCheck;
  /** Dollars per million messages, from the counts and the median billed Lambda time over the sizes. */
  dollars: DollarBreakdown;
}

export interface CostContext {
  chat: BenchStack;
  bots: BenchStack;
  harness: Harness;
  recorder: Recorder;
  progress: Progress;
}

/** The arithmetic question the routing manager sends to the Calculator. */
const QUESTION = '2+3*4';
const WAIT_MS = 15_000;

export async function measureCost(context: CostContext, options: CostOptions): Promise<CostRow[]> {
  const { harness, recorder, progress } = context;
  progress(`cost: opening conversations of ${options.participants.join(', ')} humans, with and without the bot manager`);
  const chatRooms = new Map<number, ProjectRoom>();
  const botRooms = new Map<number, ProjectRoom>();
  for (const n of options.participants) {
    chatRooms.set(n, await openConversation(context.chat, n, harness, { label: `cost-chat-N${n}` }));
    botRooms.set(n, await openConversation(context.bots, n, harness, { label: `cost-bots-N${n}`, bots: ['Calculator'] }));
  }
  const { botsSqs, botQueueUrls, repliesQueueUrl } = context.bots;
  const manager = ScriptedQueueBot.manager(botsSqs, botQueueUrls.Manager!, repliesQueueUrl);
  const calculator = ScriptedQueueBot.calculator(botsSqs, botQueueUrls.Calculator!, repliesQueueUrl);
  const drained = (await manager.drain()) + (await calculator.drain());
  progress(`cost: bots took ${drained} set-up deliveries off their queues`);

  const others = new OtherConnections(context.chat, harness, options.realOtherConnections);
  const samples = new Map<string, Array<{ size: number; real: number; windows: WindowUsage[] }>>();
  const add = (scenario: CostScenario, n: number, size: number, window: WindowUsage) => {
    const key = `${scenario}:${n}`;
    const bySize = samples.get(key) ?? [];
    let entry = bySize.find((candidate) => candidate.size === size);
    if (!entry) {
      entry = { size, real: others.real, windows: [] };
      bySize.push(entry);
    }
    entry.windows.push(window);
    samples.set(key, bySize);
  };

  recorder.meteringCost = true;
  try {
    for (const size of options.otherConnections) {
      const startedAt = performance.now();
      await others.growTo(size);
      progress(
        `cost: ${others.total} other connections open (${others.real} real sockets, ${others.total - others.real} registered), ` +
          `ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`,
      );
      for (const n of options.participants) {
        for (let repeat = 0; repeat < options.repeats; repeat++) {
          add('human', n, size, await humanMessage(context, chatRooms.get(n)!));
          const cycle = await botCycle(context, botRooms.get(n)!, manager, calculator);
          add('human-with-manager', n, size, cycle.human);
          add('manager-routing', n, size, cycle.routing);
          add('bot-answer', n, size, cycle.answer);
        }
      }
    }
  } finally {
    recorder.meteringCost = false;
  }

  const rows: CostRow[] = [];
  for (const scenario of COST_SCENARIOS) {
    for (const n of options.participants) {
      const bySize: CostMeasurement[] = (samples.get(`${scenario}:${n}`) ?? []).map((entry) => ({
        otherConnections: entry.size,
        realOtherConnections: entry.real,
        usage: averageUsage(entry.windows.map((window) => window.usage)),
        stable: entry.windows.every((window) => sameCounts(window.usage, entry.windows[0]!.usage)),
        emptyReceives: entry.windows.reduce((total, window) => total + window.empty, 0) / entry.windows.length,
        handlerMs: median(entry.windows.map((window) => window.handlerMs)),
        calls: entry.windows[0]!.calls,
      }));
      const growth = checkGrowth(bySize.map((measurement) => ({ otherConnections: measurement.otherConnections, figures: measurement.usage })));
      const base = bySize[0]!.usage;
      const lambdaBilledMs = median(bySize.map((measurement) => measurement.usage.lambdaBilledMs));
      rows.push({
        scenario,
        participants: n,
        bySize,
        growth,
        dollars: dollarsPerMillionMessages({ ...base, lambdaBilledMs }, options.lambdaMemoryMb),
      });
      progress(
        `cost ${scenario} N=${n}: ${base.dynamoDbRequests} DynamoDB requests, ${base.readUnits} RRU, ${base.writeUnits} WRU, ` +
          `${base.posts} posts, SQS ${base.sqsBackendRequests} backend + ${base.sqsBotRequests} bots; ` +
          `${growth.identical ? 'same at every system size' : `DIFFERS: ${growth.differences.join('; ')}`}`,
      );
    }
  }
  return rows;
}

/** One human message in a conversation of humans: until every participant has it and `$default` ended. */
async function humanMessage(context: CostContext, room: ProjectRoom) {
  const { recorder, harness } = context;
  recorder.open();
  const target = recorder.total('invocation:default') + 1;
  await within(sendFrom(room, harness).completion, WAIT_MS);
  await harness.tracker.drained(WAIT_MS);
  await recorder.waitUntil(() => recorder.total('invocation:default') >= target, WAIT_MS, 'the $default invocation');
  return usageOf(recorder.close(), { inboundMessages: 1, connectionMinutes: CONNECTION_MINUTES_PER_HUMAN_MESSAGE });
}

/** A question to the Calculator under the bot manager, in three costed windows. */
async function botCycle(context: CostContext, room: ProjectRoom, manager: ScriptedQueueBot, calculator: ScriptedQueueBot) {
  const { recorder, harness } = context;
  const repliesHandled = (count: number) => {
    const invocations = recorder.total('invocation:replies') + count;
    const deletes = recorder.total('event-source:DeleteMessageBatch') + count;
    return () => recorder.total('invocation:replies') >= invocations && recorder.total('event-source:DeleteMessageBatch') >= deletes;
  };

  // 1. The human's message: stored, posted to the humans, sent to the manager's queue.
  recorder.open();
  const target = recorder.total('invocation:default') + 1;
  const { key } = sendFrom(room, harness, QUESTION);
  await harness.tracker.drained(WAIT_MS);
  await recorder.waitUntil(() => recorder.total('invocation:default') >= target, WAIT_MS, 'the $default invocation');
  const human = usageOf(recorder.close(), { inboundMessages: 1, connectionMinutes: CONNECTION_MINUTES_PER_HUMAN_MESSAGE });

  // 2. The manager routes it to the Calculator, and takes back the echo of its own command.
  recorder.open();
  const routedHandled = repliesHandled(1);
  const routed = await manager.step();
  expectStep(routed.delivery.message.local_id === key && routed.replies.length === 1, 'the manager to redirect the question', routed);
  await recorder.waitUntil(routedHandled, WAIT_MS, 'the replies Lambda to handle the redirect');
  const echo = await manager.step();
  expectStep(echo.delivery.message.sent_by_manager && echo.replies.length === 0, "the manager's own redirect command", echo);
  const routing = usageOf(recorder.close(), { inboundMessages: 0, connectionMinutes: 0 });

  // 3. The Calculator answers; the manager approves; the humans get the answer.
  recorder.open();
  const answerHandled = repliesHandled(1);
  const asked = await calculator.step();
  const answer = asked.replies[0];
  expectStep(asked.delivery.message.local_id === key && answer !== undefined, 'the Calculator to answer the question', asked);
  const calculatorId = asked.delivery.bot_participant_id;
  const delivered = harness.tracker.expect(answer!.local_id, calculatorId, room.participantIds, performance.now());
  await recorder.waitUntil(answerHandled, WAIT_MS, 'the replies Lambda to store the answer');
  const approvalHandled = repliesHandled(1);
  const reviewed = await manager.step();
  expectStep(reviewed.delivery.message.local_id === answer!.local_id && reviewed.replies.length === 1, 'the manager to approve the answer', reviewed);
  await recorder.waitUntil(approvalHandled, WAIT_MS, 'the replies Lambda to approve the answer');
  await within(delivered, WAIT_MS);
  await harness.tracker.drained(WAIT_MS);
  for (let i = 0; i < 2; i++) {
    // Its own approve command, then the approved answer: the manager sees every message.
    const seen = await manager.step();
    expectStep(seen.replies.length === 0, 'the manager to take its echoes without answering', seen);
  }
  const answered = usageOf(recorder.close(), { inboundMessages: 0, connectionMinutes: 0 });
  return { human, routing, answer: answered };
}

function expectStep(condition: boolean, what: string, step: unknown): void {
  if (!condition) throw new Error(`cost benchmark expected ${what}; got ${JSON.stringify(step).slice(0, 1000)}`);
}

interface WindowUsage {
  usage: MessageUsage;
  empty: number;
  handlerMs: number;
  calls: Record<string, number>;
}

/** What one costed window made the system do. */
export function usageOf(window: RecordingWindow, extra: { inboundMessages: number; connectionMinutes: number }): WindowUsage {
  const { calls, invocations } = window;
  const callCounts: Record<string, number> = {};
  for (const call of calls) {
    if (call.command === 'ReceiveMessage' && (call.received ?? 0) === 0) continue;
    const key = `${call.side} ${call.service} ${call.command}`;
    callCounts[key] = (callCounts[key] ?? 0) + 1;
  }
  const dynamoDb = calls.filter((call) => call.service === 'dynamodb' && call.side === 'backend');
  const posts = calls.filter((call) => call.service === 'apigw' && call.command === 'PostToConnection');
  const sqs = calls.filter((call) => call.service === 'sqs');
  const paid = sqs.filter((call) => call.command !== 'ReceiveMessage' || (call.received ?? 0) > 0);
  const durations = invocations.map((invocation) => (invocation.endedAt ?? invocation.startedAt) - invocation.startedAt - invocation.overheadMs);
  const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
  return {
    usage: {
      dynamoDbRequests: dynamoDb.length,
      readUnits: sum(dynamoDb.map((call) => call.readUnits ?? 0)),
      writeUnits: sum(dynamoDb.map((call) => call.writeUnits ?? 0)),
      reportedCapacityUnits: sum(dynamoDb.map((call) => call.reportedUnits ?? 0)),
      posts: posts.length,
      apiGatewayMessages: extra.inboundMessages + sum(posts.map((call) => call.billed ?? 1)),
      lambdaInvocations: invocations.length,
      sqsBackendRequests: sum(paid.filter((call) => call.side !== 'bots').map((call) => call.billed ?? 1)),
      sqsBotRequests: sum(paid.filter((call) => call.side === 'bots').map((call) => call.billed ?? 1)),
      connectionMinutes: extra.connectionMinutes,
      lambdaBilledMs: billedMilliseconds(durations),
    },
    empty: sqs.length - paid.length,
    handlerMs: sum(durations),
    calls: callCounts,
  };
}

function averageUsage(usages: readonly MessageUsage[]): MessageUsage {
  const result = { ...usages[0]! };
  for (const name of Object.keys(result) as Array<keyof MessageUsage>) {
    result[name] = usages.reduce((total, usage) => total + usage[name], 0) / usages.length;
  }
  return result;
}

function sameCounts(a: MessageUsage, b: MessageUsage): boolean {
  return COUNTED_FIGURES.every((figure) => Math.abs(a[figure] - b[figure]) < 1e-9);
}
