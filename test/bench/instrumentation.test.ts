/**
 * The benchmark's recorder on the real management API client, posting through the local gateway:
 * what it counts as posts must be what left, since posts are both a latency share and a cost.
 */
import { ManagementApiPoster } from '../../lambdas/adapters/management-api/connection-poster';
import { createManagementApiClient } from '../../lambdas/adapters/management-api/management-client';
import { instrumentManagementApi, Recorder } from '../../bench/instrumentation';
import { GatewayTestKit } from '../local/gateway/gateway-test-kit';

const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const SILENT_LOG = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

describe('instrumentManagementApi', () => {
  const kit = new GatewayTestKit();
  afterEach(() => kit.cleanup());

  it('records the posts of a fan-out that was sent, each from its release, and none of one that was cancelled', async () => {
    const { gateway, events } = await kit.start();
    const clients = [await kit.connect(gateway.url), await kit.connect(gateway.url)];
    const connectionIds = events.connect.map((event) => event.requestContext.connectionId);
    const client = createManagementApiClient(gateway.managementEndpoint, { region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    const recorder = new Recorder();
    instrumentManagementApi(client, recorder, 'backend');
    const poster = new ManagementApiPoster(client, { log: SILENT_LOG });

    recorder.open();
    const lost = poster.prepareMany(connectionIds, '{"message":{"text":"lost"}}');
    await new Promise((resolve) => setTimeout(resolve, 50));
    lost.cancel();
    const sent = poster.prepareMany(connectionIds, '{"message":{"text":"sent"}}');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const releasedFrom = performance.now();
    expect(await sent.send()).toMatchObject({ delivered: 2 });
    const { calls } = recorder.close();

    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call).toMatchObject({ service: 'apigw', command: 'PostToConnection', side: 'backend', billed: 1 });
      expect(call.failed).toBeUndefined();
      expect(call.releasedAt).toBeGreaterThanOrEqual(releasedFrom);
    }
    for (const testClient of clients) expect(await testClient.frame()).toBe('{"message":{"text":"sent"}}');
    client.destroy();
  });
});
