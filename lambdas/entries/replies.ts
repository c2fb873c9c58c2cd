import { requireEnv, ENV } from '../config/environment';
import { repliesHandler } from '../handlers/replies-consumer';
import { appConfigFromEnvironment, createApp } from '../runtime/app';

// Built once per container, outside the handler.
const app = createApp(appConfigFromEnvironment());

export const handler = repliesHandler({
  consumer: app.consumer,
  sqs: app.sqs,
  deadLetterQueueUrl: requireEnv(ENV.REPLIES_DLQ_URL),
  log: app.log,
});
