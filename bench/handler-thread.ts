/**
 * The `$default` handler in a worker thread of its own (`handler-worker.ts`), as Lambda runs a
 * route apart from API Gateway: the benchmark's main thread keeps the gateway and the clients,
 * and a message's handler work (its SDK calls, the posts' signing) no longer queues behind them.
 * Only the measured blocks use it: the recorder's middleware lives on the main thread's clients,
 * so the cost phase and the attributed blocks run the handler there. While a block is measured,
 * `watch` has the worker report its own pauses and DynamoDB calls, which the main thread cannot see.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { Logger } from '../lambdas/core/ports';
import type { ConsumerConfig } from '../lambdas/runtime/backend-adapters';
import type { PauseSummary } from './pauses';

export interface HandlerThreadData {
  config: ConsumerConfig;
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** One DynamoDB call the worker's handler made while watched; times are epoch ms (`performance.timeOrigin` based). */
export interface WatchedCall {
  command: string;
  startedAt: number;
  endedAt: number;
  /** The error's name when the call failed. */
  failed?: string;
}

/** What the worker saw between `watch` and its stop. Its pauses hold no JVM collections and no steal (NaN). */
export interface HandlerThreadWatch {
  pauses: PauseSummary;
  calls: WatchedCall[];
}

export type ToHandlerThread = { id: number; event: unknown } | { id: number; watch: 'start' | 'stop' };

type FromHandlerThread =
  | { id: number; result: unknown }
  | { id: number; error: string }
  | { id: number; watched: HandlerThreadWatch }
  | { log: string }
  | { ready: true };

const WORKER_ENTRY = join(__dirname, 'handler-worker.ts');

export class HandlerThread {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  private constructor(private readonly worker: Worker) {}

  /**
   * Starts the worker and resolves once its handler is built: loading it (tsx compiling the
   * handler's modules, the SDK) takes a few seconds of CPU that must not overlap a measured block.
   * `log` gets the worker's warnings and errors (each a formatted line).
   */
  static start(data: HandlerThreadData, log: Logger): Promise<HandlerThread> {
    // The worker loads TypeScript as the benchmark itself does (tsx).
    const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(WORKER_ENTRY)});`, { eval: true, workerData: data });
    const thread = new HandlerThread(worker);
    return new Promise<HandlerThread>((resolve, reject) => {
      worker.on('message', (message: FromHandlerThread) => {
        if ('ready' in message) return resolve(thread);
        if ('log' in message) {
          const { level, message: text, ...fields } = JSON.parse(message.log) as { level: string; message: string };
          (level === 'error' ? log.error : log.warn)(text, fields);
          return;
        }
        const waiting = thread.pending.get(message.id);
        thread.pending.delete(message.id);
        if ('error' in message) waiting?.reject(new Error(`$default in the handler thread failed: ${message.error}`));
        else if ('watched' in message) waiting?.resolve(message.watched);
        else waiting?.resolve(message.result);
      });
      worker.on('error', (error) => {
        reject(error);
        for (const waiting of thread.pending.values()) waiting.reject(error);
        thread.pending.clear();
      });
    });
  }

  /** One `$default` invocation: the event goes over, the handler's result comes back. */
  invoke<T>(event: unknown): Promise<T> {
    return this.request<T>((id) => ({ id, event }));
  }

  /** Starts watching the worker's pauses and calls; the returned function stops and collects them. */
  async watch(): Promise<() => Promise<HandlerThreadWatch>> {
    await this.request((id) => ({ id, watch: 'start' }));
    return () => this.request<HandlerThreadWatch>((id) => ({ id, watch: 'stop' }));
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private request<T>(message: (id: number) => ToHandlerThread): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage(message(id));
    });
  }
}
