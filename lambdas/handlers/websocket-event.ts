import { z } from 'zod/mini';

/** The parts of an API Gateway WebSocket proxy event the handlers read; everything else is optional. */
const websocketEventSchema = z.looseObject({
  requestContext: z.looseObject({
    connectionId: z.string().check(z.minLength(1)),
    routeKey: z.string(),
    eventType: z.enum(['CONNECT', 'MESSAGE', 'DISCONNECT']),
    connectedAt: z.number(),
    disconnectStatusCode: z.optional(z.nullable(z.number())),
  }),
  queryStringParameters: z.optional(z.nullable(z.record(z.string(), z.optional(z.string())))),
  body: z.optional(z.nullable(z.string())),
  isBase64Encoded: z.optional(z.boolean()),
});

export type WebSocketEvent = z.infer<typeof websocketEventSchema>;

export class MalformedEvent extends Error {
  constructor(detail: string) {
    super(`malformed API Gateway WebSocket event: ${detail}`);
    this.name = 'MalformedEvent';
  }
}

export function parseWebSocketEvent(event: unknown): WebSocketEvent {
  const parsed = websocketEventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MalformedEvent(`${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim());
  }
  return parsed.data;
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}
