/**
 * The `$default` handler in a worker thread of its own (`handler-worker.ts`), as Lambda runs a
 * route apart from API Gateway: the benchmark's main thread keeps the gateway and the clients,
 * and a message's handler work (its SDK calls, the posts' signing) no longer queues behind them.
 * Only the measured blocks use it: the recorder's middleware lives on the main thread's clients,
 * so the cost phase and the attributed blocks run the handler there.
 */
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import type { Logger } from '../lambdas/core/ports';
import type { ConsumerConfig } from '../lambdas/runtime/backend-adapters';

export interface HandlerThreadData {
  config: ConsumerConfig;
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

export interface ToHandlerThread {
  id: number;
  event: unknown;
}

type FromHandlerThread = { id: number; result: unknown } | { id: number; error: string } | { log: string };

const WORKER_ENTRY = join(__dirname, 'handler-worker.ts');

export class HandlerThread {
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 1;

  private constructor(private readonly worker: Worker) {}

  /** Starts the worker; `log` gets its warnings and errors (each a formatted line). */
  static start(data: HandlerThreadData, log: Logger): HandlerThread {
    // The worker loads TypeScript as the benchmark itself does (tsx).
    const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(WORKER_ENTRY)});`, { eval: true, workerData: data });
    const thread = new HandlerThread(worker);
    worker.on('message', (message: FromHandlerThread) => {
      if ('log' in message) {
        const { level, message: text, ...fields } = JSON.parse(message.log) as { level: string; message: string };
        (level === 'error' ? log.error : log.warn)(text, fields);
        return;
      }
      const waiting = thread.pending.get(message.id);
      thread.pending.delete(message.id);
      if ('error' in message) waiting?.reject(new Error(`$default in the handler thread failed: ${message.error}`));
      else waiting?.resolve(message.result);
    });
    worker.on('error', (error) => {
      for (const waiting of thread.pending.values()) waiting.reject(error);
      thread.pending.clear();
    });
    return thread;
  }

  /** One `$default` invocation: the event goes over, the handler's result comes back. */
  invoke<T>(event: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, event } satisfies ToHandlerThread);
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
