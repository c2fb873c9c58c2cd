/**
 * Counting and timing without touching production code: AWS SDK middleware on the clients the
 * handlers are given (DynamoDB, SQS, the management API), and a wrapper around each handler
 * invocation. An `AsyncLocalStorage` ties every SDK call to the invocation it ran in, so the
 * benchmark knows where each handler's time goes and what each message cost.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { AsyncLocalStorage } from 'node:async_hooks';
import { TABLE_KEYS } from '../lambdas/adapters/dynamodb/table-design';
import { POST_HOLD_MIDDLEWARE } from '../lambdas/adapters/management-api/post-hold';
import { POSTS_CANCELLED } from '../lambdas/adapters/management-api/connection-poster';
import {
  billedUnits,
  itemSize,
  reportedCapacityUnits,
  transactItems,
  type TransactItemSizes,
} from './billing';
import { meteredSqsRequests, meteredWebSocketMessages } from './cost-model';

/** Who made an SDK call: the handlers, the replies queue's event source, the bots, or the floor. */
export type Side = 'backend' | 'event-source' | 'bots' | 'floor';
export type Route = 'authorizer' | 'connect' | 'default' | 'disconnect' | 'replies';
export type Service = 'dynamodb' | 'sqs' | 'apigw';

export interface CallRecord {
  service: Service;
  /** e.g. `TransactWriteItems`, `SendMessage`, `PostToConnection`. */
  command: string;
  side: Side;
  startedAt: number;
  endedAt: number;
  /** The error's name when the call failed. */
  failed?: string;
  /** DynamoDB: billed units by the real rules (`billing.ts`). */
  readUnits?: number;
  writeUnits?: number;
  /** DynamoDB: what DynamoDB Local reported (`ReturnConsumedCapacity: TOTAL`). */
  reportedUnits?: number;
  /** DynamoDB: some item sizes were unknown (taken as at most 1 KB). */
  sizesAssumed?: boolean;
  /** SQS: requests billed (64 KB chunks); management API: WebSocket messages billed (32 KB). */
  billed?: number;
  /** SQS ReceiveMessage: messages it returned. */
  received?: number;
  /** A post made ready ahead of its commit (`prepareMany`): when the hold let it go. */
  releasedAt?: number;
}

export interface InvocationRecord {
  id: number;
  route: Route;
  startedAt: number;
  endedAt?: number;
  /** The benchmark frame's `local_id`, for `$default`. */
  localId?: string;
  /** When the client sent that frame (same clock), if the benchmark sent it. */
  clientSentAt?: number;
  calls: CallRecord[];
  /** Time the benchmark itself spent inside the invocation (item size look-ups): not the handler's. */
  overheadMs: number;
  failed?: boolean;
}

/** Calls and invocations collected between `open()` and `close()`. */
export interface RecordingWindow {
  calls: CallRecord[];
  invocations: InvocationRecord[];
}

type Waiter = { check: () => boolean; resolve: () => void };

export class Recorder {
  private readonly context = new AsyncLocalStorage<InvocationRecord>();
  private window: RecordingWindow | undefined;
  private readonly totals = new Map<string, number>();
  private waiters: Waiter[] = [];
  private nextInvocationId = 1;
  /**
   * The cost phase: ask DynamoDB for `ConsumedCapacity`, look up item sizes before and after each
   * transaction (requests of its own) and compute billed units. Off elsewhere, so the latency and
   * throughput phases do not pay for it inside the handlers.
   */
  meteringCost = false;
  private attributing = true;

  /** Whether calls are tied to invocations now (`setAttribution`). */
  get attributes(): boolean {
    return this.attributing;
  }

  /**
   * Whether SDK calls are tied to the invocation they ran in. The `AsyncLocalStorage` doing it
   * hooks every promise of the process (Node 20), which slows the SDK-heavy handlers more than
   * the floor: latency is measured with it off, and the breakdown taken in blocks of its own.
   * Off, invocations are still counted and timed, but carry no calls.
   */
  setAttribution(on: boolean): void {
    this.attributing = on;
    // With no store enabled, Node removes its promise hooks; `run()` enables it again.
    if (!on) this.context.disable();
  }

  /** When the benchmark sent the frame with this `local_id` (for the gateway's share of the time). */
  sentAt: (localId: string) => number | undefined = () => undefined;

  open(): void {
    this.window = { calls: [], invocations: [] };
  }

  close(): RecordingWindow {
    const window = this.window ?? { calls: [], invocations: [] };
    this.window = undefined;
    return window;
  }

  /** How many calls of `side` + `command` (or invocations, `invocation:<route>`) ended, ever. */
  total(key: string): number {
    return this.totals.get(key) ?? 0;
  }

