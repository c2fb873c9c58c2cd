import type { ConversationConsumer } from '../core/conversation-consumer';
import { participantFromAuthorizer } from './authorizer-context';
import { errorBody, httpStatusFor } from './error-mapping';
import { parseWebSocketEvent, type WebSocketResult } from './websocket-event';

/**
 * `$connect`: the authorizer's context (or, without an authorizer, `?token=`) names the participant;
 * a refusal is a 401/403 and writes nothing. API Gateway fails the handshake with that status (the
 * body does not reach the client; it is for logs).
 */
export function connectHandler(consumer: Pick<ConversationConsumer, 'connect'>) {
  return async (event: unknown): Promise<WebSocketResult> => {
    const { requestContext, queryStringParameters } = parseWebSocketEvent(event);
    const participant = participantFromAuthorizer(requestContext.authorizer);
    const outcome = await consumer.connect({
      connectionId: requestContext.connectionId,
      ...(participant ? { participant } : {}),
      connectedAt: requestContext.connectedAt,
      ...(queryStringParameters?.token ? { token: queryStringParameters.token } : {}),
      ...(queryStringParameters?.conversation_id ? { conversationId: queryStringParameters.conversation_id } : {}),
    });
    if (outcome.accepted) return { statusCode: 200 };
    return { statusCode: httpStatusFor(outcome.error.code), body: errorBody(outcome.error.code, outcome.error.message) };
  };
}
