import { disconnectHandler } from '../handlers/websocket-disconnect';
import { consumerConfigFromEnvironment, createConsumerApp } from '../runtime/consumer-app';

// Built once per container, outside the handler.
const app = createConsumerApp(consumerConfigFromEnvironment());

export const handler = disconnectHandler(app.consumer);
