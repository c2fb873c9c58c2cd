import { ConversationConsumer } from '../core/conversation-consumer';
import type { Logger } from '../core/ports';
import { createBackendAdapters, type BackendAdapters, type ConsumerClients, type ConsumerConfig } from './backend-adapters';

export { consumerConfigFromEnvironment, type ConsumerClients, type ConsumerConfig } from './backend-adapters';

/**
 * The whole consumer and its adapters, for the local stack and the tests. The Lambdas build only
 * their route's part of it (`route-apps.ts`), so their bundles stay small.
 */
export interface ConsumerApp extends BackendAdapters {
  consumer: ConversationConsumer;
}

/** The composition root of the consumer: adapters built once and handed to the core. */
export function createConsumerApp(config: ConsumerConfig, clients: ConsumerClients = {}, log?: Logger): ConsumerApp {
  const adapters = createBackendAdapters(config, clients, log);
  const consumer = new ConversationConsumer({
    store: adapters.store,
    poster: adapters.poster,
    botQueues: adapters.botQueues,
    clock: adapters.clock,
    ids: adapters.ids,
    log: adapters.log,
    ...(config.newConnectionGraceMs !== undefined ? { newConnectionGraceMs: config.newConnectionGraceMs } : {}),
  });
  return { ...adapters, consumer };
}
