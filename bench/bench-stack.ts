/**
 * The local stack of `local/stack.ts` (`startLocalStack`), with the benchmark's instruments: the
 * handlers' clients and the replies queue's event source carry the recorder's middleware, and each
 * handler runs inside `recorder.invoke`. No HTTP API server (the benchmark calls the lifecycle
 * directly to set conversations up) and no bot invitations (its bots are queue bots it drives).
 * The gateway skips `$disconnect` (`disconnectDropRate: 1`), so closing thousands of benchmark
 * sockets at the end does not run thousands of `$disconnect` fan-outs; several stacks may share
 * one table (`tableName`).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { BotsConfig } from '../lambdas/core/bots-config';
import type { BotInviter } from '../lambdas/core/conversation-lifecycle';
import type { Logger } from '../lambdas/core/ports';
import type { App } from '../lambdas/runtime/app';
import type { WebSocketGateway } from '../local/gateway';
import { LOCAL_CREDENTIALS, LOCAL_REGION, startLocalStack, type HandlerInvocation } from '../local/stack';
import { HandlerThread } from './handler-thread';
import { instrumentDynamoDb, instrumentManagementApi, instrumentSqs, ItemSizeLookup, type Recorder } from './instrumentation';

export interface BenchStackOptions {
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  /** Queue names start with it. */
  queuePrefix: string;
  bots: BotsConfig;
  recorder: Recorder;
  log: Logger;
  /**
   * Run `$default` in a worker thread of its own whenever the recorder's attribution is off (the
   * measured latency and throughput blocks): `handler-thread.ts`.
   */
  handlerThread?: boolean;
}

export interface BenchStack {
  app: App;
  gateway: WebSocketGateway;
  tableName: string;
  botQueueUrls: Record<string, string>;
  repliesQueueUrl: string;
  /** Uninstrumented clients for setting things up and for the bots' side (instrumented as `bots`). */
  setupDynamoDb: DynamoDBClient;
  botsSqs: SQSClient;
  /** Where `$default` runs in the measured blocks, when not on this thread (`handlerThread`). */
  handlerThread?: HandlerThread;
  stop(): Promise<void>;
}

/** The benchmark has no bot to invite: its bots are queue bots it drives itself. */
const NO_INVITATIONS: BotInviter = { invite: async () => undefined };
const LOCAL_ID_PATTERN = /"local_id"\s*:\s*"([^"\\]{1,64})"/;

/** The benchmark frame's `local_id`, for `$default`: ties the invocation to the message it carries. */
function localIdOf(invocation: HandlerInvocation): string | undefined {
  return invocation.route === 'default' ? LOCAL_ID_PATTERN.exec(invocation.event.body ?? '')?.[1] : undefined;
}

/** Starts one instrumented stack on a running DynamoDB Local and SQS server. */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const { recorder } = options;
  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const setupDynamoDb = new DynamoDBClient({ ...clientConfig, endpoint: options.dynamoDbEndpoint });
  const botsSqs = new SQSClient({ ...clientConfig, endpoint: options.sqsEndpoint });
  instrumentSqs(botsSqs, recorder, 'bots');
  const sizes = new ItemSizeLookup(setupDynamoDb);

  let thread: HandlerThread | undefined;
  const stack = await startLocalStack({
    dynamoDbEndpoint: options.dynamoDbEndpoint,
    sqsEndpoint: options.sqsEndpoint,
    prefix: options.queuePrefix,
    tableName: options.tableName,
    bots: options.bots,
    openRooms: true,
    log: options.log,
    inviter: NO_INVITATIONS,
    httpApi: false,
    gateway: { disconnectDropRate: 1 },
    instrument: {
      dynamoDb: (client) => instrumentDynamoDb(client, recorder, 'backend', sizes),
      sqs: (client, user) => instrumentSqs(client, recorder, user === 'handlers' ? 'backend' : 'event-source'),
      managementApi: (client) => instrumentManagementApi(client, recorder, 'backend'),
    },
    wrapHandler: (invocation, run) => {
      if (invocation.route === 'http-api') return run();
      const inThread = invocation.route === 'default' && thread && !recorder.attributes ? thread : undefined;
      return recorder.invoke(invocation.route, localIdOf(invocation), inThread ? () => inThread.invoke(invocation.event) : run);
    },
  });
  const { tableName, managementApiEndpoint, botQueueUrls } = stack.app.config;
  thread = options.handlerThread
    ? await HandlerThread.start(
        {
          config: { tableName, managementApiEndpoint, botQueueUrls },
          dynamoDbEndpoint: options.dynamoDbEndpoint,
          sqsEndpoint: options.sqsEndpoint,
          region: LOCAL_REGION,
          credentials: LOCAL_CREDENTIALS,
        },
        options.log,
      )
    : undefined;

  return {
    app: stack.app,
    gateway: stack.gateway,
    tableName: stack.tableName,
    botQueueUrls: stack.botQueueUrls,
    repliesQueueUrl: stack.repliesQueueUrl,
    setupDynamoDb,
    botsSqs,
    handlerThread: thread,
    async stop() {
      await thread?.stop();
      await stack.stop();
      setupDynamoDb.destroy();
      botsSqs.destroy();
    },
  };
}
