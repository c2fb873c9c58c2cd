import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { join } from 'node:path';
import { spawnTethered, SupervisedProcess } from './child-process';
import { LOOPBACK_HOST } from './free-port';

/** fauxqs on 127.0.0.1 with reachable queue URLs (see the script's comment for why not its CLI). */
const FAUXQS_SCRIPT = join(__dirname, 'fauxqs-server.mjs');
/** Node and fauxqs start in about 0.3 s here. */
export const SQS_SERVER_START_TIMEOUT_MS = 15_000;
const PROBE_CONNECTION_TIMEOUT_MS = 1_000;
const PROBE_REQUEST_TIMEOUT_MS = 3_000;

export interface SqsServerOptions {
  /** TCP port. @default 0: a free port picked by the OS when the server binds (no race) */
  port?: number;
  /** Receives the server's output and lifecycle lines. @default silent (kept for errors) */
  log?: (line: string) => void;
  /** @default SQS_SERVER_START_TIMEOUT_MS */
  startTimeoutMs?: number;
}

export interface SqsServer {
  /** e.g. `http://127.0.0.1:41327`; queue URLs are `<endpoint>/000000000000/<queue name>`. */
  readonly endpoint: string;
  /** Stops the server and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts an SQS-compatible server (fauxqs 1.x, in memory) as a child process on 127.0.0.1 and
 * resolves once it answers `ListQueues`. FIFO queues, group ordering, de-duplication ids,
 * redrive to dead-letter queues, visibility changes and long polling work as on SQS; see
 * `test/local/services/sqs-server.test.ts` for what is checked.
 *
 * @example
 * const sqs = await startSqsServer();
 * const client = new SQSClient({ endpoint: sqs.endpoint, region: 'us-east-1', credentials });
 * await sqs.stop();
 */
export async function startSqsServer(options: SqsServerOptions = {}): Promise<SqsServer> {
  const server = new SupervisedProcess(
    spawnTethered(process.execPath, [FAUXQS_SCRIPT], {
      env: { ...process.env, SQS_SERVER_PORT: String(options.port ?? 0) },
    }),
    { label: 'SQS server (fauxqs)', ...(options.log ? { log: options.log } : {}) },
  );
  let port: number | undefined;
  server.onOutputLine((line) => {
    port ??= listeningPort(line);
  });

  const timeoutMs = options.startTimeoutMs ?? SQS_SERVER_START_TIMEOUT_MS;
  let probeClient: SQSClient | undefined;
  try {
    await server.waitUntilReady(
      async () => {
        if (port === undefined) throw new Error('no "listening" line yet');
        probeClient ??= new SQSClient({
          endpoint: `http://${LOOPBACK_HOST}:${port}`,
          region: 'us-east-1',
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          maxAttempts: 1,
          requestHandler: {
            connectionTimeout: PROBE_CONNECTION_TIMEOUT_MS,
            requestTimeout: PROBE_REQUEST_TIMEOUT_MS,
            throwOnRequestTimeout: true,
          },
        });
        await probeClient.send(new ListQueuesCommand({ MaxResults: 1 }));
      },
      { what: 'ListQueues', timeoutMs },
    );
  } catch (error) {
    await server.stop();
    throw error;
  } finally {
    probeClient?.destroy();
  }
  return { endpoint: `http://${LOOPBACK_HOST}:${port}`, stop: () => server.stop() };
}

function listeningPort(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const port = (JSON.parse(line) as { listening?: { port?: unknown } }).listening?.port;
    return typeof port === 'number' ? port : undefined;
  } catch {
    return undefined;
  }
}
