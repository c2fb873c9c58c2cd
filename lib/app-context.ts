import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Annotations } from 'aws-cdk-lib';
import type { Node } from 'constructs';
import { InvalidBotsConfig, parseBotsConfig, type BotsConfig } from '../lambdas/core/bots-config';
import { LOG_LEVELS, type LogLevel } from '../lambdas/runtime/logger';
import type { ConversationsStack, ConversationsStackProps } from './conversations-stack';
import { InvalidDeploymentConfiguration } from './errors';
import { PROJECT_ROOT } from './handler-function';

/** CDK context keys the app reads (`cdk synth -c botsFile=my-bots.json`). */
export const CONTEXT = {
  /** Path of the bots file, relative to the working directory. @default 'bots/bots.json' */
  BOTS_FILE: 'botsFile',
  /** @default the stack name, lower-cased */
  QUEUE_PREFIX: 'queuePrefix',
  /** `true` or `false`. @default false */
  OPEN_ROOMS: 'openRooms',
  /** One of `debug`, `info`, `warn`, `error`. @default 'info' */
  LOG_LEVEL: 'logLevel',
  /** `false` when the account already has an API Gateway CloudWatch Logs role. @default true */
  API_GATEWAY_CLOUDWATCH_ROLE: 'apiGatewayCloudWatchRole',
  /** `false` to deploy no example bot Lambdas (`lib/example-bots.ts`). @default true (DEFAULT_EXAMPLE_BOTS) */
  EXAMPLE_BOTS: 'exampleBots',
} as const;

/** The app deploys the bots file's example queue bots as Lambdas unless told not to. */
export const DEFAULT_EXAMPLE_BOTS = true;

/** The example bots shipped with the project. */
export const DEFAULT_BOTS_FILE = path.join(PROJECT_ROOT, 'bots', 'bots.json');

/** Reads and validates a bots file; every failure names the file. */
export function loadBotsFile(file: string): BotsConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InvalidDeploymentConfiguration(`cannot read bots file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new InvalidDeploymentConfiguration(`bots file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseBotsConfig(json);
  } catch (error) {
    if (error instanceof InvalidBotsConfig) throw new InvalidDeploymentConfiguration(`bots file ${file}: ${error.message}`);
    throw error;
  }
}

/** The stack's settings from CDK context (`cdk.json` or `-c key=value`), checked. */
export function stackPropsFromContext(node: Node): Pick<
  ConversationsStackProps,
  'bots' | 'queuePrefix' | 'openRooms' | 'logLevel' | 'apiGatewayCloudWatchRole' | 'exampleBots'
> {
  const botsFile = stringContext(node, CONTEXT.BOTS_FILE);
  const queuePrefix = stringContext(node, CONTEXT.QUEUE_PREFIX);
  const logLevel = stringContext(node, CONTEXT.LOG_LEVEL);
  if (logLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new InvalidDeploymentConfiguration(
      `context ${CONTEXT.LOG_LEVEL} must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`,
    );
  }
  const openRooms = booleanContext(node, CONTEXT.OPEN_ROOMS);
  const apiGatewayCloudWatchRole = booleanContext(node, CONTEXT.API_GATEWAY_CLOUDWATCH_ROLE);
  const exampleBots = booleanContext(node, CONTEXT.EXAMPLE_BOTS);
  return {
    bots: loadBotsFile(botsFile === undefined ? DEFAULT_BOTS_FILE : path.resolve(botsFile)),
    ...(queuePrefix !== undefined ? { queuePrefix } : {}),
    ...(openRooms !== undefined ? { openRooms } : {}),
    ...(logLevel !== undefined ? { logLevel: logLevel as LogLevel } : {}),
    ...(apiGatewayCloudWatchRole !== undefined ? { apiGatewayCloudWatchRole } : {}),
    ...(exampleBots !== undefined ? { exampleBots } : {}),
  };
}

function stringContext(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') {
    throw new InvalidDeploymentConfiguration(`context ${key} must be a non-empty string`);
  }
  return value;
}

/** `-c key=true` arrives as a string, `cdk.json` may hold a boolean: both are accepted. */
function booleanContext(node: Node, key: string): boolean | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new InvalidDeploymentConfiguration(`context ${key} must be true or false, not ${JSON.stringify(value)}`);
}

/** Warning id of example bot Lambdas deployed for names in a bots file of the user's. */
export const EXAMPLE_BOTS_FROM_BOTS_FILE_WARNING = 'serverless-conversations:exampleBots.fromBotsFile';

/**
 * With a bots file of your own (`-c botsFile=`) and no `exampleBots` context, a queue bot named
 * like an example (`Manager`, `Calculator`, `Echo`, `Transparent`) still gets the example's Lambda
 * on its queue, which would compete with your own consumer of that queue: synth says so, and how
 * to turn it off.
 */
export function warnOfExampleBotsInBotsFile(node: Node, stack: ConversationsStack): void {
  if (node.tryGetContext(CONTEXT.BOTS_FILE) === undefined || node.tryGetContext(CONTEXT.EXAMPLE_BOTS) !== undefined) return;
  const names = (stack.exampleBots?.functions ?? []).map((bot) => `"${bot.botName}"`);
  if (names.length === 0) return;
  Annotations.of(stack.exampleBots!).addWarningV2(
    EXAMPLE_BOTS_FROM_BOTS_FILE_WARNING,
    `your bots file names ${names.join(', ')}: the example bot Lambdas of those names will read their queues. ` +
      `If they are bots of your own, deploy with -c ${CONTEXT.EXAMPLE_BOTS}=false; -c ${CONTEXT.EXAMPLE_BOTS}=true keeps the examples without this warning.`,
  );
}
