import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { ManagementApiPoster } from '../../../lambdas/adapters/management-api/connection-poster';
import { createManagementApiClient } from '../../../lambdas/adapters/management-api/management-client';
import { hasPostHold, installPostHold, POST_HOLD_MIDDLEWARE } from '../../../lambdas/adapters/management-api/post-hold';
import type { LogFields } from '../../../lambdas/core/ports';
import { GatewayTestKit, sleep, type TestClient } from '../../local/gateway/gateway-test-kit';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const SILENT_LOG = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
/** Long enough for a held post to have reached the gateway and its client, had it been sent. */
const HELD_LONG_ENOUGH_MS = 150;

describe('ManagementApiPoster through the local gateway', () => {
  const kit = new GatewayTestKit();
  const sdkClients: ApiGatewayManagementApiClient[] = [];
  afterEach(async () => {
    for (const client of sdkClients.splice(0)) client.destroy();
    await kit.cleanup();
  });

  async function setUp(participants: number) {
    const { gateway, events } = await kit.start();
    const clients: TestClient[] = [];
    for (let i = 0; i < participants; i++) clients.push(await kit.connect(gateway.url));
    const connectionIds = events.connect.map((event) => event.requestContext.connectionId);
    const client = createManagementApiClient(gateway.managementEndpoint, { region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    sdkClients.push(client);
    // Counts the posts that went through serialization and signing, i.e. reached the hold.
    let signed = 0;
    client.middlewareStack.addRelativeTo(
      ((next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
        signed++;
        return next(args);
      }) as Parameters<ApiGatewayManagementApiClient['middlewareStack']['addRelativeTo']>[0],
      { relation: 'before', toMiddleware: POST_HOLD_MIDDLEWARE, name: 'testSignedCounter' },
    );
    const errors: Array<{ message: string; fields?: LogFields }> = [];
    const log = { debug: () => {}, info: () => {}, warn: () => {}, error: (message: string, fields?: LogFields) => errors.push({ message, fields }) };
    const poster = new ManagementApiPoster(client, { log });
    return { gateway, clients, connectionIds, poster, client, errors, signed: () => signed };
  }

  it('signs prepared posts ahead and delivers none of them before send()', async () => {
    const { clients, connectionIds, poster, signed } = await setUp(3);

    const prepared = poster.prepareMany(connectionIds, '{"message":{"text":"hi"}}');
    await sleep(HELD_LONG_ENOUGH_MS);

    expect(signed()).toBe(3);
    expect(clients.map((client) => client.frames)).toEqual([[], [], []]);

    const report = await prepared.send();
    expect(report).toEqual({ gone: [], failed: [], delivered: 3 });
    for (const client of clients) expect(await client.frame()).toBe('{"message":{"text":"hi"}}');
    expect(signed()).toBe(3);
  });

  it('cancelled after preparing, sends nothing and logs nothing', async () => {
    const { clients, connectionIds, poster, errors } = await setUp(2);

    const prepared = poster.prepareMany(connectionIds, '{"message":{"text":"never"}}');
    await sleep(20);
    prepared.cancel();
    await sleep(HELD_LONG_ENOUGH_MS);

    expect(clients.map((client) => client.frames)).toEqual([[], []]);
    expect(errors).toEqual([]);
  });

  it('cancelled before preparing began, signs nothing', async () => {
    const { clients, connectionIds, poster, signed } = await setUp(2);

    poster.prepareMany(connectionIds, '{"message":{"text":"never"}}').cancel();
    await sleep(HELD_LONG_ENOUGH_MS);

    expect(signed()).toBe(0);
    expect(clients.map((client) => client.frames)).toEqual([[], []]);
  });

  it('sent at once, works like postToMany: a connection the gateway does not hold is reported gone', async () => {
    const { clients, connectionIds, poster } = await setUp(1);

    const report = await poster.prepareMany([...connectionIds, 'unknownConnId='], '{"state":{}}').send();

    expect(report).toEqual({ gone: ['unknownConnId='], failed: [], delivered: 1 });
    expect(await clients[0]!.frame()).toBe('{"state":{}}');
  });

  it('holds only the posts of prepared fan-outs: postToMany and postToOne go out at once', async () => {
    const { clients, connectionIds, poster } = await setUp(2);

    poster.prepareMany(connectionIds, '{"held":true}');
    await expect(poster.postToMany(connectionIds, '{"now":1}')).resolves.toEqual({ gone: [], failed: [], delivered: 2 });
    await expect(poster.postToOne(connectionIds[0]!, '{"now":2}')).resolves.toBe('delivered');

    await clients[0]!.frame((frame) => frame === '{"now":2}');
    expect(clients.map((client) => client.frames)).toEqual([['{"now":1}', '{"now":2}'], ['{"now":1}']]);
  });
});

describe('the post hold', () => {
  it('is in every client of createManagementApiClient, right after SigV4 signing, once however often it is installed', () => {
    const client = createManagementApiClient('http://127.0.0.1:9/local', { region: 'us-east-1', credentials: CREDENTIALS });
    expect(hasPostHold(client)).toBe(true);
    installPostHold(client);
    new ManagementApiPoster(client, { log: SILENT_LOG });

    const stack = client.middlewareStack.identify();
    const hold = stack.filter((entry) => entry.startsWith(`${POST_HOLD_MIDDLEWARE} `));
    expect(hold).toEqual([`${POST_HOLD_MIDDLEWARE} - after httpSigningMiddleware`]);
    expect(stack.findIndex((entry) => entry.startsWith('httpSigningMiddleware'))).toBe(stack.indexOf(hold[0]!) - 1);
    client.destroy();
  });

  it('is installed by the poster on a client built without it', () => {
    const client = new ApiGatewayManagementApiClient({ endpoint: 'http://127.0.0.1:9/local', region: 'us-east-1', credentials: CREDENTIALS });
    expect(hasPostHold(client)).toBe(false);
    new ManagementApiPoster(client, { log: SILENT_LOG });
    expect(hasPostHold(client)).toBe(true);
    client.destroy();
  });
});
