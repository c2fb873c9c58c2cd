import { isMessageFrameText, parseClientFrameText, parseMessageDraft, type ClientFrame, type MessageDraft } from './client-frame';
import { Broadcaster } from './broadcaster';
import { waitBeforeRetry } from './commit-backoff';
import { ConnectionDeparture } from './connection-departure';
import { buildState, managerOf, planBroadcast } from './delivery';
import { ConversationError, ErrorCode } from './errors';
import { parseManagerCommand, type ManagerCommand } from './manager-command';
import { buildMessage, buildSystemMessage, participantMetadata } from './message-builder';
import { messageIdForLocalId } from './message-ids';
import { mayResendToQueues } from './queue-ids';
import {
  AlreadyApproved,
  ConcurrentChange,
  MAX_COMMIT_ATTEMPTS,
  DuplicateMessage,
  type BotQueueSender,
  type Clock,
  type ConnectionPoster,
  type ConversationChange,
  type ConversationStore,
  type IdSource,
  type Logger,
} from './ports';
import type {
  ConnectionOwner,
  ConnectionRecord,
  ConversationBot,
  ConversationConnections,
  ParticipantRecord,
} from './records';
import { participantForToken } from './token-authentication';
import {
  ApprovalStatus,
  ParticipantType,
  SystemEvent,
  type ConversationState,
  type ServerFrame,
  type WireMessage,
} from './wire';

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

export interface ReplyOutcome {
  messageId: string;
  duplicate: boolean;
}

// The fan-out's: how long a connection answering 410 is still kept.
export { NEW_CONNECTION_GRACE_MS } from './broadcaster';
/** Messages read per page while replaying a `sync`. */
const SYNC_PAGE_SIZE = 100;
const NOT_REGISTERED = 'this connection is not registered; reconnect';

/**
 * The `ConversationConsumer` of the original system, without a long-lived socket: each method runs
 * inside one Lambda invocation and keeps all state in the store. Method names follow the seed.
 */
export class ConversationConsumer {
  private readonly store: ConversationStore;
  private readonly poster: ConnectionPoster;
  private readonly clock: Clock;
  private readonly ids: IdSource;
  private readonly log: Logger;
  /** The seed's delivery methods; a connection found gone leaves through `departures`. */
  private readonly broadcaster: Broadcaster;
  private readonly departures: ConnectionDeparture;

  constructor(deps: ConsumerDependencies) {
    this.store = deps.store;
    this.poster = deps.poster;
    this.clock = deps.clock;
    this.ids = deps.ids;
    this.log = deps.log;
    this.broadcaster = new Broadcaster({ ...deps, removeGoneConnection: (connectionId) => this.disconnect(connectionId) });
    this.departures = new ConnectionDeparture({ ...deps, broadcaster: this.broadcaster });
  }

