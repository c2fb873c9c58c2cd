import type { Broadcaster } from './broadcaster';
import { waitBeforeRetry } from './commit-backoff';
import { buildState } from './delivery';
import { ConversationError, describeError, ErrorCode } from './errors';
import { buildSystemMessage, participantMetadata } from './message-builder';
import { ConcurrentChange, MAX_COMMIT_ATTEMPTS, type Clock, type ConversationStore, type IdSource, type Logger } from './ports';
import type { ConnectionRecord, ParticipantRecord } from './records';
import { participantForToken } from './token-authentication';
import { ParticipantType, SystemEvent, type WireMessage } from './wire';

export interface ArrivalDependencies {
  store: Pick<ConversationStore, 'findTokenOwner' | 'getConversation' | 'commit' | 'loadRoster'>;
  broadcaster: Broadcaster;
  clock: Clock;
  ids: IdSource;
  log: Logger;
}

export interface ConnectRequest {
  connectionId: string;
  /**
   * The participant the `$connect` authorizer already authenticated (API Gateway hands its context
   * to `$connect`); without it, `token` is looked up here.
   */
  participant?: ParticipantRecord;
  token?: string;
  /** Optional `conversation_id` query parameter: must match the token's conversation. */
  conversationId?: string;
  /** Epoch ms (API Gateway's `connectedAt`). */
  connectedAt: number;
}

export type ConnectOutcome =
  | { accepted: true; participant: ParticipantRecord }
  | { accepted: false; error: ConversationError };

/**
 * The seed's `connect()`: a connection joining its conversation on `$connect`. Apart from the rest
 * of the consumer, so the `$connect` Lambda bundles no message handling.
 */
export class ConnectionArrival {
  constructor(private readonly deps: ArrivalDependencies) {}

  /** `$connect`: authenticates, records the connection, announces a human, broadcasts `state`. Refuses without writing. */
  async connect(request: ConnectRequest): Promise<ConnectOutcome> {
    const { store, broadcaster, clock, ids, log } = this.deps;
    const refused = (code: ErrorCode, message: string): ConnectOutcome => {
      log.info('connection refused', { connection_id: request.connectionId, code });
      return { accepted: false, error: new ConversationError(code, message) };
    };
    let participant = request.participant;
    if (!participant) {
      if (!request.token) return refused(ErrorCode.MISSING_TOKEN, 'a token query parameter is required');
      participant = await participantForToken(store, request.token);
      if (!participant) return refused(ErrorCode.INVALID_TOKEN, 'unknown token');
    }
    if (request.conversationId !== undefined && request.conversationId !== participant.conversationId) {
      return refused(ErrorCode.FOREIGN_CONVERSATION, 'the token belongs to another conversation');
    }

    const connection: ConnectionRecord = {
      connectionId: request.connectionId,
      conversationId: participant.conversationId,
      participantId: participant.id,
      participantType: participant.type,
      connectedAt: request.connectedAt,
    };
    const joined: WireMessage[] = [];
    for (let attempt = 1; ; attempt++) {
      const conversation = await store.getConversation(participant.conversationId);
      if (!conversation) return refused(ErrorCode.UNKNOWN_CONVERSATION, 'the conversation does not exist');
      if (conversation.ended) return refused(ErrorCode.CONVERSATION_ENDED, 'the conversation has ended');
      joined.length = 0;
      // Bots are announced when the conversation is created; humans each time they connect.
      if (participant.type === ParticipantType.HUMAN) {
        joined.push({
          ...buildSystemMessage(
            ids.randomId(),
            SystemEvent.PARTICIPANT_JOINED,
            clock.now(),
            participantMetadata(participant),
          ),
          seq: conversation.lastSeq + 1,
        });
      }
      try {
        await store.commit({
          conversationId: conversation.id,
          expected: { lastSeq: conversation.lastSeq, rosterVersion: conversation.rosterVersion },
          lastSeq: conversation.lastSeq + joined.length,
          rosterVersion: conversation.rosterVersion + 1,
          requireOpen: true,
          messages: joined,
          addConnection: { connection, participant },
        });
        break;
      } catch (error) {
        if (!(error instanceof ConcurrentChange)) throw error;
        if (attempt >= MAX_COMMIT_ATTEMPTS) return refused(ErrorCode.BUSY, 'the conversation is busy; try again');
        await waitBeforeRetry(attempt);
      }
    }
    log.info('participant connected', {
      conversation_id: participant.conversationId,
      participant_id: participant.id,
      connection_id: request.connectionId,
    });

    // The new connection cannot be written to until `$connect` returns: it asks with `sync`.
    const exclude = new Set([request.connectionId]);
    try {
      const roster = await store.loadRoster(participant.conversationId);
      if (roster) {
        for (const message of joined) await broadcaster.broadcastMessage(message, roster, exclude);
        await broadcaster.postState(buildState(roster), roster.connections, exclude);
      }
    } catch (error) {
      // The connection is recorded: a failed announcement must not refuse it.
      log.error('announcing a new connection failed', { connection_id: request.connectionId, error: describeError(error) });
    }
    return { accepted: true, participant };
  }
}
