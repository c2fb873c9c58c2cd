import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { ConversationsStack } from '../../lib/conversations-stack';
import { TEST_BOTS, TEST_STACK_NAME } from './stack-fixture';

/** `error AwsSolutions-XX path` lines: readable in a failure. */
function findings(report: ReturnType<AwsSolutionsChecks['validateScope']>): string[] {
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} ${resource.constructPath}`),
  );
}

/** Every acknowledgement in the tree, as `ruleId path` lines. */
function acknowledgements(root: IConstruct): Array<{ line: string; reason: string }> {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          line: `${id.replace(/^annotation::/i, '')} ${construct.node.path}`,
          reason,
        })),
      ),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports nothing unacknowledged on the stack', () => {
    // given the stack as bin/app.ts builds it
    const app = new App();
    const stack = new ConversationsStack(app, TEST_STACK_NAME, { bots: TEST_BOTS, bundlingMode: 'skip' });

    // when the pack checks it
    const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(stack);

    // then there is no finding, error or warning
    expect(findings(report)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('lets synth pass when registered as the app does it', () => {
    const app = new App();
    new ConversationsStack(app, TEST_STACK_NAME, { bots: TEST_BOTS, bundlingMode: 'skip' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));

    expect(() => app.synth()).not.toThrow();
  });

  it('acknowledges exactly the findings the pack raises: none stale, none broader than a resource', () => {
    // given the pack with acknowledgements ignored (isAcknowledged is private; this test needs the raw findings)
    const app = new App();
    const stack = new ConversationsStack(app, TEST_STACK_NAME, { bots: TEST_BOTS, bundlingMode: 'skip' });
    const rawPack = new AwsSolutionsChecks(app);
    (rawPack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;

    // when
    const raised = findings(rawPack.validateScope(stack)).map((line) => line.replace(/^\w+ /, ''));
    const acknowledged = acknowledgements(stack);

    // then every acknowledgement matches a raised finding on that construct or its own children
    for (const { line } of acknowledged) {
      const [ruleId, path] = line.split(' ') as [string, string];
      expect(raised.some((finding) => finding.startsWith(`${ruleId} ${path}/`) || finding === `${ruleId} ${path}`)).toBe(true);
    }
    // and every acknowledgement says why, in a sentence
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(60);
    // and only these rules are acknowledged
    expect([...new Set(acknowledged.map(({ line }) => line.split(' ')[0]!.replace(/\[.*$/, '')))].sort()).toEqual([
      'AwsSolutions-APIG4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
    ]);
  });

  it('does report problems: a plain queue fails the same pack', () => {
    // given a queue without TLS enforcement or dead-letter queue
    const app = new App();
    const stack = new Stack(app, 'Probe');
    new sqs.Queue(stack, 'Plain');

    // when
    const report = new AwsSolutionsChecks(app).validateScope(stack);

    // then
    expect(findings(report)).toEqual(
      expect.arrayContaining(['error AwsSolutions-SQS3 Probe/Plain/Resource', 'error AwsSolutions-SQS4 Probe/Plain/Resource']),
    );
  });
});
