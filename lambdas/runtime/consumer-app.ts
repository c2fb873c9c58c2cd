import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { randomUUID } from 'node:crypto';
import { DynamoConversationStore } from '../adapters/dynamodb/conversation-store';
import { ManagementApiPoster } from '../adapters/management-api/connection-poster';
import { createManagementApiClient } from '../adapters/management-api/management-client';
import { SqsBotQueueSender } from '../adapters/sqs/bot-queue-sender';
import { ENV, optionalEnv, requireEnv } from '../config/environment';
import { ConversationConsumer } from '../core/conversation-consumer';
import type { Clock, IdSource, Logger } from '../core/ports';
import { createLogger, parseLogLevel } from './logger';

/**
 * What the WebSocket and replies Lambdas need: the consumer and its adapters, and nothing of the
 * HTTP API (lifecycle, invitations, the bots file), so their bundles stay small.
 */
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
}

export interface ConsumerApp {
  consumer: ConversationConsumer;
  store: DynamoConversationStore;
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

/** The composition root of the consumer: adapters built once and handed to the core. */
export function createConsumerApp(config: ConsumerConfig, clients: ConsumerClients = {}, log?: Logger): ConsumerApp {
  const logger = log ?? createLogger({ level: parseLogLevel(process.env[ENV.LOG_LEVEL]) });
  const dynamoDb = clients.dynamoDb ?? new DynamoDBClient({});
  const sqs = clients.sqs ?? new SQSClient({});
  const managementApi = clients.managementApi ?? createManagementApiClient(config.managementApiEndpoint);
  const store = new DynamoConversationStore(dynamoDb, { tableName: config.tableName });
  const clock: Clock = { now: () => new Date() };
  const ids: IdSource = { randomId: () => randomUUID() };
  const consumer = new ConversationConsumer({
    store,
    poster: new ManagementApiPoster(managementApi, { log: logger }),
    botQueues: new SqsBotQueueSender(sqs, config.botQueueUrls),
    clock,
    ids,
    log: logger,
    ...(config.newConnectionGraceMs !== undefined ? { newConnectionGraceMs: config.newConnectionGraceMs } : {}),
  });
  return { consumer, store, sqs, log: logger, clock, ids };
}
