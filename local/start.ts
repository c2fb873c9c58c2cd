/**
 * `npm start`: the whole system on this machine. DynamoDB Local, an SQS server, the local API
 * Gateway (WebSocket + management API), the HTTP API with the chat page, the replies queue's event
 * source and the example bots. Prints the endpoints (SPEC 5), then `ready`. Ctrl-C stops it all.
 */
import { queueBotNames } from '../lambdas/core/bots-config';
import { createLogger, parseLogLevel } from '../lambdas/runtime/logger';
import { startExampleBots, type ExampleBots } from '../bots/example-bots';
import { loadBots } from './bots-config';
import { startDynamoDbLocal } from './services/dynamodb-local';
import { startSqsServer } from './services/sqs-server';
import { startLocalStack, type LocalStack } from './stack';
import { chatPageFiles } from './web/chat-page';

const DEFAULT_HTTP_PORT = 3000;
const DEFAULT_WS_PORT = 3001;
/** Where `local://example-bots/…` invitation URLs of the bots file point. */
const EXAMPLE_BOTS_SCHEME = /^local:\/\/example-bots/;

function port(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`${name} must be a port number (0-65535), not ${JSON.stringify(raw)}`);
  }
  return value;
}

async function main(): Promise<void> {
  const started = Date.now();
  // Logs go to stderr; stdout carries only the lines tools read (SPEC 5).
  const log = createLogger({
    level: parseLogLevel(process.env.LOG_LEVEL),
    format: 'pretty',
    write: (line) => process.stderr.write(`${line}\n`),
  });
  const progress = (line: string) => process.stderr.write(`[start] ${line}\n`);
  const stoppers: Array<() => Promise<void>> = [];
  let stopping = false;
  const stop = async (signal: string, exitCode = 0) => {
    if (stopping) return;
    stopping = true;
    progress(`${signal}: stopping…`);
    for (const stopOne of stoppers.reverse()) {
      await stopOne().catch((error: unknown) => progress(`while stopping: ${String(error)}`));
    }
    progress('stopped');
    process.exit(exitCode);
  };
  // `on`, not `once`: a second signal (tsx's launcher forwards Ctrl-C too) must find a listener,
  // or Node's default would kill the process halfway through the stop. `stopping` ignores repeats.
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));

  try {
    const httpPort = port('HTTP_PORT', DEFAULT_HTTP_PORT);
    const wsPort = port('WS_PORT', DEFAULT_WS_PORT);
    // BOTS_FILE relative to the directory `npm start` was typed in (npm's INIT_CWD), not the package root.
    const { config: bots, replaced, botsFile } = await loadBots({ botsFile: process.env.BOTS_FILE });
    if (botsFile) progress(`bots file: ${botsFile}${replaced.length ? ` (replaces the default ${replaced.join(', ')})` : ''}`);
    progress(`bots: ${bots.bots.map((b) => `${b.name} (${b.delivery})`).join(', ')}; manager: ${bots.manager ?? 'none'}`);
    progress('starting DynamoDB Local and the SQS server…');
    const [dynamoDb, sqs] = await Promise.all([
      startDynamoDbLocal({ log: (line) => log.debug(line) }),
      startSqsServer({ log: (line) => log.debug(line) }),
    ]);
    stoppers.push(() => dynamoDb.stop(), () => sqs.stop());
    progress(`DynamoDB Local at ${dynamoDb.endpoint}, SQS at ${sqs.endpoint}`);

    let exampleBots: ExampleBots | undefined;
    const stack: LocalStack = await startLocalStack({
      dynamoDbEndpoint: dynamoDb.endpoint,
      sqsEndpoint: sqs.endpoint,
      prefix: 'local',
      bots,
      httpPort,
      wsPort,
      openRooms: process.env.OPEN_ROOMS === 'true',
      log,
      resolveInviteUrl: (url) =>
        exampleBots ? url.replace(EXAMPLE_BOTS_SCHEME, exampleBots.invitationBaseUrl) : url,
      staticFiles: await chatPageFiles(),
      gateway: { log: (line) => log.debug(`gateway: ${line}`) },
    });
    stoppers.push(() => stack.stop());

    exampleBots = await startExampleBots({
      sqs: stack.sqs,
      botQueueUrls: stack.botQueueUrls,
      repliesQueueUrl: stack.repliesQueueUrl,
      bots,
      replaced,
      log,
    });
    stoppers.push(() => exampleBots!.stop());
    progress(`example bots running: ${exampleBots.running.join(', ') || 'none'}`);

    const lines = [
      stack.http.url,
      stack.gateway.url,
      `sqs: ${sqs.endpoint}`,
      ...queueBotNames(bots).map((name) => `queue ${name}: ${stack.botQueueUrls[name]}`),
      `replies queue: ${stack.repliesQueueUrl}`,
    ];
    for (const line of lines) process.stdout.write(`${line}\n`);
    progress(`up in ${((Date.now() - started) / 1000).toFixed(1)} s; chat page: ${stack.http.url}  (Ctrl-C stops everything)`);
    process.stdout.write('ready\n');
  } catch (error) {
    progress(`could not start: ${error instanceof Error ? error.message : String(error)}`);
    await stop('error', 1);
  }
}

void main();
