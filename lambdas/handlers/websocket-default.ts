import type { ConversationConsumer } from '../core/conversation-consumer';
import { authorizedConnection } from './authorizer-context';
import { parseWebSocketEvent, type WebSocketResult } from './websocket-event';

/** `$default`: every frame. Answers go back as posts (`message`, `state`, `pong`, `error`), not as the result. */
export function defaultHandler(consumer: Pick<ConversationConsumer, 'receive'>) {
  return async (event: unknown): Promise<WebSocketResult> => {
    const { requestContext, body, isBase64Encoded } = parseWebSocketEvent(event);
    const text = body && isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
    await consumer.receive(requestContext.connectionId, text ?? undefined, authorizedConnection(requestContext));
    return { statusCode: 200 };
  };
}
