import type {
  ConnectionOwner,
  ConnectionRecord,
  ConversationConnections,
  ConversationRecord,
  ConversationRoster,
  ParticipantRecord,
} from './records';
import type { BotQueueBody, WireMessage } from './wire';

/**
 * One atomic change to a conversation. The store applies all of it or nothing; `expected`
 * guards the conversation item (optimistic concurrency), so two writers never take the same `seq`.
 */
export interface ConversationChange {
  conversationId: string;
  /** The conversation item must still hold these values. */
  expected: { lastSeq: number; rosterVersion: number };
  /** New values for the conversation item. */
  lastSeq: number;
  rosterVersion: number;
  /** Refuse the change when the conversation has ended. */
  requireOpen: boolean;
  /** Mark the conversation ended. */
  end?: boolean;
  /** New messages: approved ones carry their `seq`, pending ones none. */
  messages: WireMessage[];
  /** A pending message that is now approved (it carries its new `seq`). */
  approve?: WireMessage;
  addConnection?: { connection: ConnectionRecord; participant: ParticipantRecord };
  /** Fails with `ConnectionAlreadyGone` when the connection is no longer recorded. */
  removeConnection?: ConnectionRecord;
}

/** Optimistic-concurrency retries before a busy conversation refuses a write. */
export const MAX_COMMIT_ATTEMPTS = 30;

/** The conversation item changed since it was read: read again and retry. */
export class ConcurrentChange extends Error {
  constructor(conversationId: string) {
    super(`conversation ${conversationId} changed concurrently`);
    this.name = 'ConcurrentChange';
  }
}

/** A message with this id exists already (same sender, same `local_id`). */
export class DuplicateMessage extends Error {
  constructor(readonly messageId: string) {
    super(`message ${messageId} exists already`);
    this.name = 'DuplicateMessage';
  }
}

/** The message to approve is not pending any more. */
export class AlreadyApproved extends Error {
  constructor(readonly messageId: string) {
    super(`message ${messageId} is approved already`);
    this.name = 'AlreadyApproved';
  }
}

/** The connection to remove was removed already (a second `$disconnect`, or a 410 clean-up). */
export class ConnectionAlreadyGone extends Error {
  constructor(readonly connectionId: string) {
    super(`connection ${connectionId} is gone already`);
    this.name = 'ConnectionAlreadyGone';
  }
}

export interface MessagePage {
  messages: WireMessage[];
}

export interface HistoryQuery {
  conversationId: string;
  /** Inclusive bounds on `time` (ISO 8601). */
  since?: string;
  until?: string;
  limit: number;
  /** When set: the first `limit` messages after this `seq`; else the newest `limit`. */
  afterSeq?: number;
}

export interface NewConversation {
  conversation: ConversationRecord;
  /** Every participant; those that connect (humans, websocket bots) with the hash of their token. */
  participants: Array<{ participant: ParticipantRecord; tokenHash?: string }>;
  /** Approved system messages, `seq` 1..n; `conversation.lastSeq` is n. */
  messages: WireMessage[];
}

export interface ConversationStore {
  /** The participant whose token has this hash, with the stored hash (compared again in constant time). */
  findTokenOwner(tokenHash: string): Promise<{ participant: ParticipantRecord; tokenHash: string } | undefined>;
  findConnection(connectionId: string): Promise<ConnectionOwner | undefined>;
  getConversation(conversationId: string): Promise<ConversationRecord | undefined>;
  getParticipant(conversationId: string, participantId: string): Promise<ParticipantRecord | undefined>;
  /** One strongly consistent read: the conversation and its connections. */
  loadConnections(conversationId: string): Promise<ConversationConnections | undefined>;
  /** The conversation, its connections and all its participants. */
  loadRoster(conversationId: string): Promise<ConversationRoster | undefined>;
  /** Whether a message (approved or pending) of this conversation has this id: one small read. */
  messageExists(conversationId: string, messageId: string): Promise<boolean>;
  /** Approved or pending message of this conversation, or undefined. */
  findMessage(conversationId: string, messageId: string): Promise<WireMessage | undefined>;
  /** Approved messages with `seq` > afterSeq, in order, at most `limit`. */
  listMessagesAfter(conversationId: string, afterSeq: number, limit: number): Promise<WireMessage[]>;
  listHistory(query: HistoryQuery): Promise<WireMessage[]>;
  commit(change: ConversationChange): Promise<void>;
  createConversation(created: NewConversation): Promise<void>;
  /** Adds a participant (with its token) and its `participant-joined` message, guarded like `commit`. */
  addParticipant(
    change: ConversationChange,
    participant: ParticipantRecord,
    tokenHash: string,
  ): Promise<void>;
  /** Removes a connection without a message (a 410 on a connection whose participant is gone). */
  forgetConnection(connection: ConnectionRecord): Promise<void>;
}

export interface PostReport {
  /** Connections API Gateway reported gone (410). */
  gone: string[];
  /** Connections whose post failed for another reason (logged; the others still got theirs). */
  failed: string[];
  delivered: number;
}

/** Posts made ready ahead of time (see `ConnectionPoster.prepareMany`). */
export interface PreparedPosts {
  /** Sends them; resolves once every post has its answer. */
  send(): Promise<PostReport>;
  /** Sends none of them: what they waited for did not happen. */
  cancel(): void;
}

/** Posts frames to WebSocket connections through the API Gateway management API. */
export interface ConnectionPoster {
  /** One payload to many connections, in parallel with bounded concurrency; one failure never fails the others. */
  postToMany(connectionIds: readonly string[], payload: string): Promise<PostReport>;
  /**
   * `postToMany` in two steps: everything but the sending is done while something the posts
   * depend on (the commit of the message they carry) is still in flight; nothing reaches a
   * connection before `send()`.
   */
  prepareMany(connectionIds: readonly string[], payload: string): PreparedPosts;
  /** One payload to one connection; resolves `gone` on 410. */
  postToOne(connectionId: string, payload: string): Promise<'delivered' | 'gone'>;
}

export interface QueueDelivery {
  botName: string;
  body: BotQueueBody;
  /** FIFO group: the conversation id. */
  groupId: string;
  deduplicationId: string;
}

/** Sends messages to `queue` bots (the bot manager is one). */
export interface BotQueueSender {
  send(delivery: QueueDelivery): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface IdSource {
  /** Random UUID (v4). */
  randomId(): string;
}

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
