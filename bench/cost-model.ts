/**
 * Turns what one message made the system do into dollars per million messages (prices from
 * `prices.ts`), and checks that none of it grows with the size of the system. Pure functions,
 * unit-tested in `test/bench/cost-model.test.ts`.
 */
import { PRICES, type Prices } from './prices';

/** What one message costs in billable units, averaged over the measured messages. */
export interface MessageUsage {
  dynamoDbRequests: number;
  /** Billed by the real rules (`billing.ts`). */
  readUnits: number;
  writeUnits: number;
  /** What DynamoDB Local reported in `ConsumedCapacity` (under-reports transactions). */
  reportedCapacityUnits: number;
  /** `PostToConnection` calls. */
  posts: number;
  /** Metered WebSocket messages: the client's frame in, and every post out (32 KB increments). */
  apiGatewayMessages: number;
  lambdaInvocations: number;
  /** SQS requests (64 KB chunks) of the backend: Lambdas' sends and the replies queue's event source. */
  sqsBackendRequests: number;
  /** SQS requests of the bots (the manager and queue bots): receives that got a message, deletes, replies. */
  sqsBotRequests: number;
  /** Connection minutes charged to this message (see `CONNECTION_MINUTES_PER_HUMAN_MESSAGE`). */
  connectionMinutes: number;
  /** Billed Lambda milliseconds (each invocation rounded up to 1 ms); timing, not a count. */
  lambdaBilledMs: number;
}

/** The figures that are counts: they must not change with the number of other connections. */
export const COUNTED_FIGURES = [
  'dynamoDbRequests',
  'readUnits',
  'writeUnits',
  'reportedCapacityUnits',
  'posts',
  'apiGatewayMessages',
  'lambdaInvocations',
  'sqsBackendRequests',
  'sqsBotRequests',
] as const satisfies ReadonlyArray<keyof MessageUsage>;

export type CountedFigure = (typeof COUNTED_FIGURES)[number];

/**
 * Connection minutes are paid while a participant is connected, whether it sends or not. The model
 * assumes each connected person sends one message a minute, so each human message carries one
 * connection minute (whatever the conversation's size). Bot answers carry none: the humans'
 * minutes are charged to their own messages, and queue bots hold no connection.
 */
export const CONNECTION_MINUTES_PER_HUMAN_MESSAGE = 1;

export interface DollarBreakdown {
  apiGatewayMessages: number;
  connectionMinutes: number;
  lambdaRequests: number;
  lambdaDuration: number;
  dynamoDbReads: number;
  dynamoDbWrites: number;
  sqs: number;
  total: number;
}

const MILLION = 1_000_000;
const MB_PER_GB = 1024;
const MS_PER_SECOND = 1000;

/** GB-seconds of `billedMs` at `memoryMb`. */
export function gbSeconds(billedMs: number, memoryMb: number): number {
  return (billedMs / MS_PER_SECOND) * (memoryMb / MB_PER_GB);
}

/** Lambda bills each invocation's duration rounded up to its granularity (1 ms). */
export function billedMilliseconds(durationsMs: readonly number[], prices: Prices = PRICES): number {
  const step = prices.lambda.billingGranularityMs;
  return durationsMs.reduce((total, ms) => total + Math.max(step, Math.ceil(ms / step) * step), 0);
}

/** API Gateway WebSocket messages billed for one payload: one per started 32 KB. */
export function meteredWebSocketMessages(bytes: number, prices: Prices = PRICES): number {
  return Math.max(1, Math.ceil(bytes / prices.apiGatewayWebSocket.messageIncrementBytes));
}

/** SQS requests billed for one request carrying `bytes` of payload: one per started 64 KB. */
export function meteredSqsRequests(bytes: number, prices: Prices = PRICES): number {
  return Math.max(1, Math.ceil(bytes / prices.sqsFifo.requestChunkBytes));
}

/** Dollars per million messages like the one measured, per service and in total. */
export function dollarsPerMillionMessages(usage: MessageUsage, memoryMb: number, prices: Prices = PRICES): DollarBreakdown {
  const parts = {
    apiGatewayMessages: usage.apiGatewayMessages * prices.apiGatewayWebSocket.perMillionMessages,
    connectionMinutes: usage.connectionMinutes * prices.apiGatewayWebSocket.perMillionConnectionMinutes,
    lambdaRequests: usage.lambdaInvocations * prices.lambda.perMillionRequests,
    lambdaDuration: gbSeconds(usage.lambdaBilledMs, memoryMb) * prices.lambda.perGbSecondArm64 * MILLION,
    dynamoDbReads: usage.readUnits * prices.dynamoDbOnDemand.perMillionReadRequestUnits,
    dynamoDbWrites: usage.writeUnits * prices.dynamoDbOnDemand.perMillionWriteRequestUnits,
    sqs: (usage.sqsBackendRequests + usage.sqsBotRequests) * prices.sqsFifo.perMillionRequests,
  };
  const total = Object.values(parts).reduce((sum, value) => sum + value, 0);
  return { ...parts, total };
}

/** The largest part of a breakdown, e.g. `apiGatewayMessages`. */
export function dominantCost(breakdown: DollarBreakdown): keyof Omit<DollarBreakdown, 'total'> {
  const entries = Object.entries(breakdown).filter(([name]) => name !== 'total') as Array<
    [keyof Omit<DollarBreakdown, 'total'>, number]
  >;
  return entries.reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
}

export interface SizedFigures {
  /** Other connections open in other conversations. */
  otherConnections: number;
  figures: Pick<MessageUsage, CountedFigure>;
}

export interface GrowthCheck {
  identical: boolean;
  /** e.g. `posts: 10 at 0 other connections, 11 at 10000`. */
  differences: string[];
  /** Some figure is larger at a bigger system size than at the smallest one. */
  grew: boolean;
}

/** Compares every counted figure at each system size with the smallest system's. */
export function checkGrowth(measurements: readonly SizedFigures[]): GrowthCheck {
  const sorted = [...measurements].sort((a, b) => a.otherConnections - b.otherConnections);
  const base = sorted[0];
  const differences: string[] = [];
  let grew = false;
  if (!base) return { identical: true, differences, grew };
  for (const measurement of sorted.slice(1)) {
    for (const figure of COUNTED_FIGURES) {
      const before = base.figures[figure];
      const after = measurement.figures[figure];
      if (!sameFigure(before, after)) {
        differences.push(
          `${figure}: ${formatFigure(before)} at ${base.otherConnections} other connections, ` +
            `${formatFigure(after)} at ${measurement.otherConnections}`,
        );
        if (after > before) grew = true;
      }
    }
  }
  return { identical: differences.length === 0, differences, grew };
}

/** Averages over repeated messages may carry float noise; counts are compared to 1e-9. */
function sameFigure(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

function formatFigure(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}
