import { connectHandler } from '../handlers/websocket-connect';
import { consumerConfigFromEnvironment, createConsumerApp } from '../runtime/consumer-app';

// Built once per container, outside the handler.
const app = createConsumerApp(consumerConfigFromEnvironment());

export const handler = connectHandler(app.consumer);
