import { HttpBotInviter } from '../adapters/http/bot-inviter';
import { ENV, optionalEnv, requireEnv } from '../config/environment';
import { parseBotsConfig, type BotsConfig } from '../core/bots-config';
import { createDelivery } from '../core/connection-departure';
import { ConversationLifecycle, type BotInviter } from '../core/conversation-lifecycle';
import type { Logger } from '../core/ports';
import {
  consumerConfigFromEnvironment,
  createBackendAdapters,
  type BackendAdapters,
  type ConsumerClients,
  type ConsumerConfig,
} from './backend-adapters';

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

/**
 * What the HTTP API Lambda needs: the lifecycle and the adapters, and not the consumer (it
 * announces through a `Broadcaster` of its own), so its bundle stays small.
 */
export interface HttpApiApp extends BackendAdapters {
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

/** The composition root of the HTTP API Lambda. */
export function createHttpApiApp(config: AppConfig, clients: AppClients = {}, log?: Logger): HttpApiApp {
  const adapters = createBackendAdapters(config, clients, log);
  return { ...adapters, config, lifecycle: createLifecycle(config, adapters, clients.inviter) };
}

/**
 * The conversation lifecycle and its bot invitations, on adapters built already. A connection its
 * announcements find gone (410) leaves as on `$disconnect`, as in the WebSocket Lambdas.
 */
export function createLifecycle(config: AppConfig, adapters: BackendAdapters, inviter?: BotInviter): ConversationLifecycle {
  const { broadcaster } = createDelivery({
    ...adapters,
    ...(config.newConnectionGraceMs !== undefined ? { newConnectionGraceMs: config.newConnectionGraceMs } : {}),
  });
  return new ConversationLifecycle({
    store: adapters.store,
    broadcaster,
    inviter: inviter ?? new HttpBotInviter({ log: adapters.log }),
    clock: adapters.clock,
    ids: adapters.ids,
    log: adapters.log,
    bots: config.bots,
    websocketUrl: config.websocketUrl,
    openRooms: config.openRooms,
  });
}
