import { requireEnv, ENV } from '../config/environment';
import { repliesHandler } from '../handlers/replies-consumer';
import { consumerConfigFromEnvironment, createConsumerApp } from '../runtime/consumer-app';

// Built once per container, outside the handler.
const app = createConsumerApp(consumerConfigFromEnvironment());

export const handler = repliesHandler({
  consumer: app.consumer,
  sqs: app.sqs,
  deadLetterQueueUrl: requireEnv(ENV.REPLIES_DLQ_URL),
  log: app.log,
});
