import type { Broadcaster, PreparedBroadcast } from './broadcaster';
import { isMessageFrameText, parseClientFrameText, parseMessageDraft, type ClientFrame, type MessageDraft } from './client-frame';
import { waitBeforeRetry } from './commit-backoff';
import { buildState, managerOf, planBroadcast } from './delivery';
import { ConversationError, describeError, ErrorCode } from './errors';
import { parseManagerCommand, type ManagerCommand } from './manager-command';
import { buildMessage } from './message-builder';
import { messageIdForLocalId } from './message-ids';
import { mayResendToQueues } from './queue-ids';
import {
  AlreadyApproved,
  ConcurrentChange,
  MAX_COMMIT_ATTEMPTS,
  DuplicateMessage,
  type Clock,
  type ConnectionPoster,
  type ConversationChange,
  type ConversationStore,
  type IdSource,
  type Logger,
} from './ports';
import type { ConnectionOwner, ConnectionRecord, ConversationBot, ConversationConnections, ParticipantRecord } from './records';
import { ApprovalStatus, encodeFrame, ParticipantType, type WireMessage } from './wire';

export interface IntakeDependencies {
  store: ConversationStore;
  poster: ConnectionPoster;
  broadcaster: Broadcaster;
  clock: Clock;
  ids: IdSource;
  log: Logger;
}

export interface ReplyOutcome {
  messageId: string;
  duplicate: boolean;
}

/** Messages read per page while replaying a `sync`. */
const SYNC_PAGE_SIZE = 100;
const NOT_REGISTERED = 'this connection is not registered; reconnect';

/**
 * The seed's `receive()`: frames from a connection (`$default`) and replies from queue bots (the
 * replies queue), validated, stored with the next `seq` and delivered, with the manager's commands
 * applied. Apart from the rest of the consumer, so `$connect` and `$disconnect` bundle none of it.
 */
export class MessageIntake {
  private readonly store: ConversationStore;
  private readonly poster: ConnectionPoster;
  private readonly broadcaster: Broadcaster;
  private readonly clock: Clock;
  private readonly ids: IdSource;
  private readonly log: Logger;

  constructor(deps: IntakeDependencies) {
    this.store = deps.store;
    this.poster = deps.poster;
    this.broadcaster = deps.broadcaster;
    this.clock = deps.clock;
    this.ids = deps.ids;
    this.log = deps.log;
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
          encodeFrame({ pong: { last_seq: conversation?.lastSeq ?? 0, connection_id: connectionId } }),
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
        this.log.warn('could not tell whether the conversation ended', { connection_id: connectionId, error: describeError(lookupError) });
      }
      if (ended) throw new ConversationError(ErrorCode.CONVERSATION_ENDED, 'the conversation has ended', error.localId);
      throw error;
    }
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
    let broadcast: PreparedBroadcast;
    for (let attempt = 1; ; attempt++) {
      const { conversation } = snapshot;
      const approved = approval !== ApprovalStatus.NOT_APPROVED;
      // Timed after reading the snapshot it commits on: the message before it in `seq` was timed
      // before its own commit, so `time` never goes back as `seq` goes up, retries included.
      const timed = attempt === 1 ? base : { ...base, time: this.clock.now().toISOString() };
      stored = approved ? { ...timed, seq: conversation.lastSeq + 1 } : timed;
      const change: ConversationChange = {
        conversationId,
        expected: { lastSeq: conversation.lastSeq, rosterVersion: conversation.rosterVersion },
        lastSeq: conversation.lastSeq + (approved ? 1 : 0),
        rosterVersion: conversation.rosterVersion,
        requireOpen: true,
        messages: [stored],
      };
      try {
        broadcast = await this.commitWithBroadcast(change, stored, snapshot);
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
    await broadcast.deliver();
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
      if (replyConnectionId) await this.broadcaster.deliverMessage(replyConnectionId, stored);
      // Within SQS's de-duplication window a repeat is dropped, so sending again only heals a send lost
      // after the write; later, the bots had it long ago and must not get it twice (SPEC 3).
      if (mayResendToQueues(stored.time, this.clock.now())) {
        const plan = planBroadcast(stored, snapshot.conversation, []);
        for (const bot of plan.queueBots) await this.broadcaster.sendToQueue(snapshot.conversation.id, bot, stored);
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
      for (const bot of command.bots) await this.broadcaster.deliverMessageToBot(quoted, bot, command.overrides, snapshot, stored.id);
    }
    if (command.selfRedirect) {
      for (const bot of command.bots) await this.broadcaster.deliverMessageToBot(stored, bot, command.overrides, snapshot);
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
    let broadcast: PreparedBroadcast;
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
        broadcast = await this.commitWithBroadcast(change, approved, snapshot);
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
    await broadcast.deliver();
  }

  /**
   * Commits `change` and, while the commit is in flight, makes `message`'s fan-out to `snapshot`
   * ready (`Broadcaster.prepareMessageBroadcast`): it is returned for the caller to deliver once
   * the commit landed, and cancelled unsent when it failed, so nothing reaches anyone before the
   * message is stored.
   */
  private async commitWithBroadcast(
    change: ConversationChange,
    message: WireMessage,
    snapshot: ConversationConnections,
  ): Promise<PreparedBroadcast> {
    const commit = this.store.commit(change);
    const prepared = this.broadcaster.prepareMessageBroadcast(message, snapshot);
    try {
      await commit;
      return prepared;
    } catch (error) {
      prepared.cancel();
      throw error;
    }
  }


  /** `sync`: every approved message after `afterSeq`, in order, then `state`. */
  private async replay(connection: ConnectionRecord, afterSeq: number): Promise<void> {
    let cursor = afterSeq;
    for (;;) {
      const page = await this.store.listMessagesAfter(connection.conversationId, cursor, SYNC_PAGE_SIZE);
      for (const message of page) {
        if ((await this.broadcaster.deliverMessage(connection.connectionId, message)) === 'gone') return;
        cursor = message.seq ?? cursor;
      }
      if (page.length < SYNC_PAGE_SIZE) break;
    }
    const roster = await this.store.loadRoster(connection.conversationId);
    if (roster) await this.broadcaster.deliverState(connection.connectionId, buildState(roster));
  }

  private async answerError(connectionId: string, error: unknown): Promise<void> {
    const refusal =
      error instanceof ConversationError
        ? error
        : new ConversationError(ErrorCode.INTERNAL_ERROR, 'the server could not handle this frame');
    if (error instanceof ConversationError) {
      this.log.info('frame refused', { connection_id: connectionId, code: error.code, reason: error.message });
    } else {
      this.log.error('frame failed', { connection_id: connectionId, error: describeError(error) });
    }
    const body: { code: string; message: string; local_id?: string } = { code: refusal.code, message: refusal.message };
    if (refusal.localId !== undefined) body.local_id = refusal.localId;
    try {
      await this.poster.postToOne(connectionId, encodeFrame({ error: body }));
    } catch (postError) {
      this.log.error('could not answer an error frame', { connection_id: connectionId, error: describeError(postError) });
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
