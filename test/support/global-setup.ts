/**
 * Jest global setup: starts DynamoDB Local and the SQS server once per run and publishes their
 * endpoints as TEST_DYNAMODB_ENDPOINT and TEST_SQS_ENDPOINT (test workers inherit this
 * environment). Test files isolate themselves by name prefix (`isolation.ts`).
 */
import { startDynamoDbLocal, type DynamoDbLocal } from '../../local/services/dynamodb-local';
import { startSqsServer, type SqsServer } from '../../local/services/sqs-server';
import { TEST_CREDENTIALS, TEST_REGION } from './aws-clients';

export interface TestServices {
  dynamoDb?: DynamoDbLocal;
  sqs?: SqsServer;
}

export default async function globalSetup(): Promise<void> {
  process.env.AWS_REGION ??= TEST_REGION;
  process.env.AWS_ACCESS_KEY_ID ??= TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ??= TEST_CREDENTIALS.secretAccessKey;
  // Otherwise the SDK warns in every test file that its releases after January 2027 need Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

  progress('starting DynamoDB Local and the SQS server (fauxqs)…');
  // DEBUG_TEST_SERVICES=1 shows the services' own output, with times since the start.
  const log = process.env.DEBUG_TEST_SERVICES ? timestampedLog(performance.now()) : undefined;
  const [dynamoDb, sqs] = await Promise.allSettled([
    timed('DynamoDB Local', () => startDynamoDbLocal(log ? { log } : {})),
    timed('SQS server', () => startSqsServer(log ? { log } : {})),
  ]);
  if (dynamoDb.status === 'rejected' || sqs.status === 'rejected') {
    // Jest skips the global teardown when the setup throws, so whatever did start stops here.
    await Promise.allSettled([fulfilled(dynamoDb)?.stop(), fulfilled(sqs)?.stop()]);
    const reasons = [dynamoDb, sqs].flatMap((result) => (result.status === 'rejected' ? [result.reason] : []));
    throw new Error(reasons.map((reason) => (reason instanceof Error ? reason.message : String(reason))).join('\n\n'));
  }
  setTestServices({ dynamoDb: dynamoDb.value, sqs: sqs.value });
  process.env.TEST_DYNAMODB_ENDPOINT = dynamoDb.value.endpoint;
  process.env.TEST_SQS_ENDPOINT = sqs.value.endpoint;
}

async function timed<T extends { endpoint: string }>(name: string, start: () => Promise<T>): Promise<T> {
  const startedAt = performance.now();
  const service = await start();
  progress(`${name} ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s at ${service.endpoint}`);
  return service;
}

function timestampedLog(startedAt: number): (line: string) => void {
  return (line) => progress(`+${Math.round(performance.now() - startedAt)} ms ${line}`);
}

function fulfilled<T>(result: PromiseSettledResult<T>): T | undefined {
  return result.status === 'fulfilled' ? result.value : undefined;
}

// Setup and teardown both run in jest's main process and share `globalThis` (workers do not).
const SERVICES_KEY = Symbol.for('serverless-conversations.test-services');
type GlobalWithServices = typeof globalThis & { [SERVICES_KEY]?: TestServices };

function setTestServices(services: TestServices): void {
  (globalThis as GlobalWithServices)[SERVICES_KEY] = services;
}

/** What the setup started, for the teardown; forgotten here, so nothing is stopped twice. */
export function takeTestServices(): TestServices {
  const global = globalThis as GlobalWithServices;
  const services = global[SERVICES_KEY] ?? {};
  delete global[SERVICES_KEY];
  return services;
}

/** One line on stderr, e.g. `[test services] DynamoDB Local ready in 0.9 s at http://127.0.0.1:41327`. */
export function progress(line: string): void {
  process.stderr.write(`[test services] ${line}\n`);
}
