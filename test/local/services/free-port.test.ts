import { createServer } from 'node:net';
import { getFreePort, LOOPBACK_HOST } from '../../../local/services/free-port';

describe('getFreePort', () => {
  it('returns a port that can be bound on 127.0.0.1 right away', async () => {
    const port = await getFreePort();

    expect(port).toBeGreaterThan(0);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK_HOST, resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
