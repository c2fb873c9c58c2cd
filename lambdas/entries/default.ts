import { defaultHandler } from '../handlers/websocket-default';
import { consumerConfigFromEnvironment, createConsumerApp } from '../runtime/consumer-app';

// Built once per container, outside the handler.
const app = createConsumerApp(consumerConfigFromEnvironment());

export const handler = defaultHandler(app.consumer);
