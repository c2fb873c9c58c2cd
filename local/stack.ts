import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2, SQSEvent } from 'aws-lambda';
import { queueBotNames, type BotsConfig } from '../lambdas/core/bots-config';
import type { BotInviter } from '../lambdas/core/conversation-lifecycle';
import type { Clock, Logger } from '../lambdas/core/ports';
import { HttpBotInviter } from '../lambdas/adapters/http/bot-inviter';
import { createManagementApiClient } from '../lambdas/adapters/management-api/management-client';
import { httpApiHandler } from '../lambdas/handlers/http-api';
import { repliesHandler } from '../lambdas/handlers/replies-consumer';
import { authorizerHandler, TOKEN_IDENTITY_SOURCE } from '../lambdas/handlers/websocket-authorizer';
import { connectHandler } from '../lambdas/handlers/websocket-connect';
import { defaultHandler } from '../lambdas/handlers/websocket-default';
import { disconnectHandler } from '../lambdas/handlers/websocket-disconnect';
import { createApp, type App, type AppConfig } from '../lambdas/runtime/app';
import {
  startWebSocketGateway,
  type WebSocketAuthorizerEvent,
  type WebSocketGateway,
  type WebSocketGatewayOptions,
  type WebSocketProxyEvent,
} from './gateway';
import { startHttpApiServer, type HttpApiServer, type StaticFiles } from './http/http-api-server';
import { tableNameFor } from '../lambdas/adapters/dynamodb/table-design';
import { createConversationTable } from './provision/create-table';
import { createBotQueues, createRepliesQueues } from './provision/create-queues';
import { startSqsEventSource, type SqsEventSource } from './queues/sqs-event-source';

/** Dummy credentials: DynamoDB Local and the SQS server accept any. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';
export const LOCAL_STAGE = 'local';

export interface LocalStackOptions {
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
  /** Table and queue names start with it, so several stacks can share one DynamoDB Local and SQS server. */
  prefix: string;
  bots: BotsConfig;
  /** @default 0 (a free port); `npm start` uses HTTP_PORT (3000) */
  httpPort?: number;
  /** @default 0 (a free port); `npm start` uses WS_PORT (3001) */
  wsPort?: number;
  openRooms?: boolean;
  /** See `NEW_CONNECTION_GRACE_MS`. */
  newConnectionGraceMs?: number;
  log: Logger;
  /** Gateway knobs (idle timeout, frame limits…) for tests. */
  gateway?: Partial<Omit<WebSocketGatewayOptions, 'handlers'>>;
  /** Replaces the HTTP inviter (tests); `resolveInviteUrl` maps `local://` URLs for the default one. */
  inviter?: BotInviter;
  resolveInviteUrl?: (url: string) => string;
  staticFiles?: StaticFiles;
  /** @default `tableNameFor(prefix)`; several stacks may share one table (queues still follow `prefix`). */
  tableName?: string;
  /** Called with each AWS SDK client the stack builds, before its first use: a harness adds its middleware here. */
  instrument?: {
    dynamoDb?: (client: DynamoDBClient) => void;
    /** `handlers`: the Lambdas' client (also provisions the queues); `event-source`: the replies queue's poller. */
    sqs?: (client: SQSClient, user: 'handlers' | 'event-source') => void;
    managementApi?: (client: ApiGatewayManagementApiClient) => void;
  };
  /** Runs around every handler invocation (to time it, say); it must return what `run` returns. */
  wrapHandler?: HandlerWrapper;
  /** The handlers' time source; tests move it. @default the system clock */
  clock?: Clock;
}

/** A stack without the HTTP API server, for a harness that calls `app.lifecycle` itself. */
export interface HeadlessStackOptions extends Omit<LocalStackOptions, 'httpPort' | 'staticFiles'> {
  httpApi: false;
}

/** One handler invocation, as `wrapHandler` sees it. */
export type HandlerInvocation =
  | { route: 'authorizer'; event: WebSocketAuthorizerEvent }
  | { route: 'connect' | 'default' | 'disconnect'; event: WebSocketProxyEvent }
  | { route: 'replies'; event: SQSEvent }
  | { route: 'http-api'; event: APIGatewayProxyEventV2 };

export type HandlerWrapper = <T>(invocation: HandlerInvocation, run: () => Promise<T>) => Promise<T>;

interface WebSocketHandlers {
  authorizer: ReturnType<typeof authorizerHandler>;
  connect: ReturnType<typeof connectHandler>;
  disconnect: ReturnType<typeof disconnectHandler>;
  default: ReturnType<typeof defaultHandler>;
}

export interface LocalStack {
  app: App;
  gateway: WebSocketGateway;
  http: HttpApiServer;
  /** Bot name -> queue URL for every `queue` bot (the manager included). */
  botQueueUrls: Record<string, string>;
  botDeadLetterQueueUrls: Record<string, string>;
  repliesQueueUrl: string;
  repliesDeadLetterQueueUrl: string;
  tableName: string;
  dynamoDb: DynamoDBClient;
  sqs: SQSClient;
  stop(): Promise<void>;
}

export type HeadlessLocalStack = Omit<LocalStack, 'http'>;

/**
 * The deployed architecture on one machine: the same handlers behind a local API Gateway
 * (WebSocket + management API), a local HTTP API, the replies queue's event source, real DynamoDB
 * Local and a real SQS server. Tables and queues come from the same design modules as the stack.
 * A harness (the benchmark) adds middleware to the clients (`instrument`), wraps each invocation
 * (`wrapHandler`), shares a table (`tableName`) and drops the HTTP API (`httpApi: false`).
 */
