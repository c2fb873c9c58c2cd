/**
 * The local stack of `local/stack.ts`, rebuilt from the same exported pieces so the benchmark can
 * hand the handlers instrumented clients and time each invocation: the same `createApp`, handlers,
 * gateway, table and queue provisioning and SQS event source. No HTTP API server (the benchmark
 * calls the lifecycle directly to set conversations up) and no bot invitations.
 *
 * Differences from `startLocalStack`, all of them harness-only: the clients carry the recorder's
 * middleware; each handler runs inside `recorder.invoke`; the gateway skips `$disconnect`
 * (`disconnectDropRate: 1`), so closing thousands of benchmark sockets at the end does not run
 * thousands of `$disconnect` fan-outs; and several stacks may share one table (`tableName`).
 */
import { createManagementApiClient } from '../lambdas/adapters/management-api/management-client';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { queueBotNames, type BotsConfig } from '../lambdas/core/bots-config';
import type { BotInviter } from '../lambdas/core/conversation-lifecycle';
import type { Logger } from '../lambdas/core/ports';
import { repliesHandler } from '../lambdas/handlers/replies-consumer';
import { authorizerHandler, TOKEN_IDENTITY_SOURCE } from '../lambdas/handlers/websocket-authorizer';
import { connectHandler } from '../lambdas/handlers/websocket-connect';
import { defaultHandler } from '../lambdas/handlers/websocket-default';
import { disconnectHandler } from '../lambdas/handlers/websocket-disconnect';
import { createApp, type App, type AppConfig } from '../lambdas/runtime/app';
import { startWebSocketGateway, type WebSocketGateway } from '../local/gateway';
import { createBotQueues, createRepliesQueues } from '../local/provision/create-queues';
import { createConversationTable } from '../local/provision/create-table';
import { startSqsEventSource, type SqsEventSource } from '../local/queues/sqs-event-source';
import { LOCAL_CREDENTIALS, LOCAL_REGION, LOCAL_STAGE } from '../local/stack';
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
  stop(): Promise<void>;
}

/** The benchmark has no bot to invite: its bots are queue bots it drives itself. */
const NO_INVITATIONS: BotInviter = { invite: async () => undefined };
/** Long-poll wait of the replies queue's event source (as in `startLocalStack`). */
const EVENT_SOURCE_WAIT_SECONDS = 1;
const LOCAL_ID_PATTERN = /"local_id"\s*:\s*"([^"\\]{1,64})"/;

/** Starts one instrumented stack on a running DynamoDB Local and SQS server. */
export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const { recorder } = options;
  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamoDb = new DynamoDBClient({ ...clientConfig, endpoint: options.dynamoDbEndpoint });
  const setupDynamoDb = new DynamoDBClient({ ...clientConfig, endpoint: options.dynamoDbEndpoint });
  instrumentDynamoDb(dynamoDb, recorder, 'backend', new ItemSizeLookup(setupDynamoDb));
  const sqs = new SQSClient({ ...clientConfig, endpoint: options.sqsEndpoint });
  instrumentSqs(sqs, recorder, 'backend');
  const eventSourceSqs = new SQSClient({ ...clientConfig, endpoint: options.sqsEndpoint });
  instrumentSqs(eventSourceSqs, recorder, 'event-source');
  const botsSqs = new SQSClient({ ...clientConfig, endpoint: options.sqsEndpoint });
  instrumentSqs(botsSqs, recorder, 'bots');

  await createConversationTable(setupDynamoDb, options.tableName);
  const botQueues = await createBotQueues(botsSqs, options.queuePrefix, queueBotNames(options.bots));
  const replies = await createRepliesQueues(botsSqs, options.queuePrefix);

  let app: App | undefined;
  const requireApp = (): App => {
    if (!app) throw new Error('bench stack is still starting');
    return app;
  };
  const gateway = await startWebSocketGateway({
    host: '127.0.0.1',
    port: 0,
    stage: LOCAL_STAGE,
    disconnectDropRate: 1,
    authorizerIdentitySource: [TOKEN_IDENTITY_SOURCE],
    handlers: {
      authorizer: (event) =>
        recorder.invoke('authorizer', undefined, () => authorizerHandler(requireApp().store, options.log)(event)),
      connect: (event) => recorder.invoke('connect', undefined, () => connectHandler(requireApp().consumer)(event)),
      disconnect: (event) => recorder.invoke('disconnect', undefined, () => disconnectHandler(requireApp().consumer)(event)),
      default: (event) =>
        recorder.invoke('default', LOCAL_ID_PATTERN.exec(event.body ?? '')?.[1], () => defaultHandler(requireApp().consumer)(event)),
    },
  });

  const config: AppConfig = {
    tableName: options.tableName,
    managementApiEndpoint: gateway.managementEndpoint,
    websocketUrl: gateway.url,
    bots: options.bots,
    botQueueUrls: Object.fromEntries(Object.entries(botQueues).map(([name, queue]) => [name, queue.url])),
    repliesQueueUrl: replies.url,
    repliesDeadLetterQueueUrl: replies.dlqUrl,
    openRooms: true,
  };
  const managementApi = createManagementApiClient(gateway.managementEndpoint, clientConfig);
  instrumentManagementApi(managementApi, recorder, 'backend');
  app = createApp(config, { dynamoDb, sqs, managementApi, inviter: NO_INVITATIONS }, options.log);

  const handleReplies = repliesHandler({ consumer: app.consumer, sqs, deadLetterQueueUrl: replies.dlqUrl, log: options.log });
  const repliesSource: SqsEventSource = startSqsEventSource({
    sqs: eventSourceSqs,
    queueUrl: replies.url,
    handler: (event) => recorder.invoke('replies', undefined, () => handleReplies(event)),
    waitTimeSeconds: EVENT_SOURCE_WAIT_SECONDS,
    log: (line) => options.log.warn(line),
  });

  return {
    app,
    gateway,
    tableName: options.tableName,
    botQueueUrls: config.botQueueUrls,
    repliesQueueUrl: replies.url,
    setupDynamoDb,
    botsSqs,
    async stop() {
      await repliesSource.stop();
      await gateway.close();
      for (const client of [managementApi, sqs, eventSourceSqs, botsSqs, dynamoDb, setupDynamoDb]) client.destroy();
    },
  };
}
