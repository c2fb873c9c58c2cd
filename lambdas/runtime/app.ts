import { HttpBotInviter } from '../adapters/http/bot-inviter';
import { ENV, optionalEnv, requireEnv } from '../config/environment';
import { parseBotsConfig, type BotsConfig } from '../core/bots-config';
import { ConversationLifecycle, type BotInviter } from '../core/conversation-lifecycle';
import type { Logger } from '../core/ports';
import {
  consumerConfigFromEnvironment,
  createConsumerApp,
  type ConsumerApp,
  type ConsumerClients,
  type ConsumerConfig,
} from './consumer-app';

/** Everything the HTTP API (and the local stack) needs, read once per Lambda container. */
export interface AppConfig extends ConsumerConfig {
  websocketUrl: string;
  bots: BotsConfig;
  repliesQueueUrl?: string;
  repliesDeadLetterQueueUrl?: string;
  openRooms: boolean;
}

export interface AppClients extends ConsumerClients {
  inviter?: BotInviter;
}

export interface App extends ConsumerApp {
  config: AppConfig;
  lifecycle: ConversationLifecycle;
}

export function appConfigFromEnvironment(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const config: AppConfig = {
    ...consumerConfigFromEnvironment(env),
    websocketUrl: requireEnv(ENV.WEBSOCKET_URL, env),
    bots: parseBotsConfig(JSON.parse(requireEnv(ENV.BOTS_CONFIG, env))),
    openRooms: optionalEnv(ENV.OPEN_ROOMS, env) === 'true',
  };
  const replies = optionalEnv(ENV.REPLIES_QUEUE_URL, env);
  const repliesDlq = optionalEnv(ENV.REPLIES_DLQ_URL, env);
  if (replies) config.repliesQueueUrl = replies;
  if (repliesDlq) config.repliesDeadLetterQueueUrl = repliesDlq;
  return config;
}

/** The consumer plus the conversation lifecycle (HTTP API) and its bot invitations. */
export function createApp(config: AppConfig, clients: AppClients = {}, log?: Logger): App {
  const base = createConsumerApp(config, clients, log);
  const lifecycle = new ConversationLifecycle({
    store: base.store,
    consumer: base.consumer,
    inviter: clients.inviter ?? new HttpBotInviter({ log: base.log }),
    clock: base.clock,
    ids: base.ids,
    log: base.log,
    bots: config.bots,
    websocketUrl: config.websocketUrl,
    openRooms: config.openRooms,
  });
  return { ...base, config, lifecycle };
}
