import { Broadcaster, type BroadcasterDependencies } from './broadcaster';
import { waitBeforeRetry } from './commit-backoff';
import { buildSystemMessage, participantMetadata } from './message-builder';
import {
  ConcurrentChange,
  ConnectionAlreadyGone,
  MAX_COMMIT_ATTEMPTS,
  type Clock,
  type ConversationStore,
  type IdSource,
  type Logger,
} from './ports';
import type { ConnectionOwner, ConversationConnections } from './records';
import { SystemEvent, type WireMessage } from './wire';

export interface DepartureDependencies {
  store: Pick<ConversationStore, 'findConnection' | 'loadConnections' | 'forgetConnection' | 'commit'>;
  broadcaster: Broadcaster;
  clock: Clock;
  ids: IdSource;
  log: Logger;
}

/**
 * A connection leaving its conversation: on `$disconnect`, and when a fan-out finds it gone (410),
 * from the WebSocket Lambdas and the HTTP API alike. Apart from the consumer so the HTTP API can
 * remove a gone connection without bundling the consumer.
 */
export class ConnectionDeparture {
  constructor(private readonly deps: DepartureDependencies) {}

  /**
   * Removes the connection, stores `participant-left` (and `conversation-ended` for a required
   * participant) and broadcasts them and `state`. Safe to run twice and for a connection already
   * gone: the removal is conditional on the connection's record, so trusting `authorized` (who the
   * `$connect` authorizer said it is) keeps it idempotent; without it the record is looked up.
   */
  async leave(connectionId: string, closeCode?: number, authorized?: ConnectionOwner): Promise<void> {
    const { store, broadcaster, log } = this.deps;
    const owner = authorized ?? (await store.findConnection(connectionId));
    if (!owner) {
      log.debug('disconnect of an unknown connection', { connection_id: connectionId });
      return;
    }
    const { connection, participant } = owner;
    let snapshot: ConversationConnections | undefined;
    let messages: WireMessage[] = [];
    for (let attempt = 1; ; attempt++) {
      snapshot = await store.loadConnections(connection.conversationId);
      if (!snapshot) {
        await store.forgetConnection(connection);
        return;
      }
      const { conversation } = snapshot;
      const now = this.deps.clock.now();
      messages = [
        buildSystemMessage(this.deps.ids.randomId(), SystemEvent.PARTICIPANT_LEFT, now, participantMetadata(participant)),
      ];
      const ends = participant.isRequired && !conversation.ended;
      if (ends) {
        messages.push(
          buildSystemMessage(this.deps.ids.randomId(), SystemEvent.CONVERSATION_ENDED, now, { participant_id: participant.id }),
        );
      }
      messages = messages.map((message, index) => ({ ...message, seq: conversation.lastSeq + index + 1 }));
      try {
        await store.commit({
          conversationId: conversation.id,
          expected: { lastSeq: conversation.lastSeq, rosterVersion: conversation.rosterVersion },
          lastSeq: conversation.lastSeq + messages.length,
          rosterVersion: conversation.rosterVersion,
          requireOpen: false,
          end: ends,
          messages,
          removeConnection: connection,
        });
        if (ends) snapshot = { ...snapshot, conversation: { ...conversation, ended: true } };
        break;
      } catch (error) {
        if (error instanceof ConnectionAlreadyGone) return;
        if (!(error instanceof ConcurrentChange) || attempt >= MAX_COMMIT_ATTEMPTS) throw error;
        await waitBeforeRetry(attempt);
      }
    }
    log.info('participant disconnected', {
      conversation_id: connection.conversationId,
      participant_id: participant.id,
      connection_id: connectionId,
      close_code: closeCode,
      ended_conversation: messages.length > 1,
    });
    const others = {
      ...snapshot,
      connections: snapshot.connections.filter((c) => c.connectionId !== connectionId),
    };
    for (const message of messages) await broadcaster.broadcastMessage(message, others);
    await broadcaster.broadcastState(connection.conversationId);
  }
}

/**
 * A `Broadcaster` and a `ConnectionDeparture` that share it: a connection the broadcaster finds
 * gone (410) leaves through the departure, whose announcements go out through the broadcaster.
 */
export function createDelivery(
  deps: Omit<BroadcasterDependencies, 'removeGoneConnection'> & Omit<DepartureDependencies, 'broadcaster'>,
): { broadcaster: Broadcaster; departures: ConnectionDeparture } {
  const broadcaster: Broadcaster = new Broadcaster({ ...deps, removeGoneConnection: (connectionId) => departures.leave(connectionId) });
  const departures = new ConnectionDeparture({ ...deps, broadcaster });
  return { broadcaster, departures };
}
