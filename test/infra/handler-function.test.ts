import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ENV } from '../../lambdas/config/environment';
import { HandlerFunction, PROJECT_ROOT } from '../../lib/handler-function';
import { buildStack, logicalIdOf } from './stack-fixture';

describe('HandlerFunction defaults, on every handler of the stack', () => {
  const { stack, template } = buildStack();
  const handlers = Object.entries(stack.handlers);

  it('runs six functions, each Node.js 22 on arm64 with 256 MB, X-Ray active and its own log group', () => {
    template.resourceCountIs('AWS::Lambda::Function', 6);
    for (const [, handler] of handlers) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [logicalIdOf(handler.role), 'Arn'] },
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        MemorySize: 256,
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: logicalIdOf(handler.logGroup) } },
      });
    }
  });

  it('gives the WebSocket and HTTP route functions the 29 s API Gateway budget', () => {
    for (const name of ['connectAuthorizer', 'connect', 'disconnect', 'default', 'httpApi'] as const) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Role: { 'Fn::GetAtt': [logicalIdOf(stack.handlers[name].role), 'Arn'] },
        Timeout: 29,
      });
    }
  });

  it('keeps function and access logs for one month', () => {
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    const ours = [
      ...handlers.map(([, handler]) => handler.logGroup),
      stack.webSocket.accessLogGroup,
      stack.httpApi.accessLogGroup,
    ];
    expect(Object.keys(logGroups)).toHaveLength(ours.length);
    for (const logGroup of ours) expect(logGroups[logicalIdOf(logGroup)]!.Properties.RetentionInDays).toBe(30);
  });

  it('sets every variable the runtime reads, and turns source maps on', () => {
    for (const [, handler] of handlers) {
      const fn = template.findResources('AWS::Lambda::Function', {
        Properties: { Role: { 'Fn::GetAtt': [logicalIdOf(handler.role), 'Arn'] } },
      });
      const variables = Object.values(fn)[0]!.Properties.Environment.Variables as Record<string, unknown>;
      expect(Object.keys(variables).sort()).toEqual([...Object.values(ENV), 'NODE_OPTIONS'].sort());
      expect(variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('gives each function its own role, with no AWS managed policy', () => {
    for (const [, handler] of handlers) {
      template.hasResourceProperties('AWS::IAM::Role', {
        AssumeRolePolicyDocument: {
          Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })],
        },
      });
      const role = template.findResources('AWS::IAM::Role')[logicalIdOf(handler.role)]!;
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
    expect(new Set(handlers.map(([, handler]) => logicalIdOf(handler.role))).size).toBe(6);
  });

  it('refuses an entry file that does not exist', () => {
    const scratch = new Stack(new App(), 'Scratch');
    expect(
      () =>
        new HandlerFunction(scratch, 'Missing', {
          entry: 'lambdas/entries/nope.ts',
          description: 'x',
          environment: {},
          bundlingMode: 'skip',
        }),
    ).toThrow('Scratch/Missing: Lambda entry lambdas/entries/nope.ts does not exist');
  });
});

/** esbuild itself takes about a second; a loaded CI machine can take far longer. */
const BUNDLING_TIMEOUT_MS = 120_000;

describe('HandlerFunction bundling (real esbuild, no Docker)', () => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'cdk-bundling-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles an entry, the AWS SDK included, minified with a source map', () => {
    // given a handler with the default bundling mode
    const app = new App({ outdir });
    const stack = new Stack(app, 'Bundled');
    new HandlerFunction(stack, 'Default', {
      entry: 'lambdas/entries/default.ts',
      description: 'bundling test',
      environment: {},
    });

    // when the app is synthesized (esbuild runs here)
    const assembly = app.synth();

    // then the function's asset is one minified CommonJS file and its map
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', { Handler: 'index.handler' });
    const assetDirs = readdirSync(assembly.directory).filter((name) => name.startsWith('asset.'));
    expect(assetDirs).toHaveLength(1);
    const assetDir = path.join(assembly.directory, assetDirs[0]!);
    expect(readdirSync(assetDir).sort()).toEqual(['index.js', 'index.js.map']);
    const bundle = readFileSync(path.join(assetDir, 'index.js'), 'utf8');
    // (booleans, not the bundle itself, so a failure does not print a megabyte)
    expect(bundle.endsWith('//# sourceMappingURL=index.js.map\n')).toBe(true);
    // and the SDK v3 clients are inside it, not required from the runtime's copy
    expect(/require\(["']@aws-sdk\/(client|lib)-/.test(bundle)).toBe(false);
    expect(bundle.includes('PostToConnection')).toBe(true);
    // and it is minified: no comments from the source, long lines
    expect(bundle.includes('Built once per container')).toBe(false);
    expect(bundle.length / bundle.split('\n').length).toBeGreaterThan(1000);
  }, BUNDLING_TIMEOUT_MS);

  it('finds every stack entry in the repository', () => {
    for (const entry of ['connect', 'disconnect', 'default', 'replies', 'http-api']) {
      expect(existsSync(path.join(PROJECT_ROOT, 'lambdas/entries', `${entry}.ts`))).toBe(true);
    }
  });
});
