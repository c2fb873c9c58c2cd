import { disconnectHandler } from '../handlers/websocket-disconnect';
import { consumerConfigFromEnvironment } from '../runtime/backend-adapters';
import { createDisconnectRoute } from '../runtime/route-apps';

// Built once per container, outside the handler.
export const handler = disconnectHandler(createDisconnectRoute(consumerConfigFromEnvironment()));
