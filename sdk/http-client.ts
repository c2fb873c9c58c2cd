import { HttpApiError } from './errors';
import type { ConversationTicket, ConversationView, WireMessage } from './protocol';

export type { ConversationTicket, ConversationView } from './protocol';

/** `POST /conversations` body (SPEC 4). */
export interface CreateConversationRequest {
  /** An empty nickname becomes `ANON_<id>`. @default '' */
  nickname?: string;
  /** Bot names from `listBots()`. @default [] */
  bots?: string[];
  /** At most 50 characters. */
  name?: string;
}

/** `POST /conversations/{id}/join` body. */
export interface JoinRequest {
  nickname?: string;
}

/** `GET /limits`: the size limits clients must respect. */
export interface ApiLimits {
  max_text_chars: number;
  max_local_id_chars: number;
  max_name_chars: number;
  max_conversation_name_chars: number;
  max_options: number;
  max_option_chars: number;
  max_frame_bytes: number;
  max_bots_per_conversation: number;
  max_history_page: number;
  [name: string]: number;
}

/** `GET /conversations/{id}/messages` parameters (SPEC 4). */
export interface HistoryQuery {
  /** Inclusive lower bound of `time`: ISO time, a `Date`, or `'now'`. */
  since?: string | Date;
  /** Inclusive upper bound of `time`. */
  until?: string | Date;
  /** Newest N of the selection, or with `after_seq` the first N after it. @default 100 (server), at most 1000 */
  limit?: number;
  /** Page forward: only messages with a greater `seq`. */
  after_seq?: number;
}

export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

export interface ConversationsHttpClientOptions {
  /** Base URL of the HTTP API, e.g. `http://127.0.0.1:3000` (with the stage path on AWS, if any). */
  baseUrl: string;
  /** @default globalThis.fetch */
  fetch?: FetchFunction;
}

/**
 * Typed calls for the HTTP API (SPEC 4), with the global `fetch`, in browsers and in Node.
 * Error responses throw `HttpApiError` with the status and the server's `{code, message}`.
 *
 * @example
 * const api = new ConversationsHttpClient({ baseUrl: 'http://127.0.0.1:3000' });
 * const ticket = await api.createConversation({ nickname: 'Ana', bots: ['Echo'] });
 * const history = await api.listMessages(ticket.id, ticket.token, { after_seq: 0 });
 */
export class ConversationsHttpClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: FetchFunction;

  constructor(options: ConversationsHttpClientOptions) {
    if (!options.baseUrl) throw new TypeError('baseUrl is required');
    const fetchImpl = options.fetch ?? (globalThis.fetch?.bind(globalThis) as FetchFunction | undefined);
    if (!fetchImpl) throw new TypeError('no fetch implementation: pass `fetch`');
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = fetchImpl;
  }

  /** `GET /bots`: names of the bots a conversation can ask for. */
  async listBots(): Promise<string[]> {
    return (await this.request<{ results: string[] }>('GET', '/bots')).results;
  }

  /** `GET /limits`. */
  limits(): Promise<ApiLimits> {
    return this.request<ApiLimits>('GET', '/limits');
  }

  /** `POST /conversations`: a new conversation with the caller as its human participant. */
  createConversation(request: CreateConversationRequest = {}): Promise<ConversationTicket> {
    return this.request<ConversationTicket>('POST', '/conversations', { body: request });
  }

  /** `POST /conversations/{id}/join`: a new human participant (403 `rooms_closed` unless open rooms are on). */
  join(conversationId: string, request: JoinRequest = {}): Promise<ConversationTicket> {
    return this.request<ConversationTicket>('POST', `/conversations/${encodeURIComponent(conversationId)}/join`, {
      body: request,
    });
  }

  /** `GET /conversations/{id}` with a participant's token. */
  getConversation(conversationId: string, token: string): Promise<ConversationView> {
    return this.request<ConversationView>('GET', `/conversations/${encodeURIComponent(conversationId)}`, { token });
  }

  /** `GET /conversations/{id}/messages`: approved messages in `seq` order. */
  async listMessages(conversationId: string, token: string, query: HistoryQuery = {}): Promise<WireMessage[]> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value === undefined || value === null) continue;
      search.set(name, value instanceof Date ? value.toISOString() : String(value));
    }
    const encoded = search.toString();
    const suffix = encoded ? `?${encoded}` : '';
    const path = `/conversations/${encodeURIComponent(conversationId)}/messages${suffix}`;
    return (await this.request<{ results: WireMessage[] }>('GET', path, { token })).results;
  }

  /**
   * Every approved message after `afterSeq`, page by page (`after_seq` = the last `seq` of the
   * previous page), until the newest.
   *
   * @param pageSize @default 1000 (the server's maximum)
   * @example
   * for await (const message of api.messagesAfter(id, token, 0)) render(message);
   */
  async *messagesAfter(
    conversationId: string,
    token: string,
    afterSeq = 0,
    pageSize = 1000,
  ): AsyncGenerator<WireMessage, void, undefined> {
    let cursor = afterSeq;
    for (;;) {
      const page = await this.listMessages(conversationId, token, { after_seq: cursor, limit: pageSize });
      for (const message of page) {
        yield message;
        cursor = message.seq ?? cursor;
      }
      if (page.length < pageSize) return;
    }
  }

  private async request<T>(method: string, path: string, options: { body?: unknown; token?: string } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    const response = await this.fetchImpl(`${this.baseUrl}${path}`, {
      method,
      headers,
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (!response.ok) throw toHttpApiError(response.status, body, text);
    if (body === undefined) throw new HttpApiError(response.status, 'invalid_response', `${method} ${path} answered no JSON`);
    return body as T;
  }
}

function toHttpApiError(status: number, body: unknown, text: string): HttpApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (error && typeof error.code === 'string') {
    return new HttpApiError(status, error.code, typeof error.message === 'string' ? error.message : error.code);
  }
  // Not the API's own error shape (e.g. a proxy's page): keep a short excerpt for people.
  return new HttpApiError(status, `http_${status}`, text.slice(0, 200) || `HTTP ${status}`);
}
