/**
 * The rest of the system while one conversation's messages are costed: other conversations with
 * their connections open. A few are real (humans connected through the gateway, `$connect` and
 * all); the rest are registered straight in the table, item for item as the store writes a
 * connection (`CONV#…/CONN#…` and `CONN#…/CONN`), with their conversation and participant items.
 * Ten thousand real sockets would measure this machine, not the design: what a message costs can
 * only depend on other connections through the table, and the table holds them all.
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import {
  connectionToAttributes,
  conversationToAttributes,
  participantToAttributes,
} from '../lambdas/adapters/dynamodb/item-mapping';
import { CONNECTION_TTL_SECONDS, TABLE_KEYS, keys } from '../lambdas/adapters/dynamodb/table-design';
import type { ParticipantRecord } from '../lambdas/core/records';
import { ParticipantType } from '../lambdas/core/wire';
import type { BenchStack } from './bench-stack';
import { batchWrite } from './floor';
import { mapLimit, openConversation, type Harness, type ProjectRoom } from './rooms';

/** Connections per other conversation. */
export const OTHER_CONVERSATION_SIZE = 50;
const BATCH_CONCURRENCY = 8;

export class OtherConnections {
  private registered = 0;
  private readonly realRooms: ProjectRoom[] = [];
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    private readonly stack: BenchStack,
    private readonly harness: Harness,
    /** How many of them are real sockets (the first ones added). */
    private readonly realTarget: number,
  ) {
    this.documents = DynamoDBDocumentClient.from(stack.setupDynamoDb);
  }

  get real(): number {
    return this.realRooms.reduce((total, room) => total + room.sockets.length, 0);
  }

  get total(): number {
    return this.real + this.registered;
  }

  /** Adds other connections until there are `target` of them. */
  async growTo(target: number): Promise<void> {
    while (this.real < Math.min(this.realTarget, target)) {
      const size = Math.min(OTHER_CONVERSATION_SIZE, this.realTarget - this.real, target - this.real);
      this.realRooms.push(await openConversation(this.stack, size, this.harness, { label: `other-${this.realRooms.length}` }));
    }
    const missing = target - this.total;
    if (missing <= 0) return;
    const sizes: number[] = [];
    for (let left = missing; left > 0; left -= OTHER_CONVERSATION_SIZE) sizes.push(Math.min(OTHER_CONVERSATION_SIZE, left));
    await mapLimit(sizes, BATCH_CONCURRENCY, (size) => this.register(size));
    this.registered += missing;
  }

  /** One other conversation of `size` connected humans, written as the store writes them. */
  private async register(size: number): Promise<void> {
    const conversationId = randomUUID();
    const now = Date.now();
    const expiresAt = Math.floor(now / 1000) + CONNECTION_TTL_SECONDS;
    const items: Record<string, unknown>[] = [
      {
        ...keys.conversation(conversationId),
        ...conversationToAttributes({
          id: conversationId,
          createdAt: new Date(now).toISOString(),
          ended: false,
          lastSeq: 1 + size,
          rosterVersion: size,
          bots: [],
        }),
      },
    ];
    for (let index = 0; index < size; index++) {
      const participant: ParticipantRecord = {
        id: randomUUID(),
        conversationId,
        name: `other-${index}`,
        type: ParticipantType.HUMAN,
        isRequired: false,
        isManager: false,
      };
      const connectionId = randomUUID();
      const connection = connectionToAttributes({
        connectionId,
        conversationId,
        participantId: participant.id,
        participantType: participant.type,
        connectedAt: now,
      });
      items.push(
        { ...keys.participant(conversationId, participant.id), ...participantToAttributes(participant) },
        { ...keys.connectionInConversation(conversationId, connectionId), ...connection, [TABLE_KEYS.timeToLive]: expiresAt },
        {
          ...keys.connection(connectionId),
          ...connection,
          [TABLE_KEYS.timeToLive]: expiresAt,
          participant: participantToAttributes(participant),
        },
      );
    }
    await batchWrite(this.documents, this.stack.tableName, items);
  }
}
