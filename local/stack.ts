import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { queueBotNames, type BotsConfig } from '../lambdas/core/bots-config';
import type { BotInviter } from '../lambdas/core/conversation-lifecycle';
import type { Logger } from '../lambdas/core/ports';
import { HttpBotInviter } from '../lambdas/adapters/http/bot-inviter';
import { createManagementApiClient } from '../lambdas/adapters/management-api/management-client';
import { httpApiHandler } from '../lambdas/handlers/http-api';
import { repliesHandler } from '../lambdas/handlers/replies-consumer';
import { authorizerHandler, TOKEN_IDENTITY_SOURCE } from '../lambdas/handlers/websocket-authorizer';
import { connectHandler } from '../lambdas/handlers/websocket-connect';
import { defaultHandler } from '../lambdas/handlers/websocket-default';
import { disconnectHandler } from '../lambdas/handlers/websocket-disconnect';
import { createApp, type App, type AppConfig } from '../lambdas/runtime/app';
import { startWebSocketGateway, type WebSocketGateway, type WebSocketGatewayOptions } from './gateway';
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
}

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

/**
 * The deployed architecture on one machine: the same handlers behind a local API Gateway
 * (WebSocket + management API), a local HTTP API, the replies queue's event source, real DynamoDB
 * Local and a real SQS server. Tables and queues come from the same design modules as the stack.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dynamoDb = new DynamoDBClient({
    endpoint: options.dynamoDbEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const sqs = new SQSClient({ endpoint: options.sqsEndpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const tableName = tableNameFor(options.prefix);
  await createConversationTable(dynamoDb, tableName);
  const botQueues = await createBotQueues(sqs, options.prefix, queueBotNames(options.bots));
  const replies = await createRepliesQueues(sqs, options.prefix);

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
      authorizer: (event) => requireHandlers().authorizer(event),
      connect: (event) => requireHandlers().connect(event),
      disconnect: (event) => requireHandlers().disconnect(event),
      default: (event) => requireHandlers().default(event),
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
  const managementApi = createManagementApiClient(gateway.managementEndpoint, {
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const inviter =
    options.inviter ??
    new HttpBotInviter({ log: options.log, ...(options.resolveInviteUrl ? { resolveUrl: options.resolveInviteUrl } : {}) });
  const app: App = createApp(config, { dynamoDb, sqs, managementApi, inviter }, options.log);
  handlers = {
    authorizer: authorizerHandler(app.store, options.log),
    connect: connectHandler(app.consumer),
    disconnect: disconnectHandler(app.consumer),
    default: defaultHandler(app.consumer),
  };

  const httpHandler = httpApiHandler(app.lifecycle, options.log);
  const http = await startHttpApiServer({
    handler: (event: APIGatewayProxyEventV2) => httpHandler(event),
    host: '127.0.0.1',
    port: options.httpPort ?? 0,
    ...(options.staticFiles ? { staticFiles: options.staticFiles } : {}),
  });

  const repliesSource: SqsEventSource = startSqsEventSource({
    sqs,
    queueUrl: replies.url,
    handler: repliesHandler({ consumer: app.consumer, sqs, deadLetterQueueUrl: replies.dlqUrl, log: options.log }),
    log: (line) => options.log.warn(line),
  });

  return {
    app,
    gateway,
    http,
    botQueueUrls: config.botQueueUrls,
    botDeadLetterQueueUrls: Object.fromEntries(Object.entries(botQueues).map(([name, queue]) => [name, queue.dlqUrl])),
    repliesQueueUrl: replies.url,
    repliesDeadLetterQueueUrl: replies.dlqUrl,
    tableName,
    dynamoDb,
    sqs,
    async stop() {
      await repliesSource.stop();
      await http.close();
      await gateway.close();
      managementApi.destroy();
      sqs.destroy();
      dynamoDb.destroy();
    },
  };
}
