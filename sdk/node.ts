/**
 * Node entry of the SDK: everything in `sdk/index.ts`, plus the SQS pieces for `queue` bots and
 * the bot manager (they import `@aws-sdk/client-sqs` and `node:crypto`, so browsers never load them).
 *
 * @example
 * import WebSocket from 'ws';
 * import { ConversationClient, QueueBotWorker } from './sdk/node';
 */
export * from './index';
export {
  InvalidDeliveryError,
  QueueBotWorker,
  type DeliveryHandler,
  type QueueBotWorkerOptions,
  type QueueDelivery,
  type ReplyFunction,
  type WorkerLogger,
} from './queue-bot-worker';
export { sendBotReply, type BotReply } from './bot-reply-sender';
export { replyDeduplicationId, replyLocalId } from './reply-ids';
