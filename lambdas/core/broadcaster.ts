import { findBot, buildState, managerOf, planBroadcast, type DeliveryPlan } from './delivery';
import { describeError } from './errors';
import { withOverrides } from './message-builder';
import type { BotQueueSender, Clock, ConnectionPoster, ConversationStore, Logger, PostReport } from './ports';
import { deduplicationId } from './queue-ids';
import type { ConnectionRecord, ConversationBot, ConversationConnections } from './records';
import { encodeFrame, type ConversationState, type WireMessage } from './wire';

/**
 * A connection this young may still be inside its `$connect` (API Gateway answers 410 until it
 * returns; the integration timeout is 29 s), so a 410 does not prove it is gone.
 */
export const NEW_CONNECTION_GRACE_MS = 30_000;

export interface BroadcasterDependencies {
  store: Pick<ConversationStore, 'loadRoster'>;
  poster: ConnectionPoster;
  botQueues: BotQueueSender;
  clock: Clock;
  log: Logger;
  /** How young a connection may be and still be kept on a 410. @default NEW_CONNECTION_GRACE_MS */
  newConnectionGraceMs?: number;
  /** Makes a connection API Gateway reported gone (410) leave as `$disconnect` would (`ConnectionDeparture`). */
  removeGoneConnection: (connectionId: string) => Promise<void>;
}

/** A message's fan-out, ready to go once its commit landed. */
export interface PreparedBroadcast {
  deliver(): Promise<void>;
  cancel(): void;
}

/**
 * The seed's delivery methods (`deliver_message`, `broadcast_state`, …): frames to connections
 * through the management API, messages to queue bots through their queues. Who sees what is
 * `planBroadcast`'s. Apart from the consumer so the HTTP API can announce without bundling it.
 */
export class Broadcaster {
  constructor(private readonly deps: BroadcasterDependencies) {}

  /** `deliver_message`: one `message` frame to one connection. */
  async deliverMessage(connectionId: string, message: WireMessage): Promise<'delivered' | 'gone'> {
    return this.deps.poster.postToOne(connectionId, encodeFrame({ message }));
  }

  /** `deliver_state`: one `state` frame to one connection. */
  async deliverState(connectionId: string, state: ConversationState): Promise<'delivered' | 'gone'> {
    return this.deps.poster.postToOne(connectionId, encodeFrame({ state }));
  }

  /** `broadcast_state`: the conversation's `state` to every live connection of it. */
  async broadcastState(conversationId: string, exclude: ReadonlySet<string> = new Set()): Promise<void> {
    const roster = await this.deps.store.loadRoster(conversationId);
    if (roster) await this.postState(buildState(roster), roster.connections, exclude);
  }

  /**
   * `broadcast_message`: a stored message to everyone who may see it (see `planBroadcast`):
   * connections through the management API, queue bots through their queues.
   */
  async broadcastMessage(
    message: WireMessage,
    target: ConversationConnections,
    exclude: ReadonlySet<string> = new Set(),
  ): Promise<void> {
    const plan = planBroadcast(message, target.conversation, target.connections, exclude);
    await this.completeBroadcast(message, target, plan, this.deps.poster.postToMany(plan.connectionIds, encodeFrame({ message })));
  }

  /**
   * `broadcast_message` made ready while the message's commit is in flight, so that once it
   * lands only the sending is left: `deliver()` after the commit, `cancel()` when it failed.
   */
  prepareMessageBroadcast(
    message: WireMessage,
    target: ConversationConnections,
    exclude: ReadonlySet<string> = new Set(),
  ): PreparedBroadcast {
    const plan = planBroadcast(message, target.conversation, target.connections, exclude);
    const posts = this.deps.poster.prepareMany(plan.connectionIds, encodeFrame({ message }));
    return {
      deliver: () => this.completeBroadcast(message, target, plan, posts.send()),
      cancel: () => posts.cancel(),
    };
  }

