import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import type { BotsConfig } from '../../lambdas/core/bots-config';
import { ConversationsStack, type ConversationsStackProps } from '../../lib/conversations-stack';

/** A manager, two more queue bots (one with a name that needs sanitising) and a websocket bot. */
export const TEST_BOTS: BotsConfig = {
  manager: 'Router',
  bots: [
    { name: 'Router', delivery: 'queue' },
    { name: 'Echo', delivery: 'websocket', invite_url: 'https://bots.example.com/invite/Echo' },
    { name: 'Calculator', delivery: 'queue' },
    { name: 'Word-Counter', delivery: 'queue', required: true },
  ],
};
export const TEST_QUEUE_BOTS = ['Router', 'Calculator', 'Word-Counter'] as const;
export const TEST_STACK_NAME = 'ConversationsStack';

export interface BuiltStack {
  app: App;
  stack: ConversationsStack;
  template: Template;
}

/** The whole stack with bundling skipped (a stub per handler), so a synth takes a second, not ten. */
export function buildStack(props: Partial<ConversationsStackProps> = {}): BuiltStack {
  const app = new App();
  const stack = new ConversationsStack(app, TEST_STACK_NAME, { bots: TEST_BOTS, bundlingMode: 'skip', ...props });
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id of a construct's CloudFormation resource (its default child, or itself). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  const stack = Stack.of(construct);
  return stack.resolve(stack.getLogicalId(element)) as string;
}

export interface PolicyStatementJson {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

export function actionsOf(statement: PolicyStatementJson): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: PolicyStatementJson): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

/** Every identity-policy statement attached to a role (its inline `AWS::IAM::Policy` resources). */
export function statementsOfRole(template: Template, roleLogicalId: string): PolicyStatementJson[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((policy) => (policy.Properties.Roles as Array<{ Ref: string }>).some((role) => role.Ref === roleLogicalId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

/** Every identity-policy statement of the template: inline policies, managed policies, role policies. */
export function allIdentityStatements(template: Template): PolicyStatementJson[] {
  const fromPolicies = [
    ...Object.values(template.findResources('AWS::IAM::Policy')),
    ...Object.values(template.findResources('AWS::IAM::ManagedPolicy')),
  ].flatMap((policy) => policy.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
  const fromRoles = Object.values(template.findResources('AWS::IAM::Role')).flatMap((role) =>
    ((role.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: PolicyStatementJson[] } }>).flatMap(
      (policy) => policy.PolicyDocument.Statement,
    ),
  );
  return [...fromPolicies, ...fromRoles];
}

/** `{ "Fn::GetAtt": [id, "Arn"] }`, how a queue or table ARN appears in a statement. */
export function arnOf(construct: IConstruct): unknown {
  return { 'Fn::GetAtt': [logicalIdOf(construct), 'Arn'] };
}
