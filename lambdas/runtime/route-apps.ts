import { ConnectionArrival } from '../core/connection-arrival';
import { createDelivery } from '../core/connection-departure';
import type { ConversationConsumer } from '../core/conversation-consumer';
import type { Logger } from '../core/ports';
import { MessageIntake } from '../core/message-intake';
import { createBackendAdapters, type BackendAdapters, type ConsumerClients, type ConsumerConfig } from './backend-adapters';

/*
 * One composition root per Lambda route: each builds only its part of the consumer (the parts
 * `ConversationConsumer` puts together), so each bundle holds only the code its route runs. The
 * local stack and the tests use the whole consumer (`createConsumerApp`), made of the same parts.
 */

/** `$connect`: the arrival of a connection. */
export function createConnectRoute(config: ConsumerConfig, clients: ConsumerClients = {}, log?: Logger): Pick<ConversationConsumer, 'connect'> {
  const { adapters, broadcaster } = deliveryParts(config, clients, log);
  return new ConnectionArrival({ ...adapters, broadcaster });
}

/** `$default`: frames from connections. */
export function createDefaultRoute(config: ConsumerConfig, clients: ConsumerClients = {}, log?: Logger): Pick<ConversationConsumer, 'receive'> {
  const { adapters, broadcaster } = deliveryParts(config, clients, log);
  return new MessageIntake({ ...adapters, broadcaster });
}

/** `$disconnect`: a connection leaving. */
export function createDisconnectRoute(config: ConsumerConfig, clients: ConsumerClients = {}, log?: Logger): Pick<ConversationConsumer, 'disconnect'> {
  const { departures } = deliveryParts(config, clients, log);
  return { disconnect: (connectionId, closeCode, authorized) => departures.leave(connectionId, closeCode, authorized) };
}

/** The replies queue's Lambda: bot replies, and the SQS client and log it moves refused ones with. */
export function createRepliesRoute(
  config: ConsumerConfig,
  clients: ConsumerClients = {},
  log?: Logger,
): { consumer: Pick<ConversationConsumer, 'receiveBotReply'> } & Pick<BackendAdapters, 'sqs' | 'log'> {
  const { adapters, broadcaster } = deliveryParts(config, clients, log);
  return { consumer: new MessageIntake({ ...adapters, broadcaster }), sqs: adapters.sqs, log: adapters.log };
}

/** The adapters (from `clients` and `log` where given), and the broadcaster and departure every route needs (a post may find a connection gone). */
function deliveryParts(config: ConsumerConfig, clients: ConsumerClients, log: Logger | undefined) {
  const adapters = createBackendAdapters(config, clients, log);
  const grace = config.newConnectionGraceMs !== undefined ? { newConnectionGraceMs: config.newConnectionGraceMs } : {};
  return { adapters, ...createDelivery({ ...adapters, ...grace }) };
}
