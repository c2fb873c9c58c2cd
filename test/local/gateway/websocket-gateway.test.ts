import { DeleteConnectionCommand, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { createConnection } from 'node:net';
import WebSocket from 'ws';
import { SHUTDOWN_CLOSE_GRACE_MS, startWebSocketGateway, type WebSocketProxyEvent } from '../../../local/gateway';
import { deferred, eventually, GatewayTestKit, sleep } from './gateway-test-kit';

const ERROR_FRAME = /^\{"message": "(.+)", "connectionId":"(.+)", "requestId":"(.+)"\}$/;

describe('WebSocket gateway', () => {
  const kit = new GatewayTestKit();
  afterEach(() => kit.cleanup());

  describe('paths', () => {
    it('answers 403 {"message":"Forbidden"} to an upgrade on another path', async () => {
      const { gateway, events } = await kit.start();

      const refusal = await kit.refusal(`ws://127.0.0.1:${gateway.port}/prod`);

      expect(refusal.statusCode).toBe(403);
      expect(JSON.parse(refusal.body)).toEqual({ message: 'Forbidden' });
      expect(events.connect).toHaveLength(0);
    });

    it('answers 426 to a plain request to the stage and 403 to one elsewhere', async () => {
      const { gateway } = await kit.start();

      const stage = await fetch(`http://127.0.0.1:${gateway.port}/local`);
      expect(stage.status).toBe(426);
      await stage.text();

      const elsewhere = await fetch(`http://127.0.0.1:${gateway.port}/`);
      expect(elsewhere.status).toBe(403);
      expect(await elsewhere.json()).toEqual({ message: 'Forbidden' });
    });

    it('refuses URLs longer than 4096 characters with 414', async () => {
      const { gateway, events } = await kit.start();
      const long = `${gateway.url}?pad=${'x'.repeat(4096)}`;

      expect((await kit.refusal(long)).statusCode).toBe(414);
      expect(events.connect).toHaveLength(0);
      await kit.connect(`${gateway.url}?pad=${'x'.repeat(4000)}`);
    });

    it('binds to 127.0.0.1 on a free port by default', async () => {
      const { gateway } = await kit.start();
      expect(gateway.port).toBeGreaterThan(0);
      expect(gateway.url).toBe(`ws://127.0.0.1:${gateway.port}/local`);
    });
  });

  describe('messages', () => {
    it('routes by the route selection expression, then $default', async () => {
      const joined: WebSocketProxyEvent[] = [];
      const { gateway, events } = await kit.start({}, { routes: { join: async (event) => void joined.push(event) } });
      const client = await kit.connect(gateway.url);

      client.send('{"action":"join","room":"r1"}');
      client.send('{"action":"leave"}');
      client.send('not json');

      await eventually(() => joined.length === 1 && events.message.length === 2);
      expect(joined[0]!.requestContext.routeKey).toBe('join');
      expect(events.message.map((event) => event.requestContext.routeKey)).toEqual(['$default', '$default']);
    });

    it('answers "Forbidden" when nothing matches and there is no $default route, and keeps the connection', async () => {
      const joined: WebSocketProxyEvent[] = [];
      const { gateway } = await kit.start(
        {},
        { default: undefined, routes: { join: async (event) => void joined.push(event) } },
      );
      const client = await kit.connect(gateway.url);

      client.send('{"action":"unknown"}');
      const frame = await client.frame();
      client.send('{"action":"join"}');
      await eventually(() => joined.length === 1);

      const [, message, connectionId, requestId] = ERROR_FRAME.exec(frame)!;
      expect(message).toBe('Forbidden');
      expect(connectionId).toBe(joined[0]!.requestContext.connectionId);
      expect(requestId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
    });

    it('answers "Internal server error" when a handler throws, and the connection stays usable', async () => {
      const bodies: string[] = [];
      const { gateway } = await kit.start(
        {},
        {
          default: async (event) => {
            if (event.body === 'fail') throw new Error('boom');
            bodies.push(event.body!);
            return { statusCode: 200 };
          },
        },
      );
      const client = await kit.connect(gateway.url);

      client.send('fail');
      const frame = await client.frame();
      client.send('works');

      await eventually(() => bodies.includes('works'));
      const [, message, connectionId] = ERROR_FRAME.exec(frame)!;
      expect(message).toBe('Internal server error');
      expect(connectionId).toMatch(/=$/);
      expect(frame).not.toContain('boom');
      expect(client.socket.readyState).toBe(WebSocket.OPEN);
    });

    it('answers "Endpoint request timed out" when a handler outlives the integration timeout', async () => {
      const release = deferred();
      const { gateway } = await kit.start({ integrationTimeoutMs: 80 }, { default: () => release.promise });
      const client = await kit.connect(gateway.url);

      client.send('slow');

      expect(ERROR_FRAME.exec(await client.frame())![1]).toBe('Endpoint request timed out');
      release.resolve();
    });

    it('sends the Lambda body back only for routes with a route response', async () => {
      const reply = async (event: WebSocketProxyEvent) => ({ statusCode: 200, body: `reply to ${event.body}` });
      const { gateway } = await kit.start({ routeResponses: ['echo'] }, { default: reply, routes: { echo: reply } });
      const client = await kit.connect(gateway.url);

      client.send('{"action":"quiet"}');
      client.send('{"action":"echo"}');

      expect(await client.frame()).toBe('reply to {"action":"echo"}');
      await sleep(50);
      expect(client.frames).toEqual(['reply to {"action":"echo"}']);
    });

    it('runs handlers for successive frames concurrently', async () => {
      let running = 0;
      let mostAtOnce = 0;
      const bothStarted = deferred();
      const { gateway } = await kit.start(
        { routeResponses: ['$default'] },
        {
          default: async (event) => {
            running++;
            mostAtOnce = Math.max(mostAtOnce, running);
            if (running === 2) bothStarted.resolve();
            // Neither finishes before both have started: serialised handlers would time out here.
            await Promise.race([bothStarted.promise, sleep(2000)]);
            running--;
            return { statusCode: 200, body: `done ${event.body}` };
          },
        },
      );
      const client = await kit.connect(gateway.url);

      client.send('1');
      client.send('2');

      await client.frame((frame) => frame === 'done 1');
      await client.frame((frame) => frame === 'done 2');
      expect(mostAtOnce).toBe(2);
    });

    it('with invocationJitterMs, starts handlers out of send order', async () => {
      const started: number[] = [];
      const { gateway } = await kit.start(
        { invocationJitterMs: 40 },
        { default: async (event) => void started.push(Number(event.body)) },
      );
      const client = await kit.connect(gateway.url);
      const sent = Array.from({ length: 20 }, (_, index) => index);

      for (const index of sent) client.send(String(index));

      await eventually(() => started.length === sent.length);
      expect(started).not.toEqual(sent);
      expect([...started].sort((a, b) => a - b)).toEqual(sent);
    });

    it('closes with 1003 on a binary frame and reports it to $disconnect', async () => {
      const { gateway, events } = await kit.start();
      const client = await kit.connect(gateway.url);

      client.socket.send(Buffer.from([1, 2, 3]), { binary: true });

      expect((await client.closed).code).toBe(1003);
      const disconnect = await eventually(() => events.disconnect[0]);
      expect(disconnect.requestContext.disconnectStatusCode).toBe(1003);
      expect(events.message).toHaveLength(0);
    });

    it('closes with 1009 on a frame over maxFrameBytes', async () => {
      const { gateway, events } = await kit.start();
      const client = await kit.connect(gateway.url);

      client.send('x'.repeat(32 * 1024 + 1));

      expect((await client.closed).code).toBe(1009);
      const disconnect = await eventually(() => events.disconnect[0]);
      expect(disconnect.requestContext.disconnectStatusCode).toBe(1009);
      expect(events.message).toHaveLength(0);
    });

    it('accepts a message split into frames within the limit, and closes with 1009 past maxMessageBytes', async () => {
      const { gateway, events } = await kit.start({ maxFrameBytes: 1000, maxMessageBytes: 2500 });
      const client = await kit.connect(gateway.url);

      client.send('a'.repeat(1000));
      client.socket.send('b'.repeat(1000), { fin: false });
      client.socket.send('c'.repeat(1000), { fin: true });
      await eventually(() => events.message.length === 2);
      expect(events.message[1]!.body).toBe('b'.repeat(1000) + 'c'.repeat(1000));

      for (let i = 0; i < 3; i++) client.socket.send('d'.repeat(1000), { fin: i === 2 });

      expect((await client.closed).code).toBe(1009);
      expect((await eventually(() => events.disconnect[0])).requestContext.disconnectStatusCode).toBe(1009);
      expect(events.message).toHaveLength(2);
    });
  });

  describe('timeouts', () => {
    it('closes an idle connection with 1001 "Going away"', async () => {
      const { gateway, events } = await kit.start({ idleTimeoutMs: 150 });
      const client = await kit.connect(gateway.url);
      const started = Date.now();

      expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      const disconnect = await eventually(() => events.disconnect[0]);
      expect(disconnect.requestContext).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: 'Going away' });
    });

    it('counts client messages and management posts as activity', async () => {
      const { gateway, events } = await kit.start({ idleTimeoutMs: 200 });
      const client = await kit.connect(gateway.url);
      const connectionId = events.connect[0]!.requestContext.connectionId;
      const management = kit.managementClient(gateway.managementEndpoint);

      for (let i = 0; i < 4; i++) {
        await sleep(100);
        client.send('keepalive');
      }
      for (let i = 0; i < 4; i++) {
        await sleep(100);
        await management.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('tick') }));
      }
      expect(client.socket.readyState).toBe(WebSocket.OPEN);

      expect((await client.closed).code).toBe(1001);
    });

    it('closes with 1001 at maxConnectionMs even when active', async () => {
      const { gateway } = await kit.start({ maxConnectionMs: 250 });
      const client = await kit.connect(gateway.url);
      const timer = setInterval(() => client.socket.readyState === WebSocket.OPEN && client.send('busy'), 50);
      const started = Date.now();

      const closed = await client.closed;
      clearInterval(timer);

      expect(closed.code).toBe(1001);
      expect(Date.now() - started).toBeGreaterThanOrEqual(230);
    });
  });

  describe('$disconnect', () => {
    it('runs exactly once per connection, after the connection left the registry, with the client close code', async () => {
      const countsSeen: number[] = [];
      const events: WebSocketProxyEvent[] = [];
      const gatewayRef: { count?: () => number } = {};
      const { gateway } = await kit.start(
        {},
        {
          disconnect: async (event) => {
            events.push(event);
            countsSeen.push(gatewayRef.count!());
          },
        },
      );
      gatewayRef.count = () => gateway.connectionCount();
      const first = await kit.connect(gateway.url);
      const second = await kit.connect(gateway.url);

      first.socket.close(4000, 'bye');
      await eventually(() => events.length === 1);
      await second.dispose();
      await eventually(() => events.length === 2);
      await sleep(50);

      expect(events).toHaveLength(2);
      expect(events[0]!.requestContext).toMatchObject({ disconnectStatusCode: 4000, disconnectReason: 'bye' });
      expect(events[1]!.requestContext.disconnectStatusCode).toBe(1006);
      expect(countsSeen).toEqual([1, 0]);
    });

    it('runs once when DeleteConnection and a client close race', async () => {
      const { gateway, events } = await kit.start();
      const client = await kit.connect(gateway.url);
      const management = kit.managementClient(gateway.managementEndpoint);
      const connectionId = events.connect[0]!.requestContext.connectionId;

      const deleted = management.send(new DeleteConnectionCommand({ ConnectionId: connectionId })).catch(() => undefined);
      client.socket.close(4001, 'client');
      await deleted;
      await client.closed;
      await sleep(50);

      expect(events.disconnect).toHaveLength(1);
      expect([1000, 4001]).toContain(events.disconnect[0]!.requestContext.disconnectStatusCode);
    });

    it('logs a failing $disconnect instead of throwing', async () => {
      const lines: string[] = [];
      const { gateway } = await kit.start(
        { log: (line) => lines.push(line) },
        { disconnect: async () => Promise.reject(new Error('cleanup failed')) },
      );
      const client = await kit.connect(gateway.url);

      client.socket.close(1000);

      await eventually(() => lines.find((line) => line.includes('cleanup failed')));
      expect((await kit.connect(gateway.url)).socket.readyState).toBe(WebSocket.OPEN);
    });

    it('drops every $disconnect with disconnectDropRate 1, but still forgets the connection', async () => {
      const { gateway, events } = await kit.start({ disconnectDropRate: 1 });
      const client = await kit.connect(gateway.url);

      client.socket.close(1000);
      await client.closed;
      await sleep(50);

      expect(events.disconnect).toHaveLength(0);
      expect(gateway.connectionCount()).toBe(0);
    });
  });

  describe('close()', () => {
    it('closes every connection with 1001, runs their $disconnect, and releases the port', async () => {
      const disconnected: string[] = [];
      const gateway = await startWebSocketGateway({
        handlers: {
          disconnect: async (event) => {
            await sleep(30);
            disconnected.push(event.requestContext.connectionId);
          },
        },
      });
      const clients = [kit.client(gateway.url), kit.client(gateway.url)];
      await Promise.all(clients.map((client) => client.opened));
      expect(gateway.connectionCount()).toBe(2);

      await gateway.close();

      expect(disconnected).toHaveLength(2);
      expect(gateway.connectionCount()).toBe(0);
      for (const client of clients) expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
      const refused = await new Promise<string>((resolve) => {
        const socket = createConnection(gateway.port, '127.0.0.1');
        socket.once('connect', () => {
          socket.destroy();
          resolve('connected');
        });
        socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      });
      expect(refused).toBe('ECONNREFUSED');
    });

    it('does not wait for a $connect that never resolves', async () => {
      const gateway = await startWebSocketGateway({ handlers: { connect: () => new Promise(() => undefined) } });
      const client = kit.client(gateway.url);
      await sleep(30);

      const started = Date.now();
      await gateway.close();

      expect(Date.now() - started).toBeLessThan(2000);
      await expect(client.opened).rejects.toBeDefined();
    });

    it('terminates clients that do not finish the closing handshake', async () => {
      const gateway = await startWebSocketGateway({ handlers: {} });
      const client = await kit.connect(gateway.url);
      client.socket.pause();

      const started = Date.now();
      await gateway.close();

      // Without the cut, `ws` would wait 30 s for the client's close frame.
      expect(Date.now() - started).toBeGreaterThanOrEqual(SHUTDOWN_CLOSE_GRACE_MS - 50);
      expect(Date.now() - started).toBeLessThan(SHUTDOWN_CLOSE_GRACE_MS + 1000);
      client.socket.resume();
      await client.closed;
    });
  });

  it('refuses custom route keys starting with $', async () => {
    await expect(startWebSocketGateway({ handlers: { routes: { $connect: async () => undefined } } })).rejects.toThrow(
      /must not start with \$/,
    );
  });
});
