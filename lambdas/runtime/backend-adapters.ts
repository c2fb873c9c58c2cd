import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { DynamoConversationStore } from '../adapters/dynamodb/conversation-store';
import { ManagementApiPoster } from '../adapters/management-api/connection-poster';
import { createManagementApiClient } from '../adapters/management-api/management-client';
import { SqsBotQueueSender } from '../adapters/sqs/bot-queue-sender';
import { ENV, optionalEnv, requireEnv } from '../config/environment';
import type { BotQueueSender, Clock, ConnectionPoster, IdSource, Logger } from '../core/ports';
import { createLogger, parseLogLevel } from './logger';

/** What the consumer's adapters need; the HTTP API needs the same and more (`AppConfig`). */
export interface ConsumerConfig {
  tableName: string;
  managementApiEndpoint: string;
  /** Bot name -> queue URL, for every `queue` bot (the manager included). */
  botQueueUrls: Record<string, string>;
  /** See `NEW_CONNECTION_GRACE_MS`; tests shorten it. */
  newConnectionGraceMs?: number;
}

/** Clients may be passed in (local runner, tests); otherwise they are built from the environment. */
export interface ConsumerClients {
  dynamoDb?: DynamoDBClient;
  sqs?: SQSClient;
  managementApi?: ApiGatewayManagementApiClient;
  /** The server's time; tests move it. @default the system clock */
  clock?: Clock;
}

/** The adapters both composition roots hand to the core: the table, the management API, the bot queues. */
export interface BackendAdapters {
  store: DynamoConversationStore;
  poster: ConnectionPoster;
  botQueues: BotQueueSender;
  sqs: SQSClient;
  log: Logger;
  clock: Clock;
  ids: IdSource;
}

export function consumerConfigFromEnvironment(env: NodeJS.ProcessEnv = process.env): ConsumerConfig {
  return {
    tableName: requireEnv(ENV.TABLE_NAME, env),
    managementApiEndpoint: requireEnv(ENV.MANAGEMENT_API_ENDPOINT, env),
    botQueueUrls: JSON.parse(optionalEnv(ENV.BOT_QUEUE_URLS, env) ?? '{}') as Record<string, string>,
  };
}

/** Builds the adapters once per Lambda container, from the clients given or new ones. */
export function createBackendAdapters(config: ConsumerConfig, clients: ConsumerClients = {}, log?: Logger): BackendAdapters {
  const logger = log ?? createLogger({ level: parseLogLevel(process.env[ENV.LOG_LEVEL]) });
  const dynamoDb = clients.dynamoDb ?? new DynamoDBClient({});
  const sqs = clients.sqs ?? new SQSClient({});
  const managementApi = clients.managementApi ?? createManagementApiClient(config.managementApiEndpoint);
  return {
    store: new DynamoConversationStore(dynamoDb, { tableName: config.tableName }),
    poster: new ManagementApiPoster(managementApi, { log: logger }),
    botQueues: new SqsBotQueueSender(sqs, config.botQueueUrls),
    sqs,
    log: logger,
    clock: clients.clock ?? { now: () => new Date() },
    ids: { randomId: () => randomUUID() },
  };
}
