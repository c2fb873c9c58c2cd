import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, LogLevel as EsbuildLogLevel, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: Lambda entries and the lock file are found from here, whatever the cwd. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_22_X;
export const HANDLER_ARCHITECTURE = lambda.Architecture.ARM_64;
export const HANDLER_MEMORY_SIZE_MB = 256;
/** API Gateway gives up on an integration after 29 s, so a route's Lambda never needs longer. */
export const ROUTE_TIMEOUT = Duration.seconds(29);
export const HANDLER_LOG_RETENTION = logs.RetentionDays.ONE_MONTH;

/**
 * esbuild, run locally (never Docker). The AWS SDK v3 is bundled (`externalModules: []`):
 * a minified, tree-shaken copy loads faster than the runtime's full one and pins the version
 * the tests ran against.
 */
export const HANDLER_BUNDLING: BundlingOptions = {
  minify: true,
  sourceMap: true,
  // Stack traces map back to file and line; the sources themselves need not ship.
  sourcesContent: false,
  target: 'node22',
  format: OutputFormat.CJS,
  externalModules: [],
  // ES module builds first: esbuild can then drop the SDK code a handler never calls (about a fifth of the bundle).
  mainFields: ['module', 'main'],
  forceDockerBundling: false,
  logLevel: EsbuildLogLevel.WARNING,
};

/** How a handler's code is produced: real esbuild bundling, or a stub so unit tests stay fast. */
export const BundlingMode = { ESBUILD: 'esbuild', SKIP: 'skip' } as const;
export type BundlingMode = (typeof BundlingMode)[keyof typeof BundlingMode];

/** Code used when bundling is skipped: it must never be deployed, so it fails loudly if it is. */
const UNBUNDLED_STUB = "exports.handler = async () => { throw new Error('deployed without bundling (bundlingMode: skip)'); };";

export interface HandlerFunctionProps {
  /**
   * Entry file exporting `handler`, relative to the project root.
   * @example 'lambdas/entries/connect.ts'
   */
  readonly entry: string;
  /** What the function does; shown in the Lambda console. */
  readonly description: string;
  /** Environment variables, keyed by the names in `lambdas/config/environment.ts`. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * Longest run of one invocation.
   * @default ROUTE_TIMEOUT (29 s, the API Gateway integration limit)
   */
  readonly timeout?: Duration;
  /**
   * `esbuild` bundles the entry; `skip` deploys a stub (CDK unit tests only).
   * @default 'esbuild'
   */
  readonly bundlingMode?: BundlingMode;
}

/**
 * One Lambda handler with the project's defaults: Node.js 22 on arm64, 256 MB, X-Ray active,
 * locally bundled with esbuild, its own log group (one month), and its own role that starts
 * with nothing but write access to that log group (no AWS managed policy). Every other
 * permission is granted explicitly by the construct that needs it.
 *
 * @example
 * const connect = new HandlerFunction(this, 'ConnectHandler', {
 *   entry: 'lambdas/entries/connect.ts',
 *   description: 'WebSocket $connect',
 *   environment,
 * });
 * table.grantReadWriteItems(connect);
 */
export class HandlerFunction extends Construct implements iam.IGrantable {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    const entry = path.join(PROJECT_ROOT, props.entry);
    if (!existsSync(entry)) throw new Error(`${this.node.path}: Lambda entry ${props.entry} does not exist`);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: HANDLER_LOG_RETENTION });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (Lambda execution role)`,
    });
    this.logGroup.grantWrite(this.role);
    this.grantPrincipal = this.role;

    const common = {
      description: props.description,
      runtime: HANDLER_RUNTIME,
      architecture: HANDLER_ARCHITECTURE,
      memorySize: HANDLER_MEMORY_SIZE_MB,
      timeout: props.timeout ?? ROUTE_TIMEOUT,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: {
        ...props.environment,
        // Lambda's Node.js does not read source maps unless told to; without it traces point into the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
      },
    };
    this.fn =
      (props.bundlingMode ?? BundlingMode.ESBUILD) === BundlingMode.SKIP
        ? new NodejsFunction(this, 'Function', { ...common, code: lambda.Code.fromInline(UNBUNDLED_STUB), handler: 'index.handler' })
        : new NodejsFunction(this, 'Function', {
            ...common,
            entry,
            handler: 'handler',
            projectRoot: PROJECT_ROOT,
            depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
            bundling: HANDLER_BUNDLING,
          });
  }
}
