import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Loopback only: nothing local listens on a public interface. */
export const LOOPBACK_HOST = '127.0.0.1';

/**
 * Asks the OS for a TCP port that is free on `host` right now, by listening on port 0 and closing.
 * Another process may take it before the caller binds it, so callers that can bind port 0
 * themselves should; the others retry on "address in use".
 *
 * @example const port = await getFreePort(); // e.g. 41327
 */
export function getFreePort(host: string = LOOPBACK_HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const { port } = server.address() as AddressInfo;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}
