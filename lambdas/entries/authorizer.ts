import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoConversationStore } from '../adapters/dynamodb/conversation-store';
import { ENV, requireEnv } from '../config/environment';
import { authorizerHandler } from '../handlers/websocket-authorizer';
import { createLogger, parseLogLevel } from '../runtime/logger';

// Built once per container, outside the handler. Only DynamoDB: the authorizer reads a token's owner.
const store = new DynamoConversationStore(new DynamoDBClient({}), { tableName: requireEnv(ENV.TABLE_NAME) });
const log = createLogger({ level: parseLogLevel(process.env[ENV.LOG_LEVEL]) });

export const handler = authorizerHandler(store, log);
