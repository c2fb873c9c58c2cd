import { httpApiHandler } from '../handlers/http-api';
import { appConfigFromEnvironment, createHttpApiApp } from '../runtime/http-api-app';

// Built once per container, outside the handler.
const app = createHttpApiApp(appConfigFromEnvironment());

export const handler = httpApiHandler(app.lifecycle, app.log);
