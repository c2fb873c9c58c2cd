import { randomBytes, randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * The `context` handed to in-process handlers. It is a full `Context` so handlers typed against
 * `aws-lambda` accept it; the deprecated callback methods throw because handlers here must return promises.
 */
export type LambdaContextLike = Context;

/** Where a handler's invocation ended. `aborted` means the gateway shut down first. */
export type InvocationOutcome<T> =
  | { status: 'returned'; value: T }
  | { status: 'threw'; error: unknown }
  | { status: 'timed-out' }
  | { status: 'aborted' };

export interface InvocationOptions {
  /** Shown as `context.functionName`, e.g. `local-connect`. */
  functionName: string;
  /** The integration timeout: past it the gateway stops waiting (the handler itself cannot be stopped in-process). */
  timeoutMs: number;
  signal?: AbortSignal;
}

const LOCAL_REGION = 'us-east-1';
const LOCAL_ACCOUNT_ID = '123456789012';
const MEMORY_LIMIT_MB = '128';
const LOG_STREAM_RANDOM_BYTES = 16;

export function createLambdaContext(functionName: string, deadlineMs: number): LambdaContextLike {
  const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is not supported by the local gateway: return a promise instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${functionName}`,
    memoryLimitInMB: MEMORY_LIMIT_MB,
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(LOG_STREAM_RANDOM_BYTES).toString('hex')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}

/**
 * Runs one handler like a Lambda invocation behind API Gateway: a fresh context, a throw captured rather
 * than propagated, and a deadline after which the gateway treats the integration as timed out.
 */
export function invokeLambda<E, R>(
  handler: (event: E, context: LambdaContextLike) => R | Promise<R>,
  event: E,
  options: InvocationOptions,
): Promise<InvocationOutcome<R>> {
  const { signal } = options;
  if (signal?.aborted) return Promise.resolve({ status: 'aborted' });
  const context = createLambdaContext(options.functionName, Date.now() + options.timeoutMs);
  return new Promise<InvocationOutcome<R>>((resolve) => {
    let settled = false;
    const finish = (outcome: InvocationOutcome<R>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(outcome);
    };
    const onAbort = () => finish({ status: 'aborted' });
    const timer = setTimeout(() => finish({ status: 'timed-out' }), options.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    // `new Promise` turns a synchronous throw into a rejection too.
    new Promise<R>((run) => run(handler(event, context))).then(
      (value) => finish({ status: 'returned', value }),
      (error: unknown) => finish({ status: 'threw', error }),
    );
  });
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
