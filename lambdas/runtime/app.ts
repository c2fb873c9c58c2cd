import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoConversationStore } from '../adapters/dynamodb/conversation-store';
import { ManagementApiPoster } from '../adapters/management-api/connection-poster';
import { SqsBotQueueSender } from '../adapters/sqs/bot-queue-sender';
import { ENV, optionalEnv, requireEnv } from '../config/environment';
import { parseBotsConfig, type BotsConfig } from '../core/bots-config';
import { ConversationConsumer } from '../core/conversation-consumer';
import { ConversationLifecycle, type BotInviter } from '../core/conversation-lifecycle';
import { HttpBotInviter } from '../adapters/http/bot-inviter';
import type { Logger } from '../core/ports';
import { createLogger, parseLogLevel } from './logger';
import { randomUUID } from 'node:crypto';

/** Everything a handler needs, read once per Lambda container (or per local stack). */
export interface AppConfig {
  tableName: string;
  managementApiEndpoint: string;
  websocketUrl: string;
  bots: BotsConfig;
  botQueueUrls: Record<string, string>;
  repliesQueueUrl?: string;
  repliesDeadLetterQueueUrl?: string;
  openRooms: boolean;
  /** See `NEW_CONNECTION_GRACE_MS`; tests shorten it. */
  newConnectionGraceMs?: number;
}

/** Clients may be passed in (local runner, tests); otherwise they are built from the environment. */
export interface AppClients {
  dynamoDb?: DynamoDBClient;
  sqs?: SQSClient;
  managementApi?: ApiGatewayManagementApiClient;
  inviter?: BotInviter;
}

export interface App {
  config: AppConfig;
  consumer: ConversationConsumer;
  lifecycle: ConversationLifecycle;
  store: DynamoConversationStore;
  sqs: SQSClient;
  log: Logger;
}

export function appConfigFromEnvironment(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const config: AppConfig = {
    tableName: requireEnv(ENV.TABLE_NAME, env),
    managementApiEndpoint: requireEnv(ENV.MANAGEMENT_API_ENDPOINT, env),
    websocketUrl: requireEnv(ENV.WEBSOCKET_URL, env),
    bots: parseBotsConfig(JSON.parse(requireEnv(ENV.BOTS_CONFIG, env))),
    botQueueUrls: JSON.parse(optionalEnv(ENV.BOT_QUEUE_URLS, env) ?? '{}') as Record<string, string>,
    openRooms: optionalEnv(ENV.OPEN_ROOMS, env) === 'true',
  };
  const replies = optionalEnv(ENV.REPLIES_QUEUE_URL, env);
  const repliesDlq = optionalEnv(ENV.REPLIES_DLQ_URL, env);
  if (replies) config.repliesQueueUrl = replies;
  if (repliesDlq) config.repliesDeadLetterQueueUrl = repliesDlq;
  return config;
}

/** The composition root: adapters built once and handed to the core. */
export function createApp(config: AppConfig, clients: AppClients = {}, log?: Logger): App {
  const logger = log ?? createLogger({ level: parseLogLevel(process.env[ENV.LOG_LEVEL]) });
  const dynamoDb = clients.dynamoDb ?? new DynamoDBClient({});
  const sqs = clients.sqs ?? new SQSClient({});
  const managementApi =
    clients.managementApi ?? new ApiGatewayManagementApiClient({ endpoint: config.managementApiEndpoint });
  const store = new DynamoConversationStore(dynamoDb, { tableName: config.tableName });
  const clock = { now: () => new Date() };
  const ids = { randomId: () => randomUUID() };
  const consumer = new ConversationConsumer({
    store,
    poster: new ManagementApiPoster(managementApi, { log: logger }),
    botQueues: new SqsBotQueueSender(sqs, config.botQueueUrls),
    clock,
    ids,
    log: logger,
    ...(config.newConnectionGraceMs !== undefined ? { newConnectionGraceMs: config.newConnectionGraceMs } : {}),
  });
  const lifecycle = new ConversationLifecycle({
    store,
    consumer,
    inviter: clients.inviter ?? new HttpBotInviter({ log: logger }),
    clock,
    ids,
    log: logger,
    bots: config.bots,
    websocketUrl: config.websocketUrl,
    openRooms: config.openRooms,
  });
  return { config, consumer, lifecycle, store, sqs, log: logger };
}
