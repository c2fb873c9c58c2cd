import { App, Validations } from 'aws-cdk-lib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { EXAMPLE_BOT_ENV } from '../../bots/example-registry';
import { QUEUE_SETTINGS } from '../../lambdas/adapters/sqs/queue-design';
import type { BotsConfig } from '../../lambdas/core/bots-config';
import {
  CONTEXT,
  DEFAULT_BOTS_FILE,
  DEFAULT_EXAMPLE_BOTS,
  EXAMPLE_BOTS_FROM_BOTS_FILE_WARNING,
  loadBotsFile,
  stackPropsFromContext,
  warnOfExampleBotsInBotsFile,
} from '../../lib/app-context';
import { ConversationsStack } from '../../lib/conversations-stack';
import { EXAMPLE_BOT_BATCH_SIZE, EXAMPLE_BOT_TIMEOUT, LOCAL_INVITE_URL_WARNING } from '../../lib/example-bots';
import { RUNTIME_REASON, XRAY_REASON } from '../../lib/nag-suppressions';
import {
  actionsOf,
  arnOf,
  buildStack,
  logicalIdOf,
  resourcesOf,
  statementsOfRole,
  TEST_STACK_NAME,
  type PolicyStatementJson,
} from './stack-fixture';

const DEFAULT_BOTS = loadBotsFile(DEFAULT_BOTS_FILE);
/** What an SQS event source needs on its queue (`queue.grantConsumeMessages`). */
const CONSUME_ACTIONS = [
  'sqs:ChangeMessageVisibility',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:GetQueueUrl',
  'sqs:ReceiveMessage',
];
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const touches = (statement: PolicyStatementJson, resource: unknown) => resourcesOf(statement).some((r) => same(r, resource));

/** The stack as `bin/app.ts` builds it from this context, with bundling skipped. */
function stackFromContext(context: Record<string, unknown>) {
  const app = new App({ context });
  const stack = new ConversationsStack(app, TEST_STACK_NAME, {
    exampleBots: DEFAULT_EXAMPLE_BOTS,
    ...stackPropsFromContext(app.node),
    bundlingMode: 'skip',
  });
  warnOfExampleBotsInBotsFile(app.node, stack);
  return { app, stack };
}

