import type { Broadcaster } from './broadcaster';
import { ConnectionArrival, type ConnectOutcome, type ConnectRequest } from './connection-arrival';
import { createDelivery, type ConnectionDeparture } from './connection-departure';
import { MessageIntake, type ReplyOutcome } from './message-intake';
import type { BotQueueSender, Clock, ConnectionPoster, ConversationStore, IdSource, Logger } from './ports';
import type { ConnectionOwner, ConversationConnections } from './records';
import type { ConversationState, WireMessage } from './wire';

export type { ConnectOutcome, ConnectRequest } from './connection-arrival';
export type { ReplyOutcome } from './message-intake';
// The fan-out's: how long a connection answering 410 is still kept.
export { NEW_CONNECTION_GRACE_MS } from './broadcaster';

export interface ConsumerDependencies {
  store: ConversationStore;
  poster: ConnectionPoster;
  botQueues: BotQueueSender;
  clock: Clock;
  ids: IdSource;
  log: Logger;
  /** How young a connection may be and still be kept on a 410. @default NEW_CONNECTION_GRACE_MS */
  newConnectionGraceMs?: number;
}

/**
 * The `ConversationConsumer` of the original system, without a long-lived socket: each method runs
 * inside one Lambda invocation and keeps all state in the store. Method names follow the seed.
 * It puts together the parts each Lambda can also use alone (so its bundle holds only its part):
 * `ConnectionArrival` (`connect`), `MessageIntake` (`receive`), `ConnectionDeparture`
 * (`disconnect`) and the `Broadcaster` (the delivery methods).
 */
export class ConversationConsumer {
  private readonly broadcaster: Broadcaster;
  private readonly departures: ConnectionDeparture;
  private readonly arrival: ConnectionArrival;
  private readonly intake: MessageIntake;

  constructor(deps: ConsumerDependencies) {
    ({ broadcaster: this.broadcaster, departures: this.departures } = createDelivery(deps));
    this.arrival = new ConnectionArrival({ ...deps, broadcaster: this.broadcaster });
    this.intake = new MessageIntake({ ...deps, broadcaster: this.broadcaster });
  }

  /** `$connect`: authenticates, records the connection, announces a human, broadcasts `state`. Refuses without writing. */
  async connect(request: ConnectRequest): Promise<ConnectOutcome> {
    return this.arrival.connect(request);
  }

  /** `$default`: one frame from a connection; refusals are answered with an `error` frame. */
  async receive(connectionId: string, body: string | undefined, authorized?: ConnectionOwner): Promise<void> {
    return this.intake.receive(connectionId, body, authorized);
  }

  /** `$disconnect`: safe to run twice and for a connection that is already gone. */
  async disconnect(connectionId: string, closeCode?: number, authorized?: ConnectionOwner): Promise<void> {
    return this.departures.leave(connectionId, closeCode, authorized);
  }

  /** A reply from a `queue` bot taken from the replies queue. Throws `ConversationError` when refused. */
  async receiveBotReply(reply: unknown): Promise<ReplyOutcome> {
    return this.intake.receiveBotReply(reply);
  }

  // ---- the seed's delivery methods (the `Broadcaster` does the fan-out) ----

  /** `deliver_message`: one `message` frame to one connection. */
  async deliverMessage(connectionId: string, message: WireMessage): Promise<'delivered' | 'gone'> {
    return this.broadcaster.deliverMessage(connectionId, message);
  }

  /** `deliver_state`: one `state` frame to one connection. */
  async deliverState(connectionId: string, state: ConversationState): Promise<'delivered' | 'gone'> {
    return this.broadcaster.deliverState(connectionId, state);
  }

  /** `broadcast_state`: the conversation's `state` to every live connection of it. */
  async broadcastState(conversationId: string, exclude: ReadonlySet<string> = new Set()): Promise<void> {
    return this.broadcaster.broadcastState(conversationId, exclude);
  }

  /** `broadcast_message`: a stored message to everyone who may see it (see `planBroadcast`). */
  async broadcastMessage(
    message: WireMessage,
    target: ConversationConnections,
    exclude: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    return this.broadcaster.broadcastMessage(message, target, exclude);
  }

  /**
   * `deliver_message_to_bot`: to one bot (by name or id) of the message's conversation, with fields
   * replaced; `redirectedBy` is the manager message that asked for it.
   */
  async deliverMessageToBot(
    message: WireMessage,
    botNameOrParticipantId: string,
    fieldOverrides: Record<string, unknown>,
    target: ConversationConnections,
    redirectedBy?: string,
  ): Promise<void> {
    return this.broadcaster.deliverMessageToBot(message, botNameOrParticipantId, fieldOverrides, target, redirectedBy);
  }

  /** `deliver_message_to_bot_manager`: to the manager's FIFO queue, in conversation order. */
  async deliverMessageToBotManager(message: WireMessage, target: ConversationConnections): Promise<void> {
    return this.broadcaster.deliverMessageToBotManager(message, target);
  }
}
