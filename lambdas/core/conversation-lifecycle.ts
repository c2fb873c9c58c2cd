import { invitableBots, type BotEntry, type BotsConfig } from './bots-config';
import type { Broadcaster } from './broadcaster';
import { waitBeforeRetry } from './commit-backoff';
import { buildState } from './delivery';
import { ConversationError, ErrorCode } from './errors';
import { LIMITS } from './limits';
import { buildSystemMessage, participantMetadata } from './message-builder';
import { ConcurrentChange, type Clock, type ConversationStore, type IdSource, type Logger } from './ports';
import type { ConversationBot, ConversationRecord, ParticipantRecord } from './records';
import { characterCount } from './text-length';
import { generateToken, hashToken } from './tokens';
import { participantForToken } from './token-authentication';
import {
  ParticipantType,
  SystemEvent,
  type ConversationTicket,
  type ConversationView,
  type ParticipantState,
  type WireMessage,
} from './wire';

/** What a new `websocket` bot receives (SPEC 4.1). */
export interface BotInvitation {
  conversation_id: string;
  bot_participant_id: string;
  token: string;
  websocket_url: string;
}

/** Invites `websocket` bots by HTTP POST; retries and logging are the adapter's. */
export interface BotInviter {
  invite(bot: BotEntry, invitation: BotInvitation): Promise<void>;
}

export interface LifecycleDependencies {
  store: ConversationStore;
  /** Announces to connections and queue bots; the consumer's fan-out without the consumer. */
  broadcaster: Broadcaster;
  inviter: BotInviter;
  clock: Clock;
  ids: IdSource;
  log: Logger;
  bots: BotsConfig;
  /** Gateway URL without token, e.g. `ws://127.0.0.1:3001/local`. */
  websocketUrl: string;
  /** `POST /conversations/{id}/join` works only when true. @default false */
  openRooms: boolean;
}

export interface HistoryParameters {
  since?: string;
  until?: string;
  limit?: string;
  after_seq?: string;
}

/** Conversation lifecycle (SPEC 4): the HTTP API's rules, with no HTTP in them. */
export class ConversationLifecycle {
  constructor(private readonly deps: LifecycleDependencies) {}

  /** `GET /bots`: bots a conversation can ask for (not the manager). */
  listBots(): { results: string[] } {
    return { results: invitableBots(this.deps.bots).map((bot) => bot.name) };
  }

  /** `GET /limits`. */
  limits(): Record<string, number> {
    return {
      max_text_chars: LIMITS.MAX_TEXT_CHARS,
      max_local_id_chars: LIMITS.MAX_LOCAL_ID_CHARS,
      max_name_chars: LIMITS.MAX_NAME_CHARS,
      max_conversation_name_chars: LIMITS.MAX_CONVERSATION_NAME_CHARS,
      max_options: LIMITS.MAX_OPTIONS,
      max_option_chars: LIMITS.MAX_OPTION_CHARS,
      max_frame_bytes: LIMITS.MAX_FRAME_BYTES,
      max_bots_per_conversation: LIMITS.MAX_BOTS_PER_CONVERSATION,
      max_history_page: LIMITS.MAX_HISTORY_PAGE,
    };
  }

  /** `POST /conversations`: creates it with its human, its bots and the manager, then invites the bots. */
  async createConversation(body: unknown): Promise<ConversationTicket> {
    const request = parseCreateRequest(body, this.deps.bots);
    const now = this.deps.clock.now();
    const conversationId = this.deps.ids.randomId();
    const human = this.newHuman(conversationId, request.nickname);
    const humanToken = generateToken();

    const botEntries = [...request.bots];
    const manager = this.deps.bots.manager
      ? this.deps.bots.bots.find((bot) => bot.name === this.deps.bots.manager)
      : undefined;
    if (manager) botEntries.push(manager);
    const bots: Array<{ entry: BotEntry; participant: ParticipantRecord; token?: string }> = botEntries.map((entry) => ({
      entry,
      participant: {
        id: this.deps.ids.randomId(),
        conversationId,
        name: entry.name,
        type: ParticipantType.BOT,
        isRequired: entry.required ?? false,
        delivery: entry.delivery,
        isManager: entry.name === this.deps.bots.manager,
      },
      // Queue bots never connect, so they get no token.
      ...(entry.delivery === 'websocket' ? { token: generateToken() } : {}),
    }));

    const messages: WireMessage[] = [
      buildSystemMessage(this.deps.ids.randomId(), SystemEvent.CONVERSATION_CREATED, now),
      ...bots.map(({ participant }) =>
        buildSystemMessage(this.deps.ids.randomId(), SystemEvent.PARTICIPANT_JOINED, now, participantMetadata(participant)),
      ),
    ].map((message, index) => ({ ...message, seq: index + 1 }));

    const conversation: ConversationRecord = {
      id: conversationId,
      createdAt: now.toISOString(),
      ended: false,
      lastSeq: messages.length,
      rosterVersion: 0,
      bots: bots.map(({ participant }): ConversationBot => ({
        id: participant.id,
        name: participant.name,
        delivery: participant.delivery!,
        isManager: participant.isManager,
        isRequired: participant.isRequired,
      })),
    };
    if (request.name !== undefined) conversation.name = request.name;

    await this.deps.store.createConversation({
      conversation,
      participants: [
        { participant: human, tokenHash: hashToken(humanToken) },
        ...bots.map((bot) => ({
          participant: bot.participant,
          ...(bot.token ? { tokenHash: hashToken(bot.token) } : {}),
        })),
      ],
      messages,
    });
    this.deps.log.info('conversation created', {
      conversation_id: conversationId,
      participant_id: human.id,
      bots: botEntries.map((bot) => bot.name),
    });

    // Queue bots (the manager first of all) learn of the conversation from its system messages.
    for (const message of messages) await this.deps.broadcaster.broadcastMessage(message, { conversation, connections: [] });
    await Promise.all(
      bots
        .filter((bot) => bot.token)
        .map((bot) =>
          this.deps.inviter.invite(bot.entry, {
            conversation_id: conversationId,
            bot_participant_id: bot.participant.id,
            token: bot.token!,
            websocket_url: this.deps.websocketUrl,
          }),
        ),
    );
    return this.ticket(conversation, [human, ...bots.map((bot) => bot.participant)], human.id, humanToken);
  }

