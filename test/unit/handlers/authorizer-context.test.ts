import type { ParticipantRecord } from '../../../lambdas/core/records';
import {
  authorizedConnection,
  authorizerContextFor,
  participantFromAuthorizer,
} from '../../../lambdas/handlers/authorizer-context';

const human: ParticipantRecord = {
  id: '7d0f8c2e-1b7a-4c53-9a57-1f2f3c4d5e6f',
  conversationId: 'c1a2b3c4-d5e6-4f70-8a9b-0c1d2e3f4a5b',
  name: 'Ana',
  type: 'H',
  isRequired: false,
  isManager: false,
};
const requiredBot: ParticipantRecord = {
  ...human,
  id: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  name: 'Keeper',
  type: 'B',
  isRequired: true,
  delivery: 'websocket',
};

/** What API Gateway hands back: every value a string, plus `principalId`. */
function asDelivered(context: object, principalId = 'p'): Record<string, string> {
  return { ...Object.fromEntries(Object.entries(context).map(([key, value]) => [key, String(value)])), principalId };
}

describe('authorizer context', () => {
  it.each([
    ['a human', human],
    ['a required websocket bot', requiredBot],
    ['the manager', { ...requiredBot, isRequired: false, isManager: true, delivery: 'queue' } as ParticipantRecord],
  ])('carries %s through API Gateway and back, scalars only', (_label, participant) => {
    // given the context the authorizer returns
    const context = authorizerContextFor(participant);

    // then every value is a scalar (API Gateway refuses objects and arrays)
    for (const value of Object.values(context)) expect(['string', 'boolean']).toContain(typeof value);
    // and the participant comes back whole, whether the values arrive typed or stringified
    expect(participantFromAuthorizer(context)).toEqual(participant);
    expect(participantFromAuthorizer(asDelivered(context))).toEqual(participant);
  });

  it('names the context keys in snake_case, as the wire format does', () => {
    expect(authorizerContextFor(requiredBot)).toEqual({
      conversation_id: requiredBot.conversationId,
      participant_id: requiredBot.id,
      participant_name: 'Keeper',
      participant_type: 'B',
      is_required: true,
      is_manager: false,
      delivery: 'websocket',
    });
  });

  it.each([
    ['no authorizer', undefined],
    ['null', null],
    ['a string', 'Ana'],
    ['no conversation id', { ...authorizerContextFor(human), conversation_id: undefined }],
    ['an empty participant id', { ...authorizerContextFor(human), participant_id: '' }],
    ['no name', { ...authorizerContextFor(human), participant_name: undefined }],
    ['an unknown participant type', { ...authorizerContextFor(human), participant_type: 'S' }],
    ['a flag that is not a boolean', { ...authorizerContextFor(human), is_required: 'yes' }],
    ['a missing flag', { ...authorizerContextFor(human), is_manager: undefined }],
    ['an unknown delivery', { ...authorizerContextFor(requiredBot), delivery: 'carrier-pigeon' }],
    ['only a principalId (another authorizer)', { principalId: 'someone' }],
  ])('finds no participant in %s, so the handler looks the connection up instead', (_label, authorizer) => {
    expect(participantFromAuthorizer(authorizer)).toBeUndefined();
    expect(authorizedConnection({ connectionId: 'abc=', connectedAt: 1, authorizer })).toBeUndefined();
  });

  it('builds the connection from the event: its id and connectedAt, the participant from the context', () => {
    const owner = authorizedConnection({
      connectionId: 'Xyz0123456789a=',
      connectedAt: 1_764_000_000_000,
      authorizer: asDelivered(authorizerContextFor(human)),
    });
    expect(owner).toEqual({
      participant: human,
      connection: {
        connectionId: 'Xyz0123456789a=',
        conversationId: human.conversationId,
        participantId: human.id,
        participantType: 'H',
        connectedAt: 1_764_000_000_000,
      },
    });
  });
});
