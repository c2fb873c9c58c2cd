import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { ErrorCode } from '../core/errors';
import type { ConversationStore, Logger } from '../core/ports';
import { participantForToken } from '../core/token-authentication';
import { authorizerContextFor } from './authorizer-context';

/** Where the authorizer finds the token; API Gateway answers 401 without invoking it when it is missing. */
export const TOKEN_IDENTITY_SOURCE = 'route.request.querystring.token';

/**
 * The `$connect` REQUEST authorizer: `?token=` names the participant. API Gateway answers 401 when
 * it throws `Unauthorized` (the token is missing or unknown) and hands the returned context to
 * `$connect` and to every later event of the connection (see `authorizer-context.ts`).
 * Whether the conversation is open, and a `conversation_id` parameter, are checked by `$connect`.
 */
export function authorizerHandler(store: Pick<ConversationStore, 'findTokenOwner'>, log: Logger) {
  return async (event: unknown): Promise<APIGatewayAuthorizerResult> => {
    const { methodArn, token, connectionId } = readAuthorizerEvent(event);
    const refuse = (code: ErrorCode) => {
      log.info('connection refused', { connection_id: connectionId, code });
      // The exact message API Gateway turns into 401.
      return new Error('Unauthorized');
    };
    if (!token) throw refuse(ErrorCode.MISSING_TOKEN);
    const participant = await participantForToken(store, token);
    if (!participant) throw refuse(ErrorCode.INVALID_TOKEN);
    return {
      principalId: participant.id,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }],
      },
      context: { ...authorizerContextFor(participant) },
    };
  };
}

/** The fields this authorizer reads; a malformed event is a configuration error (API Gateway answers 500). */
function readAuthorizerEvent(event: unknown): { methodArn: string; token?: string; connectionId?: string } {
  const { methodArn, queryStringParameters, requestContext } = (event ?? {}) as Record<string, unknown>;
  if (typeof methodArn !== 'string' || methodArn === '') {
    throw new Error('malformed authorizer event: methodArn must be a non-empty string');
  }
  const token = (queryStringParameters as Record<string, unknown> | null | undefined)?.token;
  const connectionId = (requestContext as Record<string, unknown> | null | undefined)?.connectionId;
  return {
    methodArn,
    ...(typeof token === 'string' && token !== '' ? { token } : {}),
    ...(typeof connectionId === 'string' ? { connectionId } : {}),
  };
}
