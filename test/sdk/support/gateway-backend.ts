import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { randomUUID } from 'node:crypto';
import { startWebSocketGateway, type WebSocketGateway, type WebSocketGatewayOptions } from '../../../local/gateway';
import type { WireMessage } from '../../../sdk/protocol';
import { TEST_CREDENTIALS, TEST_REGION } from '../../support/aws-clients';

export type Frame = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * A tiny conversation backend behind the real local API Gateway emulator: `$connect` checks the
 * token, `$default` answers `sync` (replay, then `state`), `ping` (`pong`) and message frames (stored
 * once per `local_id`, broadcast), all through the management API with the real AWS SDK client, as
 * the Lambdas do. Tests replace `onMessageFrame` to misbehave on purpose.
 */
export class GatewayBackend {
  readonly token = 'gateway-token';
  readonly participantId = randomUUID();
  readonly messages: WireMessage[] = [];
  /** Connection ids that completed `$connect` and have not disconnected. */
  readonly connections = new Set<string>();
  /** Every connection id ever accepted, in order. */
  readonly accepted: string[] = [];
  readonly received: Array<{ connectionId: string; frame: Frame }> = [];
  private readonly byLocalId = new Map<string, WireMessage>();

  onMessageFrame: (connectionId: string, frame: Frame) => Promise<void> = (connectionId, frame) =>
    this.store(connectionId, frame);

  private constructor(
    readonly gateway: WebSocketGateway,
    private readonly management: ApiGatewayManagementApiClient,
  ) {}

  static async start(options: Partial<Omit<WebSocketGatewayOptions, 'handlers'>> = {}): Promise<GatewayBackend> {
    let backend: GatewayBackend | undefined;
    const gateway = await startWebSocketGateway({
      ...options,
      handlers: {
        connect: async (event) => {
          if (event.queryStringParameters?.token !== 'gateway-token') return { statusCode: 401 };
          backend!.connections.add(event.requestContext.connectionId);
          backend!.accepted.push(event.requestContext.connectionId);
          return { statusCode: 200 };
        },
        disconnect: async (event) => {
          backend!.connections.delete(event.requestContext.connectionId);
          return { statusCode: 200 };
        },
        default: async (event) => {
          await backend!.receive(event.requestContext.connectionId, event.body ?? '');
          return { statusCode: 200 };
        },
      },
    });
    const management = new ApiGatewayManagementApiClient({
      endpoint: gateway.managementEndpoint,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
    });
    backend = new GatewayBackend(gateway, management);
    return backend;
  }

  get url(): string {
    return this.gateway.url;
  }

  append(fields: Partial<WireMessage> = {}): WireMessage {
    const message: WireMessage = {
      id: randomUUID(),
      type: 'T',
      time: new Date().toISOString(),
      sender_id: randomUUID(),
      text: `message ${this.messages.length + 1}`,
      approval_status: 1,
      sent_by_human: true,
      sent_by_manager: false,
      ...fields,
      seq: this.messages.length + 1,
    };
    this.messages.push(message);
    return message;
  }

  /** PostToConnection; a gone connection (410) is forgotten, as the backend does. */
  async post(connectionId: string, frame: Frame): Promise<void> {
    try {
      await this.management.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: new TextEncoder().encode(JSON.stringify(frame)) }),
      );
    } catch (error) {
      if (!(error instanceof GoneException)) throw error;
      this.connections.delete(connectionId);
    }
  }

  async broadcast(frame: Frame): Promise<void> {
    for (const connectionId of [...this.connections]) await this.post(connectionId, frame);
  }

  async replay(connectionId: string, afterSeq: number): Promise<void> {
    for (const message of this.messages.filter((candidate) => candidate.seq! > afterSeq)) {
      await this.post(connectionId, { message });
    }
    await this.post(connectionId, { state: { participants: [], last_seq: this.messages.length } });
  }

  /** DeleteConnection through the management API: the gateway closes the socket (1000) and runs `$disconnect`. */
  async drop(connectionId: string): Promise<void> {
    await this.management.send(new DeleteConnectionCommand({ ConnectionId: connectionId }));
  }

  async dropAll(): Promise<void> {
    for (const connectionId of [...this.connections]) await this.drop(connectionId);
  }

  syncs(): number[] {
    return this.received.filter(({ frame }) => frame.action === 'sync').map(({ frame }) => frame.after_seq as number);
  }

  framesOf(connectionId: string): Frame[] {
    return this.received.filter((entry) => entry.connectionId === connectionId).map((entry) => entry.frame);
  }

  /** Stores once per local_id and broadcasts; a resend is answered with the stored message. */
  async store(connectionId: string, frame: Frame): Promise<void> {
    const known = this.byLocalId.get(frame.local_id);
    if (known) return this.post(connectionId, { message: known });
    const message = this.append({ type: frame.type, text: frame.text, local_id: frame.local_id, sender_id: this.participantId });
    this.byLocalId.set(frame.local_id, message);
    await this.broadcast({ message });
  }

  async stop(): Promise<void> {
    await this.gateway.close();
    this.management.destroy();
  }

  private async receive(connectionId: string, body: string): Promise<void> {
    const frame = JSON.parse(body) as Frame;
    this.received.push({ connectionId, frame });
    if (frame.action === 'ping') {
      await this.post(connectionId, { pong: { last_seq: this.messages.length, connection_id: connectionId } });
    } else if (frame.action === 'sync') {
      await this.replay(connectionId, frame.after_seq);
    } else {
      await this.onMessageFrame(connectionId, frame);
    }
  }
}
