/** How a bot gets its messages (SPEC 4.1): over its own WebSocket connection, or from its SQS queue. */
export const BotDelivery = { WEBSOCKET: 'websocket', QUEUE: 'queue' } as const;
export type BotDelivery = (typeof BotDelivery)[keyof typeof BotDelivery];
