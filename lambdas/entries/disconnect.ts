import { disconnectHandler } from '../handlers/websocket-disconnect';
import { appConfigFromEnvironment, createApp } from '../runtime/app';

// Built once per container, outside the handler.
const app = createApp(appConfigFromEnvironment());

export const handler = disconnectHandler(app.consumer);
