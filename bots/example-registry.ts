import { ENV } from '../lambdas/config/environment';
import type { BotEntry, BotsConfig } from '../lambdas/core/bots-config';
import type { BotQueueBody } from '../lambdas/core/wire';
import { quotingReply, shouldAnswer, type ReplyFrame } from './bot-reply';
import { calculatorAnswer } from './calculator/arithmetic';
import { echoAnswer } from './echo/echo-reply';
import { ConversationBots } from './manager/conversation-bots';
import { routingManagerReplies } from './manager/routing-manager';
import { transparentManagerReplies } from './manager/transparent-manager';

/**
 * The example bots by name, for every way they run: the local runner (`bots/example-bots.ts`, queue
 * workers and websocket clients) and the Lambdas (`bots/lambda/`). Maps, not object literals, so a
 * bot named `constructor` is no example bot.
 */

/** Environment variables of an example bot Lambda (set by `lib/example-bots.ts`). */
export const EXAMPLE_BOT_ENV = {
  /** Which example logic runs: `Manager`, `Transparent`, `Calculator` or `Echo`. */
  BOT_NAME: 'BOT_NAME',
  REPLIES_QUEUE_URL: ENV.REPLIES_QUEUE_URL,
  LOG_LEVEL: ENV.LOG_LEVEL,
} as const;

/** Answering bots: what they say to a human's text, and the prefix of their replies' `local_id`. */
export interface AnsweringBot {
  /** Prefix of its replies' `local_id`. */
  prefix: string;
  /** What it says to a human's text. */
  answer: (text: string) => string;
}

export const ANSWERING_BOTS: ReadonlyMap<string, AnsweringBot> = new Map<string, AnsweringBot>([
  ['Echo', { prefix: 'echo', answer: echoAnswer }],
  ['Calculator', { prefix: 'calc', answer: calculatorAnswer }],
]);

/** Bot managers: what they send back for one delivery, given what they know of the conversations. */
export type ManagerLogic = (delivery: BotQueueBody, bots: ConversationBots) => ReplyFrame[];

export const MANAGER_BOTS: ReadonlyMap<string, ManagerLogic> = new Map<string, ManagerLogic>([
  ['Manager', (delivery, bots) => routingManagerReplies(delivery, bots)],
  ['Transparent', (delivery, bots) => transparentManagerReplies(delivery, bots)],
]);

/** The frames one example bot sends back for one delivery from its queue. */
export interface ExampleQueueBot {
  readonly name: string;
  replies(delivery: BotQueueBody): ReplyFrame[];
}

export class UnknownExampleBot extends Error {
  constructor(name: string) {
    super(`"${name}" is not an example queue bot (one of ${[...MANAGER_BOTS.keys(), ...ANSWERING_BOTS.keys()].join(', ')})`);
    this.name = 'UnknownExampleBot';
  }
}

/**
 * The example queue bots of a registry that run as Lambdas, in registry order, with the local
 * runner's rule: `Manager` or `Transparent` only when it is the configured manager (another
 * manager means the example one reads no queue, SPEC 4.1); `Calculator` or `Echo` only when it
 * is a `queue` bot and not the manager. A `websocket` Echo holds a WebSocket per conversation and
 * cannot be a Lambda: it runs as a worker (see `lib/example-bots.ts`).
 *
 * @example exampleLambdaBotNames({ manager: 'Manager', bots: [manager, echoOnWebSocket, calculator] }) // ['Manager', 'Calculator']
 */
export function exampleLambdaBotNames(config: BotsConfig): string[] {
  return config.bots
    .filter((bot) => bot.delivery === 'queue')
    .filter((bot) => (bot.name === config.manager ? MANAGER_BOTS.has(bot.name) : ANSWERING_BOTS.has(bot.name)))
    .map((bot) => bot.name);
}

/**
 * The example bots `npm start` runs in this process (`bots/example-bots.ts`), in registry order:
 * queue bots with `exampleLambdaBotNames`' rule, plus a `websocket` Echo or Calculator, answering
 * its invitations. An entry whose name is in `replaced` came from the user's `BOTS_FILE` in place of
 * the default file's (SPEC 4.1: "an entry with an example's name replaces it"): it is the user's bot,
 * so no example consumes its queue or answers its invitations. An example manager the default file
 * does not have (`Transparent`, from `bots/transparent-manager.json`) replaced nothing and runs.
 *
 * @example exampleWorkerBots(defaultBots, ['Calculator']) // Manager (queue) and Echo (websocket)
 */
export function exampleWorkerBots(config: BotsConfig, replaced: Iterable<string> = []): BotEntry[] {
  const userBots = new Set(replaced);
  const queueBots = new Set(exampleLambdaBotNames(config));
  return config.bots.filter(
    (bot) =>
      !userBots.has(bot.name) &&
      (queueBots.has(bot.name) || (bot.delivery === 'websocket' && ANSWERING_BOTS.has(bot.name))),
  );
}

/**
 * The logic of one example queue bot. A manager keeps `ConversationBots` (which bots each
 * conversation has, learned from `participant-joined`) in this object's memory. In a Lambda that
 * is one container's memory: a container knows only the conversations whose joins SQS happened to
 * hand it, and forgets them when it is recycled. That is accepted for the examples:
 * - the routing manager, knowing nothing of a conversation, routes by name (arithmetic to
 *   `Calculator`, the rest to `Echo`), right for the default bots file; a redirect to a bot the
 *   conversation lacks is logged and dropped by the backend. A container that saw only some of the
 *   joins (they came in batches handled by different containers) may route to the other bot, or
 *   approve the Calculator's `?` instead of redirecting the question to an Echo it did not see join;
 * - the transparent manager redirects to the bots it knows, so a container that has not seen the
 *   conversation's joins redirects nothing (the bots' answers are still approved).
 * A manager that must always know runs as one long-lived worker (`bots/example-bots.ts`).
 *
 * @throws UnknownExampleBot for any other name
 */
export function exampleQueueBot(name: string): ExampleQueueBot {
  const manager = MANAGER_BOTS.get(name);
  if (manager) {
    const bots = new ConversationBots();
    return { name, replies: (delivery) => manager(delivery, bots) };
  }
  const answering = ANSWERING_BOTS.get(name);
  if (answering) {
    return {
      name,
      replies: ({ message, bot_participant_id: self }) =>
        shouldAnswer(message, self) ? [quotingReply(message, answering.answer(message.text ?? ''), answering.prefix)] : [],
    };
  }
  throw new UnknownExampleBot(name);
}