  record(call: CallRecord): void {
    const invocation = this.context.getStore();
    invocation?.calls.push(call);
    this.window?.calls.push(call);
    this.bump(`${call.side}:${call.command}`);
  }

  /** Adds time the benchmark spent inside the current invocation, so it is not billed to the handler. */
  addOverhead(ms: number): void {
    const invocation = this.context.getStore();
    if (invocation) invocation.overheadMs += ms;
  }

  /** Runs one handler invocation with its calls attributed to it. */
  async invoke<T>(route: Route, localId: string | undefined, run: () => Promise<T>): Promise<T> {
    const invocation: InvocationRecord = {
      id: this.nextInvocationId++,
      route,
      startedAt: performance.now(),
      calls: [],
      overheadMs: 0,
    };
    if (localId !== undefined) {
      invocation.localId = localId;
      const sentAt = this.sentAt(localId);
      if (sentAt !== undefined) invocation.clientSentAt = sentAt;
    }
    this.window?.invocations.push(invocation);
    try {
      if (!this.attributing) return await run();
      return await this.context.run(invocation, run);
    } catch (error) {
      invocation.failed = true;
      throw error;
    } finally {
      invocation.endedAt = performance.now();
      this.bump(`invocation:${route}`);
    }
  }

  /** Resolves once `check()` holds (checked after every call and invocation); rejects after `timeoutMs`. */
  async waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (check()) return;
    let timer: NodeJS.Timeout | undefined;
    let waiter: Waiter | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => {
          waiter = { check, resolve };
          this.waiters.push(waiter);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
    }
  }

  private bump(key: string): void {
    this.totals.set(key, (this.totals.get(key) ?? 0) + 1);
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((waiter) => waiter.check());
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => !ready.includes(waiter));
    for (const waiter of ready) waiter.resolve();
  }
}

/** Item commands whose `ConsumedCapacity` the cost phase asks for. */
const CAPACITY_COMMANDS = new Set(['GetItem', 'Query', 'Scan', 'PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);

export function commandName(context: { commandName?: string }): string {
  return String(context.commandName ?? 'Unknown').replace(/Command$/, '');
}

export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'Error';
}

/**
 * Sends one request and records `call` once it ended, failed or not, unless `keep` says no.
 * `measure` reads the result (billed units, messages received) after the clock stopped and before
 * the call is recorded.
 */
async function recordCall<T>(
  recorder: Recorder,
  call: CallRecord,
  send: () => Promise<T>,
  measure?: (result: T) => void | Promise<void>,
  keep: (call: CallRecord) => boolean = () => true,
): Promise<T> {
  try {
    const result = await send();
    call.endedAt = performance.now();
    await measure?.(result);
    return result;
  } catch (error) {
    if (!call.endedAt) call.endedAt = performance.now();
    call.failed = errorName(error);
    throw error;
  } finally {
    if (keep(call)) recorder.record(call);
  }
}

/**
 * Reads item sizes with a client of its own (never counted), so a transaction's Update, Delete
 * and ConditionCheck items can be billed on their real size.
 */
export class ItemSizeLookup {
  private readonly documents: DynamoDBDocumentClient;

  constructor(client: DynamoDBClient) {
    this.documents = DynamoDBDocumentClient.from(client);
  }

  async sizeOf(tableName: string, key: Record<string, unknown>): Promise<number> {
    const { Item: item } = await this.documents.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
    return itemSize(item);
  }

  /** Sizes of the items a transaction touches, as stored now (0 for an item that does not exist). */
  async transactionSizes(input: Record<string, unknown>): Promise<number[]> {
    return Promise.all(
      transactItems(input as { TransactItems?: Record<string, unknown>[] }).map((item) =>
        this.sizeOf(item.tableName, item.key ?? keyOf(item.item ?? {})),
      ),
    );
  }
}

/** The table's key attributes of an item. */
function keyOf(item: Record<string, unknown>): Record<string, unknown> {
  return { [TABLE_KEYS.partitionKey]: item[TABLE_KEYS.partitionKey], [TABLE_KEYS.sortKey]: item[TABLE_KEYS.sortKey] };
}

/**
 * Counts and times every DynamoDB request of `client` (and of document clients built on it: they
 * share its middleware stack), with billed units computed from the items it reads and writes.
 */
export function instrumentDynamoDb(
  client: DynamoDBClient,
  recorder: Recorder,
  side: Side,
  sizes?: ItemSizeLookup,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = commandName(context);
      const input = args.input as Record<string, unknown>;
      const metering = recorder.meteringCost;
      const lookup = metering && command === 'TransactWriteItems' ? sizes : undefined;
      let before: number[] | undefined;
      if (lookup) {
        const lookupStartedAt = performance.now();
        before = await lookup.transactionSizes(input);
        recorder.addOverhead(performance.now() - lookupStartedAt);
      }
      const sentInput = metering && CAPACITY_COMMANDS.has(command) ? { ...input, ReturnConsumedCapacity: 'TOTAL' } : input;
      const call: CallRecord = { service: 'dynamodb', command, side, startedAt: performance.now(), endedAt: 0 };
      if (!metering) return recordCall(recorder, call, () => next(args));
      return recordCall(
        recorder,
        call,
        () => next({ ...args, input: sentInput }),
        async (result) => {
          const output = (result.output ?? {}) as unknown as Record<string, unknown>;
          let transactSizes: TransactItemSizes[] | undefined;
          if (lookup && before) {
            const lookupStartedAt = performance.now();
            const after = await lookup.transactionSizes(input);
            recorder.addOverhead(performance.now() - lookupStartedAt);
            transactSizes = transactItems(input as { TransactItems?: Record<string, unknown>[] }).map((item, index) => ({
              action: item.action,
              beforeBytes: before[index]!,
              afterBytes: item.action === 'Put' ? itemSize(item.item) : item.action === 'Update' ? after[index]! : 0,
            }));
          }
          const units = billedUnits(command, input, output, transactSizes);
          call.readUnits = units.readUnits;
          call.writeUnits = units.writeUnits;
          if (units.sizesAssumed) call.sizesAssumed = true;
          const reported = reportedCapacityUnits(output);
          if (reported !== undefined) call.reportedUnits = reported;
        },
      );
    },
    { step: 'initialize', name: 'benchDynamoDbRecorder', priority: 'high' },
  );
}

