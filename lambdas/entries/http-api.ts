import { httpApiHandler } from '../handlers/http-api';
import { appConfigFromEnvironment, createApp } from '../runtime/app';

// Built once per container, outside the handler.
const app = createApp(appConfigFromEnvironment());

export const handler = httpApiHandler(app.lifecycle, app.log);
