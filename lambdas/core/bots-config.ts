import * as v from 'valibot';

/**
 * The bot registry (SPEC 4.1): `{"manager": "<name>" | null, "bots": [...]}`. One JSON file in the
 * repo for local runs; the same file (or CDK context) for deployments.
 */
// In its own module so the consumer's bundle does not load this file's schemas.
export { BotDelivery } from './bot-delivery';

const botEntrySchema = v.object({
  name: v.pipe(v.string(), v.minLength(1), v.maxLength(50)),
  delivery: v.picklist(['websocket', 'queue']),
  invite_url: v.optional(v.pipe(v.string(), v.url())),
  required: v.optional(v.boolean()),
});

const botsConfigSchema = v.object({
  manager: v.nullable(v.string()),
  bots: v.array(botEntrySchema),
});

export type BotEntry = v.InferOutput<typeof botEntrySchema>;
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
  const parsed = v.safeParse(botsConfigSchema, input);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const path = v.getDotPath(issue) ?? '(root)';
    throw new InvalidBotsConfig(`${path}: ${issue.message}`);
  }
  const config = parsed.output;
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