  private async completeBroadcast(
    message: WireMessage,
    target: ConversationConnections,
    plan: DeliveryPlan,
    posting: Promise<PostReport>,
  ): Promise<void> {
    const conversationId = target.conversation.id;
    const [posts, ...sends] = await Promise.allSettled([
      posting,
      ...plan.queueBots.map((bot) => this.sendToQueue(conversationId, bot, message)),
    ]);
    if (posts?.status === 'fulfilled') {
      if (posts.value.gone.length > 0) await this.forgetGone(posts.value.gone, target.connections);
    } else {
      this.deps.log.error('fan-out failed', { conversation_id: conversationId, message_id: message.id, error: describeError(posts?.reason) });
    }
    const failedSend = sends.find((send) => send.status === 'rejected');
    // A queue bot that never hears of a message would stall the conversation: fail loudly so it is retried.
    if (failedSend) throw (failedSend as PromiseRejectedResult).reason;
  }

  /**
   * `deliver_message_to_bot`: to one bot (by name or id) of the message's conversation, with fields
   * replaced. `redirectedBy` is the id of the manager message that asked for it (see `deduplicationId`).
   */
  async deliverMessageToBot(
    message: WireMessage,
    botNameOrParticipantId: string,
    fieldOverrides: Record<string, unknown>,
    target: ConversationConnections,
    redirectedBy?: string,
  ): Promise<void> {
    const bot = findBot(target.conversation, botNameOrParticipantId);
    if (!bot) {
      this.deps.log.warn('no such bot in the conversation; nothing delivered', {
        conversation_id: target.conversation.id,
        bot: botNameOrParticipantId,
        message_id: message.id,
      });
      return;
    }
    const copy = withOverrides(message, fieldOverrides);
    if (bot.delivery === 'queue') {
      await this.sendToQueue(target.conversation.id, bot, copy, redirectedBy);
      return;
    }
    const connectionIds = target.connections.filter((c) => c.participantId === bot.id).map((c) => c.connectionId);
    if (connectionIds.length === 0) {
      this.deps.log.warn('bot has no live connection; nothing delivered', { bot: bot.name, message_id: message.id });
      return;
    }
    const report = await this.deps.poster.postToMany(connectionIds, encodeFrame({ message: copy }));
    if (report.gone.length > 0) await this.forgetGone(report.gone, target.connections);
  }

  /** `deliver_message_to_bot_manager`: to the manager's FIFO queue, in conversation order. */
  async deliverMessageToBotManager(message: WireMessage, target: ConversationConnections): Promise<void> {
    const manager = managerOf(target.conversation);
    if (manager) await this.sendToQueue(target.conversation.id, manager, message);
  }

  /** A `state` frame to these connections but the excluded ones. */
  async postState(
    state: ConversationState,
    connections: readonly ConnectionRecord[],
    exclude: ReadonlySet<string>,
  ): Promise<void> {
    const ids = connections.map((c) => c.connectionId).filter((id) => !exclude.has(id));
    const report = await this.deps.poster.postToMany(ids, encodeFrame({ state }));
    if (report.gone.length > 0) await this.forgetGone(report.gone, connections);
  }

  /** One message to one queue bot, in its conversation's FIFO group. */
  async sendToQueue(conversationId: string, bot: ConversationBot, message: WireMessage, redirectedBy?: string): Promise<void> {
    await this.deps.botQueues.send({
      botName: bot.name,
      body: { conversation_id: conversationId, bot_participant_id: bot.id, message },
      groupId: conversationId,
      deduplicationId: deduplicationId(message.id, message.approval_status, redirectedBy),
    });
  }

  /**
   * Connections API Gateway reported gone (410) leave as if `$disconnect` had come (it is
   * best-effort), except very young ones that may still be inside their `$connect`.
   */
  private async forgetGone(goneIds: readonly string[], connections: readonly ConnectionRecord[]): Promise<void> {
    const remove = this.deps.removeGoneConnection;
    const now = this.deps.clock.now().getTime();
    const graceMs = this.deps.newConnectionGraceMs ?? NEW_CONNECTION_GRACE_MS;
    for (const id of goneIds) {
      const record = connections.find((c) => c.connectionId === id);
      if (record && now - record.connectedAt < graceMs) continue;
      this.deps.log.info('connection gone (410); removing it', { connection_id: id });
      try {
        await remove(id);
      } catch (error) {
        this.deps.log.error('removing a gone connection failed', { connection_id: id, error: describeError(error) });
      }
    }
  }
}
