import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/config/environment';
import type { BotsConfig } from '../lambdas/core/bots-config';
import type { LogLevel } from '../lambdas/runtime/logger';
import type { BotQueues } from './bot-queues';
import type { ConversationTable } from './conversation-table';
import type { FifoQueue } from './fifo-queue';
import type { ConversationWebSocketApi } from './websocket-api';
import { InvalidDeploymentConfiguration } from './errors';

/** Lambda refuses a function whose environment variables (names and values) exceed 4 KB. */
export const MAX_LAMBDA_ENVIRONMENT_BYTES = 4 * 1024;

/** Every variable of `ENV`, so that a new one in the runtime cannot be forgotten here. */
export type HandlerEnvironment = Record<(typeof ENV)[keyof typeof ENV], string>;

export interface HandlerEnvironmentProps {
  readonly table: ConversationTable;
  readonly webSocket: ConversationWebSocketApi;
  /** Already validated with `parseBotsConfig`. */
  readonly bots: BotsConfig;
  readonly botQueues: BotQueues;
  readonly repliesQueue: FifoQueue;
  readonly openRooms: boolean;
  readonly logLevel: LogLevel;
}

/**
 * The variables every handler reads (`lambdas/config/environment.ts`). All handlers get the same
 * set; what each may do with it is decided by its grants, not by what it can see.
 */
export function handlerEnvironment(scope: Construct, props: HandlerEnvironmentProps): HandlerEnvironment {
  const environment: HandlerEnvironment = {
    [ENV.TABLE_NAME]: props.table.tableName,
    [ENV.MANAGEMENT_API_ENDPOINT]: props.webSocket.managementApiEndpoint,
    [ENV.WEBSOCKET_URL]: props.webSocket.url,
    [ENV.BOTS_CONFIG]: JSON.stringify(props.bots),
    [ENV.BOT_QUEUE_URLS]: Stack.of(scope).toJsonString(props.botQueues.queueUrls()),
    [ENV.REPLIES_QUEUE_URL]: props.repliesQueue.queueUrl,
    [ENV.REPLIES_DLQ_URL]: props.repliesQueue.deadLetterQueue.queueUrl,
    [ENV.OPEN_ROOMS]: String(props.openRooms),
    [ENV.LOG_LEVEL]: props.logLevel,
  };
  const bytes = estimateEnvironmentBytes(scope, props, environment);
  if (bytes > MAX_LAMBDA_ENVIRONMENT_BYTES) {
    throw new InvalidDeploymentConfiguration(
      `the Lambda environment would need about ${bytes} bytes (Lambda allows ${MAX_LAMBDA_ENVIRONMENT_BYTES}); ` +
        'the bots file (BOTS_CONFIG) and its queue URLs (BOT_QUEUE_URLS) are too large: use fewer or shorter bot entries',
    );
  }
  return environment;
}

// Longest forms the deploy-time values can take, so the estimate errs on the large side.
const LONGEST_QUEUE_URL_PREFIX = 'https://sqs.ap-southeast-5.amazonaws.com.cn/123456789012/';
const LONGEST_API_HOST = '0123456789.execute-api.ap-southeast-5.amazonaws.com.cn';
const GENERATED_NAME_SUFFIX_LENGTH = 64;

/** The size the environment will have once CloudFormation resolves it, at most. */
function estimateEnvironmentBytes(scope: Construct, props: HandlerEnvironmentProps, environment: HandlerEnvironment): number {
  const queueUrl = (queueName: string) => `${LONGEST_QUEUE_URL_PREFIX}${queueName}`;
  const stagePath = `/${props.webSocket.stage.stageName}`;
  const resolved: HandlerEnvironment = {
    ...environment,
    [ENV.TABLE_NAME]: 'x'.repeat(Stack.of(scope).stackName.length + GENERATED_NAME_SUFFIX_LENGTH),
    [ENV.MANAGEMENT_API_ENDPOINT]: `https://${LONGEST_API_HOST}${stagePath}`,
    [ENV.WEBSOCKET_URL]: `wss://${LONGEST_API_HOST}${stagePath}`,
    [ENV.BOT_QUEUE_URLS]: JSON.stringify(
      Object.fromEntries(props.botQueues.bots.map((bot) => [bot.botName, queueUrl(bot.queues.queueName)])),
    ),
    [ENV.REPLIES_QUEUE_URL]: queueUrl(props.repliesQueue.queueName),
    [ENV.REPLIES_DLQ_URL]: queueUrl(props.repliesQueue.deadLetterQueueName),
  };
  // Handlers add NODE_OPTIONS=--enable-source-maps.
  const extra = 'NODE_OPTIONS'.length + '--enable-source-maps'.length;
  return Object.entries(resolved).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), extra);
}
