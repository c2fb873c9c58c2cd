import { SQSClient } from '@aws-sdk/client-sqs';
import { exampleBotHandler } from '../../bots/lambda/example-bot-handler';
import { EXAMPLE_BOT_ENV, exampleQueueBot } from '../../bots/example-registry';
import { optionalEnv, requireEnv } from '../config/environment';
import { createLogger, parseLogLevel } from '../runtime/logger';

// Built once per container, outside the handler: a bad BOT_NAME or a missing queue URL fails at
// start. The bot object holds the manager's knowledge of conversations for this container's life.
const botName = requireEnv(EXAMPLE_BOT_ENV.BOT_NAME);

export const handler = exampleBotHandler({
  sqs: new SQSClient({}),
  repliesQueueUrl: requireEnv(EXAMPLE_BOT_ENV.REPLIES_QUEUE_URL),
  bot: exampleQueueBot(botName),
  log: createLogger({ level: parseLogLevel(optionalEnv(EXAMPLE_BOT_ENV.LOG_LEVEL)) }),
});