describe('ExampleBots', () => {
  describe('with the default bots file and no context, as `cdk deploy` runs', () => {
    const { stack } = stackFromContext({});
    const template = Template.fromStack(stack);
    const functions = stack.exampleBots?.functions ?? [];

    it('runs the Manager and the Calculator as Lambdas, each on its own queue, ten records a batch with partial failures', () => {
      expect(functions.map((bot) => bot.botName)).toEqual(['Manager', 'Calculator']);
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 3);
      for (const bot of functions) {
        template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
          EventSourceArn: arnOf(bot.queue.queues.queue),
          FunctionName: { Ref: logicalIdOf(bot.handler.fn) },
          BatchSize: EXAMPLE_BOT_BATCH_SIZE,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
      }
      expect(EXAMPLE_BOT_BATCH_SIZE).toBe(10);
    });

    it('tells each function its logic and the replies queue, on Node.js 22 and arm64, within the visibility timeout', () => {
      for (const bot of functions) {
        template.hasResourceProperties('AWS::Lambda::Function', {
          Role: { 'Fn::GetAtt': [logicalIdOf(bot.handler.role), 'Arn'] },
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Timeout: EXAMPLE_BOT_TIMEOUT.toSeconds(),
          Environment: {
            Variables: {
              [EXAMPLE_BOT_ENV.BOT_NAME]: bot.botName,
              [EXAMPLE_BOT_ENV.REPLIES_QUEUE_URL]: { Ref: logicalIdOf(stack.repliesQueue.queue) },
              [EXAMPLE_BOT_ENV.LOG_LEVEL]: 'info',
              NODE_OPTIONS: '--enable-source-maps',
            },
          },
        });
      }
      expect(EXAMPLE_BOT_TIMEOUT.toSeconds()).toBeLessThanOrEqual(QUEUE_SETTINGS.visibilityTimeoutSeconds);
    });

    it('warns at synth that the websocket Echo cannot be invited at its local:// URL', () => {
      const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue());
      expect(warnings.map((warning) => [warning.id, warning.entry.data])).toEqual([
        [
          `/${TEST_STACK_NAME}/ExampleBots`,
          expect.stringMatching(/^example bot "Echo" is a websocket bot: it cannot run as a Lambda, and its invite_url "local:\/\//),
        ],
      ]);
      // a deployment that does without Echo on purpose can acknowledge it by this id
      expect(warnings[0]!.entry.data).toContain(`[ack: ${LOCAL_INVITE_URL_WARNING}]`);
    });
  });

  describe('least privilege', () => {
    const { stack, template } = buildStack({ bots: DEFAULT_BOTS, exampleBots: true });
    const functions = stack.exampleBots?.functions ?? [];
    const bot = (name: string) => functions.find((f) => f.botName === name)!;

    it.each(['Manager', 'Calculator'])('lets %s consume its own queue and nothing else', (name) => {
      const statements = statementsOfRole(template, logicalIdOf(bot(name).handler.role));
      const consuming = statements.filter((s) =>
        actionsOf(s).some((action) => action.startsWith('sqs:') && action !== 'sqs:SendMessage'),
      );
      expect(consuming).toHaveLength(1);
      expect(actionsOf(consuming[0]!).sort()).toEqual(CONSUME_ACTIONS);
      expect(resourcesOf(consuming[0]!)).toEqual([arnOf(bot(name).queue.queues.queue)]);
      // no other bot's queue, and no dead-letter queue at all
      for (const other of stack.botQueues.bots) {
        if (other.botName !== name) expect(statements.filter((s) => touches(s, arnOf(other.queues.queue)))).toEqual([]);
        expect(statements.filter((s) => touches(s, arnOf(other.queues.deadLetterQueue)))).toEqual([]);
      }
      expect(statements.filter((s) => touches(s, arnOf(stack.repliesQueue.deadLetterQueue)))).toEqual([]);
    });

    it.each(['Manager', 'Calculator'])('lets %s send to the replies queue only, and only send there', (name) => {
      const statements = statementsOfRole(template, logicalIdOf(bot(name).handler.role));
      const sending = statements.filter((s) => actionsOf(s).includes('sqs:SendMessage'));
      expect(sending).toEqual([expect.objectContaining({ Action: 'sqs:SendMessage', Resource: arnOf(stack.repliesQueue.queue) })]);
      expect(statements.filter((s) => touches(s, arnOf(stack.repliesQueue.queue))).flatMap(actionsOf)).toEqual(['sqs:SendMessage']);
    });

    it.each(['Manager', 'Calculator'])('gives %s no table, no connections, and "*" for X-Ray alone', (name) => {
      const { handler } = bot(name);
      const statements = statementsOfRole(template, logicalIdOf(handler.role));
      const logs = ['logs:CreateLogStream', 'logs:PutLogEvents'];
      const xray = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
      expect(statements.flatMap(actionsOf).sort()).toEqual([...CONSUME_ACTIONS, 'sqs:SendMessage', ...logs, ...xray].sort());
      for (const statement of statements.filter((s) => resourcesOf(s).includes('*'))) {
        expect(actionsOf(statement).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      }
      expect(statements.filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')))).toEqual([
        expect.objectContaining({ Resource: arnOf(handler.logGroup) }),
      ]);
    });
  });

  describe('which bots', () => {
    it('runs an example manager only as the manager and answering bots only on a queue; no other bot', () => {
      // given Transparent managing, the example Manager as a plain queue bot, Echo on a queue and a bot of someone else's
      const bots: BotsConfig = {
        manager: 'Transparent',
        bots: [
          { name: 'Transparent', delivery: 'queue' },
          { name: 'Manager', delivery: 'queue' },
          { name: 'Echo', delivery: 'queue' },
          { name: 'Calculator', delivery: 'websocket', invite_url: 'https://bots.example.com/invite/Calculator' },
          { name: 'Word-Counter', delivery: 'queue' },
        ],
      };

      // when
      const { stack, template } = buildStack({ bots, exampleBots: true });

      // then
      expect(stack.exampleBots?.functions.map((f) => [f.botName, f.queue.botName])).toEqual([
        ['Transparent', 'Transparent'],
        ['Echo', 'Echo'],
      ]);
      template.resourceCountIs('AWS::Lambda::Function', 6 + 2);
      // an https invite_url is a reachable worker: no warning
      Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
    });

    it('leaves the fixture\'s Router-managed stack one Lambda, the Calculator', () => {
      const { stack } = buildStack({ exampleBots: true });
      expect(stack.exampleBots?.functions.map((f) => f.botName)).toEqual(['Calculator']);
    });
  });

  describe('the exampleBots context flag', () => {
    it.each([
      ['false', false],
      [false, false],
      ['true', true],
    ])('reads exampleBots=%j', (value, expected) => {
      expect(stackPropsFromContext(new App({ context: { [CONTEXT.EXAMPLE_BOTS]: value } }).node).exampleBots).toBe(expected);
    });

    it('off, removes every example bot resource', () => {
      // given the default bots file, as `cdk deploy -c exampleBots=false` runs
      const { stack } = stackFromContext({ [CONTEXT.EXAMPLE_BOTS]: 'false' });

      // then
      expect(stack.exampleBots).toBeUndefined();
      expect(stack.node.tryFindChild('ExampleBots')).toBeUndefined();
      const { template } = buildStack({ bots: DEFAULT_BOTS, exampleBots: false });
      template.resourceCountIs('AWS::Lambda::Function', 6);
      template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
      expect(Object.keys(template.toJSON().Resources).filter((id) => id.startsWith('ExampleBots'))).toEqual([]);
    });

    it('refuses a value that is not true or false', () => {
      expect(() => stackPropsFromContext(new App({ context: { [CONTEXT.EXAMPLE_BOTS]: 'yes' } }).node)).toThrow(
        'context exampleBots must be true or false, not "yes"',
      );
    });
  });

  describe('a bots file of your own (-c botsFile=)', () => {
    const fromBotsFile = (bots: BotsConfig, extra: Record<string, unknown> = {}) => {
      const dir = mkdtempSync(join(tmpdir(), 'bots-file-'));
      const file = join(dir, 'bots.json');
      writeFileSync(file, JSON.stringify(bots));
      const { stack } = stackFromContext({ [CONTEXT.BOTS_FILE]: file, ...extra });
      rmSync(dir, { recursive: true, force: true });
      return { stack, warnings: Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('your bots file names')) };
    };
    const ownCalculator: BotsConfig = { manager: null, bots: [{ name: 'Calculator', delivery: 'queue' }, { name: 'Quiz', delivery: 'queue' }] };

    it('warns that a queue bot named like an example gets the example Lambda, and how to turn it off', () => {
      const { stack, warnings } = fromBotsFile(ownCalculator);
      expect(stack.exampleBots?.functions.map((bot) => bot.botName)).toEqual(['Calculator']);
      expect(warnings.map((warning) => warning.entry.data)).toEqual([
        expect.stringContaining('your bots file names "Calculator": the example bot Lambdas of those names will read their queues'),
      ]);
      expect(warnings[0]!.entry.data).toContain('-c exampleBots=false');
      expect(warnings[0]!.entry.data).toContain(`[ack: ${EXAMPLE_BOTS_FROM_BOTS_FILE_WARNING}]`);
    });

    it('says nothing when exampleBots is given either way, or when no name is an example', () => {
      expect(fromBotsFile(ownCalculator, { [CONTEXT.EXAMPLE_BOTS]: 'true' }).warnings).toEqual([]);
      const off = fromBotsFile(ownCalculator, { [CONTEXT.EXAMPLE_BOTS]: 'false' });
      expect([off.stack.exampleBots, off.warnings]).toEqual([undefined, []]);
      expect(fromBotsFile({ manager: null, bots: [{ name: 'Quiz', delivery: 'queue' }] }).warnings).toEqual([]);
    });

    it('and the default bots file, without -c botsFile, warns of nothing of the sort', () => {
      const { stack } = stackFromContext({});
      expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('your bots file names'))).toEqual([]);
    });
  });

  describe('cdk-nag AwsSolutions', () => {
    it('reports nothing unacknowledged with the example bots on', () => {
      const { app, stack } = stackFromContext({});
      const report = new AwsSolutionsChecks(app, { verbose: true }).validateScope(stack);
      const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
      expect(findings).toEqual([]);
      expect(report.success).toBe(true);
    });

    it('acknowledges on each example bot only the runtime pin and X-Ray, for the stack handlers\' reasons', () => {
      // given the raw findings (acknowledgements ignored; isAcknowledged is private)
      const { app, stack } = stackFromContext({});
      const rawPack = new AwsSolutionsChecks(app);
      (rawPack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
      const raised = rawPack
        .validateScope(stack)
        .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));

      for (const { handler } of stack.exampleBots!.functions) {
        expect(acknowledgementsOn(handler.fn)).toEqual({ 'AwsSolutions-L1': RUNTIME_REASON });
        expect(acknowledgementsOn(handler.role)).toEqual({ 'AwsSolutions-IAM5[Resource::*]': XRAY_REASON });
        expect(raised).toContain(`AwsSolutions-L1 ${handler.fn.node.path}/Resource`);
        expect(raised).toContain(`AwsSolutions-IAM5[Resource::*] ${handler.role.node.path}/DefaultPolicy/Resource`);
      }
    });
  });
});

/** The acknowledgements recorded on one construct: finding id -> reason. */
function acknowledgementsOn(construct: IConstruct): Record<string, string> {
  return Object.assign(
    {},
    ...construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .map((entry) =>
        Object.fromEntries(
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => [id.replace(/^annotation::/i, ''), reason]),
        ),
      ),
  );
}
