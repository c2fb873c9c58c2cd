import { connectHandler } from '../handlers/websocket-connect';
import { consumerConfigFromEnvironment } from '../runtime/backend-adapters';
import { createConnectRoute } from '../runtime/route-apps';

// Built once per container, outside the handler.
export const handler = connectHandler(createConnectRoute(consumerConfigFromEnvironment()));
