import { connectHandler } from '../handlers/websocket-connect';
import { appConfigFromEnvironment, createApp } from '../runtime/app';

// Built once per container, outside the handler.
const app = createApp(appConfigFromEnvironment());

export const handler = connectHandler(app.consumer);
