import type { ConversationConsumer } from '../core/conversation-consumer';
import { authorizedConnection } from './authorizer-context';
import { parseWebSocketEvent, type WebSocketResult } from './websocket-event';

/** `$disconnect`: runs after the socket closed, so its result reaches nobody; it is idempotent. */
export function disconnectHandler(consumer: Pick<ConversationConsumer, 'disconnect'>) {
  return async (event: unknown): Promise<WebSocketResult> => {
    const { requestContext } = parseWebSocketEvent(event);
    await consumer.disconnect(
      requestContext.connectionId,
      requestContext.disconnectStatusCode ?? undefined,
      authorizedConnection(requestContext),
    );
    return { statusCode: 200 };
  };
}