  /** `$connect`: authenticates, records the connection, announces a human, broadcasts `state`. Refuses without writing. */
  async connect(request: ConnectRequest): Promise<ConnectOutcome> {
    const refused = (code: ErrorCode, message: string): ConnectOutcome => {
      this.log.info('connection refused', { connection_id: request.connectionId, code });
      return { accepted: false, error: new ConversationError(code, message) };
    };
    let participant = request.participant;
    if (!participant) {
      if (!request.token) return refused(ErrorCode.MISSING_TOKEN, 'a token query parameter is required');
      participant = await participantForToken(this.store, request.token);
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
      const conversation = await this.store.getConversation(participant.conversationId);
      if (!conversation) return refused(ErrorCode.UNKNOWN_CONVERSATION, 'the conversation does not exist');
      if (conversation.ended) return refused(ErrorCode.CONVERSATION_ENDED, 'the conversation has ended');
      joined.length = 0;
      // Bots are announced when the conversation is created; humans each time they connect.
      if (participant.type === ParticipantType.HUMAN) {
        joined.push({
          ...buildSystemMessage(
            this.ids.randomId(),
            SystemEvent.PARTICIPANT_JOINED,
            this.clock.now(),
            participantMetadata(participant),
          ),
          seq: conversation.lastSeq + 1,
        });
      }
      try {
        await this.store.commit({
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
    this.log.info('participant connected', {
      conversation_id: participant.conversationId,
      participant_id: participant.id,
      connection_id: request.connectionId,
    });

    // The new connection cannot be written to until `$connect` returns: it asks with `sync`.
    const exclude = new Set([request.connectionId]);
    try {
      const roster = await this.store.loadRoster(participant.conversationId);
      if (roster) {
        for (const message of joined) await this.broadcastMessage(message, roster, exclude);
        await this.postState(buildState(roster), roster.connections, exclude);
      }
    } catch (error) {
      // The connection is recorded: a failed announcement must not refuse it.
      this.log.error('announcing a new connection failed', { connection_id: request.connectionId, error: describe(error) });
    }
    return { accepted: true, participant };
  }

  /**
   * `$default`: one frame from a connection. Refusals are answered with an `error` frame.
   * `authorized` is who the `$connect` authorizer said the connection is (API Gateway repeats its
   * context on every frame): a message then needs no lookup of the connection, and the read fan-out
   * makes anyway checks that it is still registered. Without it, the connection is looked up.
   */
  async receive(connectionId: string, body: string | undefined, authorized?: ConnectionOwner): Promise<void> {
    try {
      const frame = await this.parseFrame(connectionId, body ?? '', authorized);
      if (frame.kind === 'message') {
        const sender = authorized ?? (await this.registeredConnection(connectionId));
        await this.acceptMessage(sender.participant, frame.draft, connectionId);
        return;
      }
      // Control frames are rare: they confirm the registration with a read of their own.
      const owner = await this.registeredConnection(connectionId);
      if (frame.kind === 'ping') {
        const conversation = await this.store.getConversation(owner.connection.conversationId);
        await this.poster.postToOne(
          connectionId,
          encode({ pong: { last_seq: conversation?.lastSeq ?? 0, connection_id: connectionId } }),
        );
      } else {
        await this.replay(owner.connection, frame.afterSeq);
      }
    } catch (error) {
      await this.answerError(connectionId, error);
    }
  }

  /**
   * A malformed message frame on an ended conversation is answered `conversation_ended` (SPEC 4.2):
   * the client must learn that no message can be sent any more, not what was wrong with this one.
   * Only refused frames pay for the extra read.
   */
  private async parseFrame(connectionId: string, text: string, authorized?: ConnectionOwner): Promise<ClientFrame> {
    try {
      return parseClientFrameText(text);
    } catch (error) {
      if (!(error instanceof ConversationError) || !isMessageFrameText(text)) throw error;
      let ended = false;
      try {
        const conversationId =
          authorized?.participant.conversationId ?? (await this.store.findConnection(connectionId))?.connection.conversationId;
        ended = conversationId !== undefined && (await this.store.getConversation(conversationId))?.ended === true;
      } catch (lookupError) {
        this.log.warn('could not tell whether the conversation ended', { connection_id: connectionId, error: describe(lookupError) });
      }
      if (ended) throw new ConversationError(ErrorCode.CONVERSATION_ENDED, 'the conversation has ended', error.localId);
      throw error;
    }
  }

  /** `$disconnect`: safe to run twice and for a connection that is already gone. */
  async disconnect(connectionId: string, closeCode?: number, authorized?: ConnectionOwner): Promise<void> {
    return this.departures.leave(connectionId, closeCode, authorized);
  }

  /**
   * A reply from a `queue` bot (the manager included) taken from the replies queue: validated and
   * stored like a WebSocket frame. Throws `ConversationError` when refused.
   */
  async receiveBotReply(reply: unknown): Promise<ReplyOutcome> {
    if (typeof reply !== 'object' || reply === null || Array.isArray(reply)) {
      throw new ConversationError(ErrorCode.INVALID_FRAME, 'a reply must be a JSON object');
    }
    const { conversation_id: conversationId, bot_participant_id: botId, message } = reply as Record<string, unknown>;
    if (typeof conversationId !== 'string' || typeof botId !== 'string') {
      throw new ConversationError(ErrorCode.INVALID_FRAME, 'a reply needs conversation_id and bot_participant_id strings');
    }
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      throw new ConversationError(ErrorCode.INVALID_FRAME, 'a reply needs a message object');
    }
    const conversation = await this.store.getConversation(conversationId);
    if (!conversation) throw new ConversationError(ErrorCode.UNKNOWN_CONVERSATION, 'the conversation does not exist');
    const bot = conversation.bots.find((candidate) => candidate.id === botId);
    if (!bot || bot.delivery !== 'queue') {
      throw new ConversationError(ErrorCode.NOT_A_QUEUE_BOT, 'bot_participant_id is not a queue bot of this conversation');
    }
    const draft = parseMessageDraft(message as Record<string, unknown>);
    return this.acceptMessage(botParticipant(conversationId, bot), draft, undefined);
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

  // ---- storing ----

  /** Stores a message from a participant (SPEC 3) and delivers it; then applies the manager's command. */
  private async acceptMessage(
    sender: ParticipantRecord,
    draft: MessageDraft,
    replyConnectionId: string | undefined,
  ): Promise<ReplyOutcome> {
    const conversationId = sender.conversationId;
    const fail = (code: ErrorCode, message: string) => new ConversationError(code, message, draft.local_id);
    let snapshot = await this.store.loadConnections(conversationId);
    if (!snapshot) throw fail(ErrorCode.UNKNOWN_CONVERSATION, 'the conversation does not exist');
    if (snapshot.conversation.ended) throw fail(ErrorCode.CONVERSATION_ENDED, 'the conversation has ended');
    if (replyConnectionId && !snapshot.connections.some((c) => c.connectionId === replyConnectionId)) {
      throw fail(ErrorCode.NOT_CONNECTED, NOT_REGISTERED);
    }

    // Only the manager's commands act on the quoted message; for anyone else its existence is enough.
    let quoted: WireMessage | undefined;
    let quoteFound = true;
    if (draft.quoted_message_id && sender.isManager) {
      quoted = await this.store.findMessage(conversationId, draft.quoted_message_id);
      quoteFound = quoted !== undefined;
    } else if (draft.quoted_message_id) {
      quoteFound = await this.store.messageExists(conversationId, draft.quoted_message_id);
    }
    if (!quoteFound) {
      throw fail(ErrorCode.UNKNOWN_QUOTED_MESSAGE, 'quoted_message_id is not a message of this conversation');
    }

    const command = sender.isManager ? parseManagerCommand(draft.command) : undefined;
    if (!sender.isManager && draft.command !== undefined) {
      this.log.warn('command from a participant other than the manager dropped', { participant_id: sender.id });
      // Without its command, an empty text message is just empty.
      if (draft.type === 'T' && !draft.text?.trim()) throw fail(ErrorCode.EMPTY_MESSAGE, 'a text message needs a non-empty text');
    }
    for (const warning of command?.warnings ?? []) {
      this.log.warn('manager command partly ignored', { conversation_id: conversationId, reason: warning });
    }
    const author = await this.authorOf(sender, command);
    const approval = approvalFor(sender, command, managerOf(snapshot.conversation) !== undefined);
    const id = draft.local_id ? messageIdForLocalId(conversationId, sender.id, draft.local_id) : this.ids.randomId();
    const base = buildMessage(
      id,
      draft,
      { sender: author, sentByManager: sender.isManager, keepCommand: sender.isManager },
      approval,
      this.clock.now(),
    );

    let stored: WireMessage;
    for (let attempt = 1; ; attempt++) {
      const { conversation } = snapshot;
      const approved = approval !== ApprovalStatus.NOT_APPROVED;
      // Timed after reading the snapshot it commits on: the message before it in `seq` was timed
      // before its own commit, so `time` never goes back as `seq` goes up, retries included.
      const timed = attempt === 1 ? base : { ...base, time: this.clock.now().toISOString() };
      stored = approved ? { ...timed, seq: conversation.lastSeq + 1 } : timed;
      try {
        await this.store.commit({
          conversationId,
          expected: { lastSeq: conversation.lastSeq, rosterVersion: conversation.rosterVersion },
          lastSeq: conversation.lastSeq + (approved ? 1 : 0),
          rosterVersion: conversation.rosterVersion,
          requireOpen: true,
          messages: [stored],
        });
        break;
      } catch (error) {
        if (error instanceof DuplicateMessage) return this.answerDuplicate(id, snapshot, replyConnectionId);
        if (!(error instanceof ConcurrentChange)) throw error;
        if (attempt >= MAX_COMMIT_ATTEMPTS) throw fail(ErrorCode.BUSY, 'the conversation is busy; send again');
        await waitBeforeRetry(attempt);
        snapshot = await this.store.loadConnections(conversationId);
        if (!snapshot) throw fail(ErrorCode.UNKNOWN_CONVERSATION, 'the conversation does not exist');
        if (snapshot.conversation.ended) throw fail(ErrorCode.CONVERSATION_ENDED, 'the conversation has ended');
      }
    }
    this.log.info('message stored', {
      conversation_id: conversationId,
      message_id: stored.id,
      sender_id: stored.sender_id,
      seq: stored.seq,
      approval_status: stored.approval_status,
    });
    await this.broadcastMessage(stored, snapshot);
    if (command) await this.applyCommand(command, stored, quoted, snapshot);
    return { messageId: stored.id, duplicate: false };
  }

  private async registeredConnection(connectionId: string): Promise<ConnectionOwner> {
    const owner = await this.store.findConnection(connectionId);
    if (!owner) throw new ConversationError(ErrorCode.NOT_CONNECTED, NOT_REGISTERED);
    return owner;
  }

  /** A resend: nothing is stored or broadcast again; the sender gets the stored message back. */
  private async answerDuplicate(
    messageId: string,
    snapshot: ConversationConnections,
    replyConnectionId: string | undefined,
  ): Promise<ReplyOutcome> {
    const stored = await this.store.findMessage(snapshot.conversation.id, messageId);
    this.log.info('duplicate local_id; not stored again', { conversation_id: snapshot.conversation.id, message_id: messageId });
    if (stored) {
      if (replyConnectionId) await this.deliverMessage(replyConnectionId, stored);
      // Within SQS's de-duplication window a repeat is dropped, so sending again only heals a send lost
      // after the write; later, the bots had it long ago and must not get it twice (SPEC 3).
      if (mayResendToQueues(stored.time, this.clock.now())) {
        const plan = planBroadcast(stored, snapshot.conversation, []);
        for (const bot of plan.queueBots) await this.sendToQueue(snapshot.conversation.id, bot, stored);
      }
    }
    return { messageId, duplicate: true };
  }

  /** Who a message is stored as sent by: the sender, or for the manager its valid `on_behalf_of`. */
  private async authorOf(sender: ParticipantRecord, command: ManagerCommand | undefined): Promise<ParticipantRecord> {
    if (!command?.onBehalfOf) return sender;
    const other = await this.store.getParticipant(sender.conversationId, command.onBehalfOf);
    if (!other) {
      this.log.warn('on_behalf_of names no participant of this conversation; ignored', {
        conversation_id: sender.conversationId,
        on_behalf_of: command.onBehalfOf,
      });
      return sender;
    }
    return other;
  }

  private async applyCommand(
    command: ManagerCommand,
    stored: WireMessage,
    quoted: WireMessage | undefined,
    snapshot: ConversationConnections,
  ): Promise<void> {
    if (command.action && !quoted) {
      this.log.warn(`manager tried to ${command.action} without a quoted message`, { message_id: stored.id });
    } else if (command.action === 'approve' && quoted) {
      await this.approve(quoted, snapshot);
    } else if (command.action === 'redirect' && quoted) {
      this.log.info('manager redirected message', { message_id: quoted.id, bots: command.bots });
      for (const bot of command.bots) await this.deliverMessageToBot(quoted, bot, command.overrides, snapshot, stored.id);
    }
    if (command.selfRedirect) {
      for (const bot of command.bots) await this.deliverMessageToBot(stored, bot, command.overrides, snapshot);
    }
  }

  /** The manager's `approve`: the pending message takes the next `seq` atomically and is delivered. */
  private async approve(pending: WireMessage, initial: ConversationConnections): Promise<void> {
    const conversationId = initial.conversation.id;
    if (pending.approval_status !== ApprovalStatus.NOT_APPROVED) {
      this.log.warn('manager approved a message that is approved already', { message_id: pending.id });
      return;
    }
    let snapshot: ConversationConnections | undefined = initial;
    let approved: WireMessage;
    for (let attempt = 1; ; attempt++) {
      const { conversation } = snapshot;
      approved = { ...pending, approval_status: ApprovalStatus.APPROVED_BY_MANAGER, seq: conversation.lastSeq + 1 };
      const change: ConversationChange = {
        conversationId,
        expected: { lastSeq: conversation.lastSeq, rosterVersion: conversation.rosterVersion },
        lastSeq: conversation.lastSeq + 1,
        rosterVersion: conversation.rosterVersion,
        requireOpen: true,
        messages: [],
        approve: approved,
      };
      try {
        await this.store.commit(change);
        break;
      } catch (error) {
        if (error instanceof AlreadyApproved) {
          this.log.warn('manager approved a message that is approved already', { message_id: pending.id });
          return;
        }
        if (!(error instanceof ConcurrentChange) || attempt >= MAX_COMMIT_ATTEMPTS) throw error;
        await waitBeforeRetry(attempt);
        snapshot = await this.store.loadConnections(conversationId);
        if (!snapshot || snapshot.conversation.ended) return;
      }
    }
    this.log.info('manager approved message', { conversation_id: conversationId, message_id: approved.id, seq: approved.seq });
    await this.broadcastMessage(approved, snapshot);
  }

  // ---- helpers ----

  /** `sync`: every approved message after `afterSeq`, in order, then `state`. */
  private async replay(connection: ConnectionRecord, afterSeq: number): Promise<void> {
    let cursor = afterSeq;
    for (;;) {
      const page = await this.store.listMessagesAfter(connection.conversationId, cursor, SYNC_PAGE_SIZE);
      for (const message of page) {
        if ((await this.deliverMessage(connection.connectionId, message)) === 'gone') return;
        cursor = message.seq ?? cursor;
      }
      if (page.length < SYNC_PAGE_SIZE) break;
    }
    const roster = await this.store.loadRoster(connection.conversationId);
    if (roster) await this.deliverState(connection.connectionId, buildState(roster));
  }

  private async postState(
    state: ConversationState,
    connections: readonly ConnectionRecord[],
    exclude: ReadonlySet<string>,
  ): Promise<void> {
    await this.broadcaster.postState(state, connections, exclude);
  }

  private async sendToQueue(conversationId: string, bot: ConversationBot, message: WireMessage): Promise<void> {
    await this.broadcaster.sendToQueue(conversationId, bot, message);
  }

  private async answerError(connectionId: string, error: unknown): Promise<void> {
    const refusal =
      error instanceof ConversationError
        ? error
        : new ConversationError(ErrorCode.INTERNAL_ERROR, 'the server could not handle this frame');
    if (error instanceof ConversationError) {
      this.log.info('frame refused', { connection_id: connectionId, code: error.code, reason: error.message });
    } else {
      this.log.error('frame failed', { connection_id: connectionId, error: describe(error) });
    }
    const body: { code: string; message: string; local_id?: string } = { code: refusal.code, message: refusal.message };
    if (refusal.localId !== undefined) body.local_id = refusal.localId;
    try {
      await this.poster.postToOne(connectionId, encode({ error: body }));
    } catch (postError) {
      this.log.error('could not answer an error frame', { connection_id: connectionId, error: describe(postError) });
    }
  }
}

function approvalFor(
  sender: ParticipantRecord,
  command: ManagerCommand | undefined,
  hasManager: boolean,
): ApprovalStatus {
  if (sender.isManager) return command?.selfApprove ? ApprovalStatus.APPROVED_BY_MANAGER : ApprovalStatus.NOT_APPROVED;
  if (sender.type === ParticipantType.HUMAN || !hasManager) return ApprovalStatus.AUTOMATICALLY_APPROVED;
  return ApprovalStatus.NOT_APPROVED;
}

function botParticipant(conversationId: string, bot: ConversationBot): ParticipantRecord {
  return {
    id: bot.id,
    conversationId,
    name: bot.name,
    type: ParticipantType.BOT,
    isRequired: bot.isRequired,
    delivery: bot.delivery,
    isManager: bot.isManager,
  };
}

function encode(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
