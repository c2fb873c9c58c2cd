/**
 * Runs in a worker thread (`handler-thread.ts`): the `$default` Lambda as its entry builds it
 * (`createDefaultRoute`), on clients of its own, answering the invocations the gateway's thread
 * hands over. Warnings and errors go back to be counted; info lines are formatted and dropped.
 * While watched, it times its DynamoDB calls (a bare timer: no attribution) and its own pauses.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parentPort, workerData } from 'node:worker_threads';
import { createManagementApiClient } from '../lambdas/adapters/management-api/management-client';
import { defaultHandler } from '../lambdas/handlers/websocket-default';
import type { ConsumerConfig } from '../lambdas/runtime/backend-adapters';
import { createLogger } from '../lambdas/runtime/logger';
import { createDefaultRoute } from '../lambdas/runtime/route-apps';
import type { HandlerThreadData, ToHandlerThread, WatchedCall } from './handler-thread';
import { commandName, errorName } from './instrumentation';
import { summarizePauses, watchPauses, type PauseSummary } from './pauses';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const port = parentPort!;
const data = workerData as HandlerThreadData;
const clientConfig = { region: data.region, credentials: data.credentials };
const config: ConsumerConfig = data.config;
const log = createLogger({
  level: 'info',
  write: (line) => {
    if (!line.startsWith('{"level":"info"') && !line.startsWith('{"level":"debug"')) port.postMessage({ log: line });
  },
});

let watched: { calls: WatchedCall[]; stopPauses: () => PauseSummary } | undefined;
const epochNow = () => performance.timeOrigin + performance.now();
const dynamoDb = new DynamoDBClient({ ...clientConfig, endpoint: data.dynamoDbEndpoint });
dynamoDb.middlewareStack.add(
  (next, context) => async (args) => {
    const calls = watched?.calls;
    if (!calls) return next(args);
    const call: WatchedCall = { command: commandName(context), startedAt: epochNow(), endedAt: 0 };
    try {
      return await next(args);
    } catch (error) {
      call.failed = errorName(error);
      throw error;
    } finally {
      call.endedAt = epochNow();
      calls.push(call);
    }
  },
  { step: 'initialize', name: 'benchWatchTimer' },
);

const handle = defaultHandler(
  createDefaultRoute(config, {
    dynamoDb,
    sqs: new SQSClient({ ...clientConfig, endpoint: data.sqsEndpoint }),
    managementApi: createManagementApiClient(config.managementApiEndpoint, clientConfig),
  }, log),
);

port.on('message', (message: ToHandlerThread) => {
  if ('watch' in message) {
    if (message.watch === 'start') {
      watched = { calls: [], stopPauses: watchPauses() };
      port.postMessage({ id: message.id, result: undefined });
    } else {
      const done = watched;
      watched = undefined;
      port.postMessage({ id: message.id, watched: { pauses: done ? done.stopPauses() : summarizePauses(0, 0, []), calls: done?.calls ?? [] } });
    }
    return;
  }
  handle(message.event).then(
    (result) => port.postMessage({ id: message.id, result }),
    (error: unknown) => port.postMessage({ id: message.id, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  );
});
port.postMessage({ ready: true });
