/**
 * Client SDK for serverless conversations, for browsers and Node (browser-safe entry: no Node
 * built-ins, no AWS SDK). Node-only pieces (the SQS `QueueBotWorker`) are in `sdk/node.ts`.
 *
 * @example
 * import { ConversationsHttpClient, ConversationClient } from './sdk';
 * const api = new ConversationsHttpClient({ baseUrl: 'http://127.0.0.1:3000' });
 * const ticket = await api.createConversation({ nickname: 'Ana', bots: ['Echo'] });
 * const client = new ConversationClient({ url: ticket.websocket_url, token: ticket.token });
 * client.on('message', (message) => console.log(message.text));
 * await client.connect();
 * await client.send({ text: 'hello' });
 */
export {
  ConversationClient,
  GATEWAY_ERROR_CODE,
  type ConversationClientEvents,
  type ConversationClientOptions,
} from './conversation-client';
export {
  ConversationsHttpClient,
  type ApiLimits,
  type ConversationTicket,
  type ConversationView,
  type ConversationsHttpClientOptions,
  type CreateConversationRequest,
  type FetchFunction,
  type HistoryQuery,
  type JoinRequest,
} from './http-client';
export {
  ClientClosedError,
  ConnectError,
  FrameTooLargeError,
  HttpApiError,
  InvalidFrameError,
  NotConnectedError,
  PingTimeoutError,
  SdkError,
  SdkErrorCode,
  SendTimeoutError,
  ServerError,
} from './errors';
export { DEFAULT_RECONNECT_OPTIONS, reconnectDelayMs, type ReconnectOptions } from './backoff';
export { SeqReorderBuffer, type Sequenced } from './seq-reorder-buffer';
export { generateLocalId, isValidLocalId } from './local-id';
export { encodeFrame, utf8ByteLength } from './frame-size';
export { TypedEmitter } from './typed-emitter';
export type { WebSocketConstructor, WebSocketLike } from './websocket-like';
export {
  ApprovalStatus,
  LIMITS,
  MessageType,
  ParticipantType,
  SystemEvent,
  type BotQueueBody,
  type BotReplyBody,
  type ClientFrame,
  type ClientMessageType,
  type ConversationState,
  type ErrorBody,
  type MessageDraft,
  type MessageFrame,
  type ParticipantState,
  type PingFrame,
  type Pong,
  type ServerFrame,
  type SyncFrame,
  type WireMessage,
} from './protocol';
