import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpApiError } from '../../sdk/errors';
import { ConversationsHttpClient } from '../../sdk/http-client';

interface Recorded {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A real HTTP server answering canned responses, recording each request. */
async function startApi(answer: (request: Recorded) => { status: number; body?: unknown; raw?: string }) {
  const requests: Recorded[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const recorded = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString() };
      requests.push(recorded);
      const { status, body, raw } = answer(recorded);
      response.writeHead(status, { 'content-type': raw === undefined ? 'application/json' : 'text/html' });
      response.end(raw ?? (body === undefined ? '' : JSON.stringify(body)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const TICKET = {
  id: '5f1c7d6e-0000-4000-8000-000000000001',
  name: null,
  created_at: '2026-01-01T00:00:00.000Z',
  participants: [],
  my_participant_id: '5f1c7d6e-0000-4000-8000-000000000002',
  token: 'secret',
  websocket_url: 'ws://127.0.0.1:3001/local',
};

describe('ConversationsHttpClient', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  afterEach(async () => api?.close());

  it('lists bots from GET /bots', async () => {
    api = await startApi(() => ({ status: 200, body: { results: ['Echo', 'Calculator'] } }));
    const client = new ConversationsHttpClient({ baseUrl: `${api.url}/` });
    await expect(client.listBots()).resolves.toEqual(['Echo', 'Calculator']);
    expect(api.requests[0]).toMatchObject({ method: 'GET', url: '/bots' });
  });

  it('reads GET /limits', async () => {
    api = await startApi(() => ({ status: 200, body: { max_text_chars: 4000, max_frame_bytes: 32768 } }));
    const limits = await new ConversationsHttpClient({ baseUrl: api.url }).limits();
    expect(limits.max_frame_bytes).toBe(32768);
  });

  it('creates a conversation with a JSON body and returns the ticket', async () => {
    api = await startApi(() => ({ status: 201, body: TICKET }));
    const client = new ConversationsHttpClient({ baseUrl: api.url });
    const ticket = await client.createConversation({ nickname: 'Ana', bots: ['Echo'], name: 'Tea' });
    expect(ticket).toEqual(TICKET);
    const request = api.requests[0]!;
    expect(request).toMatchObject({ method: 'POST', url: '/conversations' });
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({ nickname: 'Ana', bots: ['Echo'], name: 'Tea' });
  });

  it('joins with POST /conversations/{id}/join', async () => {
    api = await startApi(() => ({ status: 201, body: TICKET }));
    await new ConversationsHttpClient({ baseUrl: api.url }).join(TICKET.id, { nickname: 'Bia' });
    expect(api.requests[0]).toMatchObject({ method: 'POST', url: `/conversations/${TICKET.id}/join`, body: '{"nickname":"Bia"}' });
  });

  it('reads a conversation with the bearer token', async () => {
    api = await startApi(() => ({ status: 200, body: { id: TICKET.id, name: null, created_at: TICKET.created_at, ended: false, participants: [] } }));
    const view = await new ConversationsHttpClient({ baseUrl: api.url }).getConversation(TICKET.id, 'secret');
    expect(view.ended).toBe(false);
    expect(api.requests[0]!.headers.authorization).toBe('Bearer secret');
  });

  it('lists messages with the query parameters it was given, dates as ISO', async () => {
    api = await startApi(() => ({ status: 200, body: { results: [{ id: 'm', seq: 1 }] } }));
    const client = new ConversationsHttpClient({ baseUrl: api.url });
    const messages = await client.listMessages(TICKET.id, 'secret', {
      since: new Date('2026-01-01T00:00:00Z'),
      until: 'now',
      limit: 50,
      after_seq: 3,
    });
    expect(messages).toEqual([{ id: 'm', seq: 1 }]);
    const url = new URL(api.requests[0]!.url, 'http://x');
    expect(url.pathname).toBe(`/conversations/${TICKET.id}/messages`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      since: '2026-01-01T00:00:00.000Z',
      until: 'now',
      limit: '50',
      after_seq: '3',
    });
    await client.listMessages(TICKET.id, 'secret');
    expect(api.requests[1]!.url).toBe(`/conversations/${TICKET.id}/messages`);
  });

  it('pages forward with after_seq until a short page', async () => {
    api = await startApi((request) => {
      const after = Number(new URL(request.url, 'http://x').searchParams.get('after_seq'));
      const results = [after + 1, after + 2].filter((seq) => seq <= 5).map((seq) => ({ id: `m${seq}`, seq }));
      return { status: 200, body: { results } };
    });
    const client = new ConversationsHttpClient({ baseUrl: api.url });
    const seqs: number[] = [];
    for await (const message of client.messagesAfter(TICKET.id, 'secret', 0, 2)) seqs.push(message.seq!);
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    expect(api.requests.map((request) => new URL(request.url, 'http://x').searchParams.get('after_seq'))).toEqual(['0', '2', '4']);
  });

  it('throws HttpApiError with the status, code and message of an error body', async () => {
    api = await startApi(() => ({ status: 400, body: { error: { code: 'unknown_bot', message: 'unknown bot "Nope"' } } }));
    const client = new ConversationsHttpClient({ baseUrl: api.url });
    const failure = client.createConversation({ bots: ['Nope'] });
    await expect(failure).rejects.toBeInstanceOf(HttpApiError);
    await expect(failure).rejects.toMatchObject({ status: 400, code: 'unknown_bot', message: 'unknown bot "Nope"' });
  });

  it('throws HttpApiError with an http_<status> code when the body is not the API error shape', async () => {
    api = await startApi(() => ({ status: 502, raw: '<html>Bad Gateway</html>' }));
    const failure = new ConversationsHttpClient({ baseUrl: api.url }).listBots();
    await expect(failure).rejects.toMatchObject({ status: 502, code: 'http_502', message: '<html>Bad Gateway</html>' });
  });

  it('uses the fetch it is given', async () => {
    const calls: string[] = [];
    const client = new ConversationsHttpClient({
      baseUrl: 'https://api.example',
      fetch: async (input) => {
        calls.push(input);
        return new Response(JSON.stringify({ results: [] }), { status: 200 });
      },
    });
    await client.listBots();
    expect(calls).toEqual(['https://api.example/bots']);
  });
});
