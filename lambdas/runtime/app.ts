import type { ConversationLifecycle } from '../core/conversation-lifecycle';
import type { Logger } from '../core/ports';
import { createConsumerApp, type ConsumerApp } from './consumer-app';
import { createLifecycle, type AppClients, type AppConfig } from './http-api-app';

export { appConfigFromEnvironment, type AppClients, type AppConfig } from './http-api-app';

export interface App extends ConsumerApp {
  config: AppConfig;
  lifecycle: ConversationLifecycle;
}

/**
 * The consumer and the HTTP API in one process (the local stack, tests, the benchmark), each
 * composed as its own Lambda composes it, on one set of adapters.
 */
export function createApp(config: AppConfig, clients: AppClients = {}, log?: Logger): App {
  const base = createConsumerApp(config, clients, log);
  return { ...base, config, lifecycle: createLifecycle(config, base, clients.inviter) };
}
