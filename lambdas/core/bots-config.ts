import { BotDelivery } from './bot-delivery';

/**
 * The bot registry (SPEC 4.1): `{"manager": "<name>" | null, "bots": [...]}`. One JSON file in the
 * repo for local runs; the same file (or CDK context) for deployments.
 */
// In its own module so the consumer's bundle does not load this file's checks.
export { BotDelivery } from './bot-delivery';

export interface BotEntry {
  name: string;
  delivery: BotDelivery;
  invite_url?: string;
  required?: boolean;
}
export interface BotsConfig {
  manager: string | null;
  bots: BotEntry[];
}

export class InvalidBotsConfig extends Error {
  constructor(message: string) {
    super(`invalid bots configuration: ${message}`);
    this.name = 'InvalidBotsConfig';
  }
}

/** Parses and checks a bots file: unique names, websocket bots have an invite URL, the manager is a queue bot. */
export function parseBotsConfig(input: unknown): BotsConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidBotsConfig('(root): must be a JSON object {"manager": …, "bots": […]}');
  }
  const root = input as Record<string, unknown>;
  const manager = requiredField(root, 'manager', '');
  if (manager !== null && typeof manager !== 'string') wrongType('manager', 'string', manager);
  const bots = requiredField(root, 'bots', '');
  if (!Array.isArray(bots)) wrongType('bots', 'Array', bots);
  // Only the known keys are kept, at every level.
  const config: BotsConfig = { manager, bots: bots.map((entry, index) => parseBotEntry(entry, `bots.${index}`)) };

  const seen = new Set<string>();
  for (const bot of config.bots) {
    if (seen.has(bot.name)) throw new InvalidBotsConfig(`bot "${bot.name}" is listed twice`);
    seen.add(bot.name);
    if (bot.delivery === 'websocket' && !bot.invite_url) {
      throw new InvalidBotsConfig(`websocket bot "${bot.name}" needs an invite_url`);
    }
  }
  if (config.manager !== null) {
    const manager = config.bots.find((bot) => bot.name === config.manager);
    if (!manager) throw new InvalidBotsConfig(`manager "${config.manager}" is not listed in bots`);
    if (manager.delivery !== 'queue') throw new InvalidBotsConfig(`manager "${config.manager}" must be a queue bot`);
  }
  return config;
}

/*
 * Plain checks rather than a schema library: the HTTP API parses this file at init, where every
 * kilobyte of bundle is cold-start time (`npm run bench`, section 5). They refuse the first problem
 * in file order, worded as the schema library (valibot) worded it: `<path>: Invalid <what>: …`.
 */

const MAX_BOT_NAME_LENGTH = 50;
const DELIVERIES: readonly unknown[] = Object.values(BotDelivery);

function parseBotEntry(value: unknown, path: string): BotEntry {
  // Any object gets this far (an array too, which then lacks `name`).
  if (typeof value !== 'object' || value === null) wrongType(path, 'Object', value);
  const entry = value as Record<string, unknown>;

  const name = requiredField(entry, 'name', path);
  if (typeof name !== 'string') wrongType(`${path}.name`, 'string', name);
  // In UTF-16 units, as the limit was always counted.
  if (name.length < 1) refuse(`${path}.name`, `Invalid length: Expected >=1 but received ${name.length}`);
  if (name.length > MAX_BOT_NAME_LENGTH) {
    refuse(`${path}.name`, `Invalid length: Expected <=${MAX_BOT_NAME_LENGTH} but received ${name.length}`);
  }

  const delivery = requiredField(entry, 'delivery', path);
  if (!DELIVERIES.includes(delivery)) {
    wrongType(`${path}.delivery`, `(${DELIVERIES.map((option) => `"${String(option)}"`).join(' | ')})`, delivery);
  }
  const bot: BotEntry = { name, delivery: delivery as BotDelivery };

  const inviteUrl = entry.invite_url;
  if (inviteUrl !== undefined) {
    if (typeof inviteUrl !== 'string') wrongType(`${path}.invite_url`, 'string', inviteUrl);
    if (!isUrl(inviteUrl)) refuse(`${path}.invite_url`, `Invalid URL: Received "${inviteUrl}"`);
    bot.invite_url = inviteUrl;
  }
  const required = entry.required;
  if (required !== undefined) {
    if (typeof required !== 'boolean') wrongType(`${path}.required`, 'boolean', required);
    bot.required = required;
  }
  return bot;
}

/** A key that must be present (its value may still be wrong). */
function requiredField(object: Record<string, unknown>, key: string, path: string): unknown {
  if (!(key in object)) refuse(path ? `${path}.${key}` : key, `Invalid key: Expected "${key}" but received undefined`);
  return object[key];
}

/** Any absolute URL, whatever its scheme (an invitation may go to a plain-HTTP local bot). */
function isUrl(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

function wrongType(path: string, expected: string, value: unknown): never {
  refuse(path, `Invalid type: Expected ${expected} but received ${describeValue(value)}`);
}

function refuse(path: string, problem: string): never {
  throw new InvalidBotsConfig(`${path}: ${problem}`);
}

/** A value as an error message shows it: strings quoted, objects by their kind (`Object`, `Array`). */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  if (typeof value === 'object') return (Object.getPrototypeOf(value) as object | null)?.constructor.name ?? 'null';
  return typeof value;
}

/**
 * Merges an override file into a base file (SPEC 4.1): an entry with an existing name replaces it,
 * new names are added, and a `manager` key (null included) replaces the manager.
 */
export function mergeBotsConfig(base: BotsConfig, override: Partial<BotsConfig>): BotsConfig {
  const byName = new Map(base.bots.map((bot) => [bot.name, bot]));
  const replacesManager = override.manager !== undefined && override.manager !== base.manager;
  // A replaced manager reads no queue: it is no bot a conversation could ask for either.
  if (replacesManager && base.manager !== null) byName.delete(base.manager);
  for (const bot of override.bots ?? []) byName.set(bot.name, bot);
  const manager = override.manager !== undefined ? override.manager : base.manager;
  return parseBotsConfig({ manager, bots: [...byName.values()] });
}

/** Bots a conversation can ask for: every configured bot but the manager. */
export function invitableBots(config: BotsConfig): BotEntry[] {
  return config.bots.filter((bot) => bot.name !== config.manager);
}

/** Names of the bots whose messages go to an SQS queue (the manager included). */
export function queueBotNames(config: BotsConfig): string[] {
  return config.bots.filter((bot) => bot.delivery === 'queue').map((bot) => bot.name);
}