/** Counts and times every SQS request of `client`, with billed requests (64 KB chunks). */
export function instrumentSqs(client: SQSClient, recorder: Recorder, side: Side): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = commandName(context);
      const input = args.input as Record<string, unknown>;
      const call: CallRecord = { service: 'sqs', command, side, startedAt: performance.now(), endedAt: 0 };
      call.billed = meteredSqsRequests(sqsPayloadBytes(command, input));
      return recordCall(recorder, call, () => next(args), (result) => {
        if (command === 'ReceiveMessage') {
          call.received = ((result.output as unknown as { Messages?: unknown[] }).Messages ?? []).length;
        }
      });
    },
    { step: 'initialize', name: 'benchSqsRecorder', priority: 'high' },
  );
}

const utf8 = new TextEncoder();

function sqsPayloadBytes(command: string, input: Record<string, unknown>): number {
  if (command === 'SendMessage') return utf8.encode(String(input.MessageBody ?? '')).byteLength;
  if (command === 'SendMessageBatch') {
    const entries = (input.Entries as Array<{ MessageBody?: string }> | undefined) ?? [];
    return entries.reduce((total, entry) => total + utf8.encode(entry.MessageBody ?? '').byteLength, 0);
  }
  return 0;
}

/**
 * Counts and times every management API call of `client`, with billed WebSocket messages (32 KB),
 * and notes when a held post (`post-hold.ts`) was let go.
 */
export function instrumentManagementApi(client: ApiGatewayManagementApiClient, recorder: Recorder, side: Side): void {
  // By command input: with `cacheMiddleware` every post of the client shares one context object.
  const calls = new WeakMap<object, CallRecord>();
  client.middlewareStack.addRelativeTo(
    ((next: (args: { input: object }) => Promise<unknown>) => async (args: { input: object }) => {
      const call = calls.get(args.input);
      if (call && call.releasedAt === undefined) call.releasedAt = performance.now();
      return next(args);
    }) as Parameters<ApiGatewayManagementApiClient['middlewareStack']['addRelativeTo']>[0],
    { relation: 'after', toMiddleware: POST_HOLD_MIDDLEWARE, name: 'benchPostReleased' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = commandName(context);
      const data = (args.input as { Data?: Uint8Array | string }).Data;
      const bytes = typeof data === 'string' ? utf8.encode(data).byteLength : (data?.byteLength ?? 0);
      const call: CallRecord = {
        service: 'apigw',
        command,
        side,
        startedAt: performance.now(),
        endedAt: 0,
        billed: command === 'PostToConnection' ? meteredWebSocketMessages(bytes) : 0,
      };
      calls.set(args.input as object, call);
      // A post of a cancelled fan-out (its commit lost) never left: it is neither a call nor a cost.
      return recordCall(recorder, call, () => next(args), undefined, (recorded) => recorded.failed !== POSTS_CANCELLED);
    },
    { step: 'initialize', name: 'benchManagementApiRecorder', priority: 'high' },
  );
}
