import * as v from 'valibot';

/** The parts of an API Gateway WebSocket proxy event the handlers read; everything else is optional. */
const websocketEventSchema = v.looseObject({
  requestContext: v.looseObject({
    connectionId: v.pipe(v.string(), v.minLength(1)),
    routeKey: v.string(),
    eventType: v.picklist(['CONNECT', 'MESSAGE', 'DISCONNECT']),
    connectedAt: v.number(),
    disconnectStatusCode: v.nullish(v.number()),
  }),
  queryStringParameters: v.nullish(v.record(v.string(), v.optional(v.string()))),
  body: v.nullish(v.string()),
  isBase64Encoded: v.optional(v.boolean()),
});

export type WebSocketEvent = v.InferOutput<typeof websocketEventSchema>;

export class MalformedEvent extends Error {
  constructor(detail: string) {
    super(`malformed API Gateway WebSocket event: ${detail}`);
    this.name = 'MalformedEvent';
  }
}

export function parseWebSocketEvent(event: unknown): WebSocketEvent {
  const parsed = v.safeParse(websocketEventSchema, event);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw new MalformedEvent(`${v.getDotPath(issue) ?? ''} ${issue.message}`.trim());
  }
  return parsed.output;
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}
