import { defaultHandler } from '../handlers/websocket-default';
import { appConfigFromEnvironment, createApp } from '../runtime/app';

// Built once per container, outside the handler.
const app = createApp(appConfigFromEnvironment());

export const handler = defaultHandler(app.consumer);
