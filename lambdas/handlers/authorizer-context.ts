import { BotDelivery } from '../core/bot-delivery';
import type { ConnectionOwner, ParticipantRecord } from '../core/records';
import { ParticipantType } from '../core/wire';

/**
 * Who a connection is, as the `$connect` authorizer hands it to API Gateway: its `context` map
 * comes back as `requestContext.authorizer` on `$connect` and on every later frame and
 * `$disconnect` of that connection, so the handlers need not look the connection up.
 * Values must be scalars; API Gateway may hand booleans back as strings.
 */
export interface AuthorizerContext {
  conversation_id: string;
  participant_id: string;
  participant_name: string;
  participant_type: ParticipantType;
  is_required: boolean;
  is_manager: boolean;
  /** Bots only. */
  delivery?: BotDelivery;
}

export function authorizerContextFor(participant: ParticipantRecord): AuthorizerContext {
  return {
    conversation_id: participant.conversationId,
    participant_id: participant.id,
    participant_name: participant.name,
    participant_type: participant.type,
    is_required: participant.isRequired,
    is_manager: participant.isManager,
    ...(participant.delivery ? { delivery: participant.delivery } : {}),
  };
}

const PARTICIPANT_TYPES: ReadonlySet<unknown> = new Set(Object.values(ParticipantType));
const DELIVERIES: ReadonlySet<unknown> = new Set(Object.values(BotDelivery));

/** The participant in `requestContext.authorizer`, or undefined when there is none or it is incomplete. */
export function participantFromAuthorizer(authorizer: unknown): ParticipantRecord | undefined {
  if (typeof authorizer !== 'object' || authorizer === null) return undefined;
  const context = authorizer as Record<string, unknown>;
  const { conversation_id, participant_id, participant_name, participant_type, delivery } = context;
  if (!nonEmptyString(conversation_id) || !nonEmptyString(participant_id) || !nonEmptyString(participant_name)) {
    return undefined;
  }
  if (!PARTICIPANT_TYPES.has(participant_type)) return undefined;
  const isRequired = flag(context.is_required);
  const isManager = flag(context.is_manager);
  if (isRequired === undefined || isManager === undefined) return undefined;
  if (delivery !== undefined && !DELIVERIES.has(delivery)) return undefined;
  return {
    id: participant_id,
    conversationId: conversation_id,
    name: participant_name,
    type: participant_type as ParticipantType,
    isRequired,
    isManager,
    ...(delivery !== undefined ? { delivery: delivery as BotDelivery } : {}),
  };
}

/** The connection and its participant, from the authorizer's context and the event's own fields. */
export function authorizedConnection(requestContext: {
  connectionId: string;
  connectedAt: number;
  authorizer?: unknown;
}): ConnectionOwner | undefined {
  const participant = participantFromAuthorizer(requestContext.authorizer);
  if (!participant) return undefined;
  return {
    participant,
    connection: {
      connectionId: requestContext.connectionId,
      conversationId: participant.conversationId,
      participantId: participant.id,
      participantType: participant.type,
      connectedAt: requestContext.connectedAt,
    },
  };
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function flag(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  return undefined;
}