  /** `POST /conversations/{id}/join`: a new human participant, when open rooms are allowed. */
  async join(conversationId: string, body: unknown): Promise<ConversationTicket> {
    if (!this.deps.openRooms) {
      throw new ConversationError(ErrorCode.ROOMS_CLOSED, 'joining by id is disabled on this deployment (OPEN_ROOMS)');
    }
    const request = parseJoinRequest(body);
    const human = this.newHuman(conversationId, request.nickname);
    const token = generateToken();
    for (let attempt = 1; ; attempt++) {
      const conversation = await this.deps.store.getConversation(conversationId);
      if (!conversation) throw new ConversationError(ErrorCode.NOT_FOUND, 'no such conversation');
      if (conversation.ended) throw new ConversationError(ErrorCode.CONVERSATION_ENDED, 'the conversation has ended');
      try {
        await this.deps.store.addParticipant(
          {
            conversationId,
            expected: { lastSeq: conversation.lastSeq, rosterVersion: conversation.rosterVersion },
            lastSeq: conversation.lastSeq,
            rosterVersion: conversation.rosterVersion,
            requireOpen: true,
            messages: [],
          },
          human,
          hashToken(token),
        );
        break;
      } catch (error) {
        if (!(error instanceof ConcurrentChange) || attempt >= 5) throw error;
        await waitBeforeRetry(attempt);
      }
    }
    this.deps.log.info('participant joined by id', { conversation_id: conversationId, participant_id: human.id });
    await this.deps.broadcaster.broadcastState(conversationId);
    const roster = await this.deps.store.loadRoster(conversationId);
    if (!roster) throw new ConversationError(ErrorCode.NOT_FOUND, 'no such conversation');
    return this.ticket(roster.conversation, roster.participants, human.id, token, buildState(roster).participants);
  }

  /** `GET /conversations/{id}` with the participant's token. */
  async getConversation(conversationId: string, token: string | undefined): Promise<ConversationView> {
    await this.authorize(conversationId, token);
    const roster = await this.deps.store.loadRoster(conversationId);
    if (!roster) throw new ConversationError(ErrorCode.NOT_FOUND, 'no such conversation');
    return {
      id: roster.conversation.id,
      name: roster.conversation.name ?? null,
      created_at: roster.conversation.createdAt,
      ended: roster.conversation.ended,
      participants: buildState(roster).participants,
    };
  }

  /** `GET /conversations/{id}/messages`: approved messages in `seq` order (SPEC 4 paging rules). */
  async listMessages(
    conversationId: string,
    token: string | undefined,
    parameters: HistoryParameters,
  ): Promise<{ results: WireMessage[] }> {
    await this.authorize(conversationId, token);
    const now = this.deps.clock.now();
    const query = parseHistoryParameters(parameters, now);
    const results = await this.deps.store.listHistory({ conversationId, ...query });
    return { results };
  }

  private async authorize(conversationId: string, token: string | undefined): Promise<ParticipantRecord> {
    if (!token) throw new ConversationError(ErrorCode.MISSING_TOKEN, 'Authorization: Bearer <token> is required');
    const participant = await participantForToken(this.deps.store, token);
    if (!participant) throw new ConversationError(ErrorCode.INVALID_TOKEN, 'unknown token');
    if (participant.conversationId !== conversationId) {
      throw new ConversationError(ErrorCode.FOREIGN_CONVERSATION, 'the token belongs to another conversation');
    }
    return participant;
  }

