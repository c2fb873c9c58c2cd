import { defaultHandler } from '../handlers/websocket-default';
import { consumerConfigFromEnvironment } from '../runtime/backend-adapters';
import { createDefaultRoute } from '../runtime/route-apps';

// Built once per container, outside the handler.
export const handler = defaultHandler(createDefaultRoute(consumerConfigFromEnvironment()));
