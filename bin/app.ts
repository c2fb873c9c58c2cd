#!/usr/bin/env node
/**
 * The CDK app: one `ConversationsStack`, checked by cdk-nag's AwsSolutions pack.
 *
 *   npx cdk synth --no-notices
 *   npx cdk deploy -c botsFile=path/to/bots.json -c openRooms=true
 *
 * Context (see `lib/app-context.ts`): botsFile, queuePrefix, openRooms, logLevel,
 * apiGatewayCloudWatchRole, exampleBots (default true: the bots file's example queue bots run as
 * Lambdas). A bad bots file or setting stops synth with its message.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvalidBotsConfig } from '../lambdas/core/bots-config';
import { DEFAULT_EXAMPLE_BOTS, stackPropsFromContext, warnOfExampleBotsInBotsFile } from '../lib/app-context';
import { InvalidDeploymentConfiguration } from '../lib/errors';
import { ConversationsStack, STACK_NAME } from '../lib/conversations-stack';

const app = new App();

try {
  const stack = new ConversationsStack(app, STACK_NAME, {
    description: 'Serverless conversations between people and bots (WebSocket API, Lambda, DynamoDB, SQS)',
    exampleBots: DEFAULT_EXAMPLE_BOTS,
    ...stackPropsFromContext(app.node),
  });
  warnOfExampleBotsInBotsFile(app.node, stack);
} catch (error) {
  if (!(error instanceof InvalidDeploymentConfiguration || error instanceof InvalidBotsConfig)) throw error;
  // A configuration mistake needs its message, not a stack trace.
  console.error(`${STACK_NAME}: ${error.message}`);
  process.exit(1);
}

// cdk-nag 3 is a CDK policy-validation plugin (it replaced the v2 Aspect): findings fail synth.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