export function startLocalStack(options: HeadlessStackOptions): Promise<HeadlessLocalStack>;
export function startLocalStack(options: LocalStackOptions): Promise<LocalStack>;
export async function startLocalStack(options: LocalStackOptions & { httpApi?: boolean }): Promise<HeadlessLocalStack> {
  const clientConfig = { region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS };
  const dynamoDb = new DynamoDBClient({ ...clientConfig, endpoint: options.dynamoDbEndpoint });
  options.instrument?.dynamoDb?.(dynamoDb);
  const sqs = new SQSClient({ ...clientConfig, endpoint: options.sqsEndpoint });
  options.instrument?.sqs?.(sqs, 'handlers');
  const tableName = options.tableName ?? tableNameFor(options.prefix);
  await createConversationTable(dynamoDb, tableName);
  const botQueues = await createBotQueues(sqs, options.prefix, queueBotNames(options.bots));
  const replies = await createRepliesQueues(sqs, options.prefix);
  const wrap: HandlerWrapper = options.wrapHandler ?? ((_invocation, run) => run());

  // The handlers need the gateway's address (management endpoint) and the gateway needs the handlers:
  // they are built once, right after the gateway, as a Lambda container builds them once.
  let handlers: WebSocketHandlers | undefined;
  const requireHandlers = (): WebSocketHandlers => {
    if (!handlers) throw new Error('local stack is still starting');
    return handlers;
  };
  const gateway = await startWebSocketGateway({
    host: '127.0.0.1',
    port: options.wsPort ?? 0,
    stage: LOCAL_STAGE,
    authorizerIdentitySource: [TOKEN_IDENTITY_SOURCE],
    ...options.gateway,
    handlers: {
      authorizer: (event) => wrap({ route: 'authorizer', event }, () => requireHandlers().authorizer(event)),
      connect: (event) => wrap({ route: 'connect', event }, () => requireHandlers().connect(event)),
      disconnect: (event) => wrap({ route: 'disconnect', event }, () => requireHandlers().disconnect(event)),
      default: (event) => wrap({ route: 'default', event }, () => requireHandlers().default(event)),
    },
  });

  const config: AppConfig = {
    tableName,
    managementApiEndpoint: gateway.managementEndpoint,
    websocketUrl: gateway.url,
    bots: options.bots,
    botQueueUrls: Object.fromEntries(Object.entries(botQueues).map(([name, queue]) => [name, queue.url])),
    repliesQueueUrl: replies.url,
    repliesDeadLetterQueueUrl: replies.dlqUrl,
    openRooms: options.openRooms ?? false,
    ...(options.newConnectionGraceMs !== undefined ? { newConnectionGraceMs: options.newConnectionGraceMs } : {}),
  };
  const managementApi = createManagementApiClient(gateway.managementEndpoint, clientConfig);
  options.instrument?.managementApi?.(managementApi);
  const inviter =
    options.inviter ??
    new HttpBotInviter({ log: options.log, ...(options.resolveInviteUrl ? { resolveUrl: options.resolveInviteUrl } : {}) });
  const app: App = createApp(config, { dynamoDb, sqs, managementApi, inviter, ...(options.clock ? { clock: options.clock } : {}) }, options.log);
  handlers = {
    authorizer: authorizerHandler(app.store, options.log),
    connect: connectHandler(app.consumer),
    disconnect: disconnectHandler(app.consumer),
    default: defaultHandler(app.consumer),
  };

  let http: HttpApiServer | undefined;
  if (options.httpApi !== false) {
    const httpHandler = httpApiHandler(app.lifecycle, options.log);
    http = await startHttpApiServer({
      handler: (event: APIGatewayProxyEventV2) => wrap({ route: 'http-api', event }, () => httpHandler(event)),
      host: '127.0.0.1',
      port: options.httpPort ?? 0,
      ...(options.staticFiles ? { staticFiles: options.staticFiles } : {}),
    });
  }

  // Lambda's event source mapping polls with AWS's client, not the function's.
  const eventSourceSqs = new SQSClient({ ...clientConfig, endpoint: options.sqsEndpoint });
  options.instrument?.sqs?.(eventSourceSqs, 'event-source');
  const handleReplies = repliesHandler({ consumer: app.consumer, sqs, deadLetterQueueUrl: replies.dlqUrl, log: options.log });
  const repliesSource: SqsEventSource = startSqsEventSource({
    sqs: eventSourceSqs,
    queueUrl: replies.url,
    handler: (event) => wrap({ route: 'replies', event }, () => handleReplies(event)),
    log: (line) => options.log.warn(line),
  });

  return {
    app,
    gateway,
    ...(http ? { http } : {}),
    botQueueUrls: config.botQueueUrls,
    botDeadLetterQueueUrls: Object.fromEntries(Object.entries(botQueues).map(([name, queue]) => [name, queue.dlqUrl])),
    repliesQueueUrl: replies.url,
    repliesDeadLetterQueueUrl: replies.dlqUrl,
    tableName,
    dynamoDb,
    sqs,
    async stop() {
      await repliesSource.stop();
      await http?.close();
      await gateway.close();
      for (const client of [managementApi, eventSourceSqs, sqs, dynamoDb]) client.destroy();
    },
  };
}
