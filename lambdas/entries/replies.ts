import { requireEnv, ENV } from '../config/environment';
import { repliesHandler } from '../handlers/replies-consumer';
import { consumerConfigFromEnvironment } from '../runtime/backend-adapters';
import { createRepliesRoute } from '../runtime/route-apps';

// Built once per container, outside the handler.
const app = createRepliesRoute(consumerConfigFromEnvironment());

export const handler = repliesHandler({
  consumer: app.consumer,
  sqs: app.sqs,
  deadLetterQueueUrl: requireEnv(ENV.REPLIES_DLQ_URL),
  log: app.log,
});