  private newHuman(conversationId: string, nickname: string): ParticipantRecord {
    const id = this.deps.ids.randomId();
    return {
      id,
      conversationId,
      // As in the original: an empty nickname becomes ANON_<id>.
      name: nickname === '' ? `ANON_${id}` : nickname,
      type: ParticipantType.HUMAN,
      isRequired: false,
      isManager: false,
    };
  }

  private ticket(
    conversation: ConversationRecord,
    participants: ParticipantRecord[],
    myId: string,
    token: string,
    states?: ParticipantState[],
  ): ConversationTicket {
    return {
      id: conversation.id,
      name: conversation.name ?? null,
      created_at: conversation.createdAt,
      participants: states ?? buildState({ conversation, connections: [], participants }).participants,
      my_participant_id: myId,
      token,
      websocket_url: this.deps.websocketUrl,
    };
  }
}

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ConversationError(ErrorCode.INVALID_BODY, 'the body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

function parseNickname(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw new ConversationError(ErrorCode.INVALID_FIELD, 'nickname must be a string');
  const nickname = value.trim();
  if (characterCount(nickname) > LIMITS.MAX_NAME_CHARS) {
    throw new ConversationError(ErrorCode.NAME_TOO_LONG, `nickname must be at most ${LIMITS.MAX_NAME_CHARS} characters`);
  }
  return nickname;
}

function parseCreateRequest(body: unknown, config: BotsConfig): { nickname: string; bots: BotEntry[]; name?: string } {
  const fields = asObject(body);
  const nickname = parseNickname(fields.nickname);
  const requested = fields.bots ?? [];
  if (!Array.isArray(requested) || !requested.every((bot) => typeof bot === 'string')) {
    throw new ConversationError(ErrorCode.INVALID_FIELD, 'bots must be a list of bot names');
  }
  const names = [...new Set(requested as string[])];
  if (names.length > LIMITS.MAX_BOTS_PER_CONVERSATION) {
    throw new ConversationError(ErrorCode.INVALID_FIELD, `at most ${LIMITS.MAX_BOTS_PER_CONVERSATION} bots per conversation`);
  }
  const available = invitableBots(config);
  const bots = names.map((name) => {
    const bot = available.find((candidate) => candidate.name === name);
    if (!bot) throw new ConversationError(ErrorCode.UNKNOWN_BOT, `unknown bot "${name}"; GET /bots lists them`);
    return bot;
  });
  const request: { nickname: string; bots: BotEntry[]; name?: string } = { nickname, bots };
  if (fields.name !== undefined && fields.name !== null) {
    if (typeof fields.name !== 'string') throw new ConversationError(ErrorCode.INVALID_FIELD, 'name must be a string');
    if (characterCount(fields.name) > LIMITS.MAX_CONVERSATION_NAME_CHARS) {
      throw new ConversationError(
        ErrorCode.NAME_TOO_LONG,
        `name must be at most ${LIMITS.MAX_CONVERSATION_NAME_CHARS} characters`,
      );
    }
    if (fields.name !== '') request.name = fields.name;
  }
  return request;
}

function parseJoinRequest(body: unknown): { nickname: string } {
  return { nickname: parseNickname(asObject(body).nickname) };
}

function parseTimeBound(name: string, value: string | undefined, now: Date): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'now') return now.toISOString();
  const time = new Date(value);
  if (Number.isNaN(time.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(value)) {
    throw new ConversationError(ErrorCode.INVALID_PARAMETER, `${name} must be an ISO 8601 time or "now"`);
  }
  return time.toISOString();
}

function parseWholeNumber(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConversationError(ErrorCode.INVALID_PARAMETER, `${name} must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

export function parseHistoryParameters(
  parameters: HistoryParameters,
  now: Date,
): { since?: string; until?: string; limit: number; afterSeq?: number } {
  const since = parseTimeBound('since', parameters.since, now);
  const until = parseTimeBound('until', parameters.until, now);
  const limit =
    parseWholeNumber('limit', parameters.limit, 1, LIMITS.MAX_HISTORY_PAGE) ?? LIMITS.DEFAULT_HISTORY_PAGE;
  const afterSeq = parseWholeNumber('after_seq', parameters.after_seq, 0, Number.MAX_SAFE_INTEGER);
  const query: { since?: string; until?: string; limit: number; afterSeq?: number } = { limit };
  if (since !== undefined) query.since = since;
  if (until !== undefined) query.until = until;
  if (afterSeq !== undefined) query.afterSeq = afterSeq;
  return query;
}
