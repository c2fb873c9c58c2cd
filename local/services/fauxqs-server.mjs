/**
 * Runs fauxqs (an SQS-compatible server, ESM only) on 127.0.0.1; `sqs-server.ts` starts it.
 *
 * fauxqs's own CLI (dist/cli.js) always listens on 0.0.0.0 and names queues
 * `http://sqs.<region>.localhost:<port>/...`, a host name that does not resolve everywhere.
 * Its programmatic API lets us choose both. fauxqs makes no outgoing connections.
 *
 * Environment: SQS_SERVER_PORT (default 0: a port the OS picks).
 * Prints one JSON line on stdout once it accepts requests: {"listening":{"host":"127.0.0.1","port":N}}
 */
import { buildApp } from 'fauxqs';

const HOST = '127.0.0.1';

async function createSqsStore() {
  // With an empty `host`, fauxqs builds queue URLs from the request's Host header:
  // `http://127.0.0.1:<port>/000000000000/<name>`, which any SDK or tool can reach as is.
  try {
    const storeModule = new URL('./sqs/sqsStore.js', import.meta.resolve('fauxqs'));
    const { SqsStore } = await import(storeModule.href);
    const store = new SqsStore();
    store.host = '';
    return store;
  } catch (error) {
    process.stderr.write(`fauxqs internals moved (${error.message}); queue URLs will use sqs.<region>.localhost\n`);
    return undefined;
  }
}

const port = Number(process.env.SQS_SERVER_PORT ?? '0');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`SQS_SERVER_PORT must be a TCP port, got "${process.env.SQS_SERVER_PORT}"\n`);
  process.exit(2);
}

const sqsStore = await createSqsStore();
const app = buildApp({ logger: false, ...(sqsStore ? { stores: { sqsStore } } : {}) });
try {
  await app.listen({ port, host: HOST });
} catch (error) {
  process.stderr.write(`cannot listen on ${HOST}:${port}: ${error.message}\n`);
  process.exit(1);
}
process.stdout.write(`${JSON.stringify({ listening: { host: HOST, port: app.server.address().port } })}\n`);
