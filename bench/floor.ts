/**
 * The floor: the least any implementation of this design must spend on one message, measured in
 * the same run on the same machine.
 *
 * (a) `StorageFloor`: the DynamoDB work a stored and fanned-out message needs, timed directly
 *     against the same DynamoDB Local with the same document client: one `Query` of the
 *     conversation's connections (with its META item, as `loadConnections` reads them) and one
 *     `TransactWriteItems` with the items the design writes for a message (META's `last_seq`
 *     under a condition, the `SEQ#` item and the `ID#` item, each "must be new").
 * (b) `BroadcastFloor`: a bare `ws` server doing the same fan-out: it receives the client's frame,
 *     stamps a `seq` and sends it to every connection of the room, the sender included.
 *
 * Floor = (a) + (b), added as independent distributions (`summarizeSum`).
 */
import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { connectionToAttributes, conversationToAttributes } from '../lambdas/adapters/dynamodb/item-mapping';
import { CONNECTION_TTL_SECONDS, TABLE_KEYS, keys, sortKeyRanges } from '../lambdas/adapters/dynamodb/table-design';
import { LIMITS } from '../lambdas/core/limits';
import { buildMessage } from '../lambdas/core/message-builder';
import { ApprovalStatus, MessageType, ParticipantType } from '../lambdas/core/wire';
import { BenchSocket } from './bench-socket';
import { MESSAGE_TEXT, type Harness, type Room } from './rooms';

/** DynamoDB's BatchWriteItem limit. */
const BATCH_WRITE_ITEMS = 25;

export interface StorageFloorConversation {
  conversationId: string;
  participantIds: string[];
  lastSeq: number;
}

export class StorageFloor {
  private readonly documents: DynamoDBDocumentClient;
  /** Transactions cancelled by a concurrent writer (retried). */
  conflicts = 0;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** A conversation item and `size` connection items, as the store keeps them. */
  async createConversation(size: number): Promise<StorageFloorConversation> {
    const conversationId = randomUUID();
    const now = Date.now();
    const participantIds = Array.from({ length: size }, () => randomUUID());
    const items: Record<string, unknown>[] = [
      {
        ...keys.conversation(conversationId),
        ...conversationToAttributes({
          id: conversationId,
          createdAt: new Date(now).toISOString(),
          ended: false,
          lastSeq: 1,
          rosterVersion: size,
          bots: [],
        }),
      },
      ...participantIds.map((participantId) => {
        const connectionId = randomUUID();
        return {
          ...keys.connectionInConversation(conversationId, connectionId),
          ...connectionToAttributes({
            connectionId,
            conversationId,
            participantId,
            participantType: ParticipantType.HUMAN,
            connectedAt: now,
          }),
          [TABLE_KEYS.timeToLive]: Math.floor(now / 1000) + CONNECTION_TTL_SECONDS,
        };
      }),
    ];
    await batchWrite(this.documents, this.tableName, items);
    return { conversationId, participantIds, lastSeq: 1 };
  }

  /** One message's storage floor: the Query, then the transaction; resolves with its ms. */
  async storeMessage(conversation: StorageFloorConversation, localId: string): Promise<number> {
    const startedAt = performance.now();
    for (;;) {
      const { from, to } = sortKeyRanges.connectionsAndMeta;
      const { Items: items = [] } = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#sk': TABLE_KEYS.sortKey },
          ExpressionAttributeValues: { ':pk': keys.conversation(conversation.conversationId).pk, ':from': from, ':to': to },
        }),
      );
      const meta = items.find((item) => item.sk === 'META');
      const lastSeq = Number(meta?.last_seq ?? conversation.lastSeq);
      const rosterVersion = Number(meta?.roster_version ?? 0);
      const sender = conversation.participantIds[lastSeq % conversation.participantIds.length]!;
      const message = {
        ...buildMessage(
          randomUUID(),
          { type: MessageType.TEXT, text: MESSAGE_TEXT, local_id: localId },
          {
            sender: { id: sender, conversationId: conversation.conversationId, name: 'p', type: ParticipantType.HUMAN, isRequired: false, isManager: false },
            sentByManager: false,
            keepCommand: false,
          },
          ApprovalStatus.AUTOMATICALLY_APPROVED,
          new Date(),
        ),
        seq: lastSeq + 1,
      };
      try {
        await this.documents.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.tableName,
                  Key: keys.conversation(conversation.conversationId),
                  UpdateExpression: 'SET last_seq = :last_seq, roster_version = :roster_version',
                  ConditionExpression: 'last_seq = :expected_seq AND roster_version = :expected_roster AND ended = :false',
                  ExpressionAttributeValues: {
                    ':last_seq': lastSeq + 1,
                    ':roster_version': rosterVersion,
                    ':expected_seq': lastSeq,
                    ':expected_roster': rosterVersion,
                    ':false': false,
                  },
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...keys.messageBySeq(conversation.conversationId, lastSeq + 1), time: message.time, message },
                  ConditionExpression: 'attribute_not_exists(#pk)',
                  ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
                },
              },
              {
                Put: {
                  TableName: this.tableName,
                  Item: {
                    ...keys.messageById(conversation.conversationId, message.id),
                    approval_status: message.approval_status,
                    seq: message.seq,
                  },
                  ConditionExpression: 'attribute_not_exists(#pk)',
                  ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
                },
              },
            ],
          }),
        );
        conversation.lastSeq = lastSeq + 1;
        return performance.now() - startedAt;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException)) throw error;
        this.conflicts += 1;
      }
    }
  }
}

/** Writes items with BatchWriteItem, 25 at a time, retrying what DynamoDB leaves unprocessed. */
export async function batchWrite(documents: DynamoDBDocumentClient, tableName: string, items: readonly Record<string, unknown>[]): Promise<void> {
  for (let start = 0; start < items.length; start += BATCH_WRITE_ITEMS) {
    let requests = items.slice(start, start + BATCH_WRITE_ITEMS).map((item) => ({ PutRequest: { Item: item } }));
    while (requests.length > 0) {
      const { UnprocessedItems: unprocessed } = await documents.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
      );
      requests = (unprocessed?.[tableName] ?? []) as typeof requests;
    }
  }
}

interface BroadcastRoom {
  sockets: Set<WebSocket>;
  seq: number;
}

/** A bare `ws` broadcast server: no storage, no HTTP hop, no SDK; the same frames and clients. */
export class BroadcastFloor {
  private readonly rooms = new Map<string, BroadcastRoom>();
  private roomCount = 0;

  private constructor(
    private readonly server: Server,
    private readonly wss: WebSocketServer,
    readonly url: string,
  ) {}

  static async start(): Promise<BroadcastFloor> {
    const server = createServer();
    const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: LIMITS.MAX_FRAME_BYTES, clientTracking: false });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const floor = new BroadcastFloor(server, wss, `ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    wss.on('connection', (socket, request) => floor.onConnection(socket, request.url ?? '/'));
    return floor;
  }

  /** A room of `size` connected participants. */
  async openRoom(size: number, harness: Harness, label: string): Promise<Room> {
    const roomId = `floor-${++this.roomCount}`;
    const participantIds = Array.from({ length: size }, (_, index) => `${roomId}-p${index}`);
    const sockets: BenchSocket[] = [];
    for (const participantId of participantIds) {
      sockets.push(await BenchSocket.open(`${this.url}/?room=${roomId}`, participantId, harness.tracker, harness.errors));
    }
    return { label, participantIds, sockets, nextSender: 0 };
  }

  async close(): Promise<void> {
    for (const room of this.rooms.values()) for (const socket of room.sockets) socket.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private onConnection(socket: WebSocket, url: string): void {
    const roomId = new URL(url, 'http://floor').searchParams.get('room') ?? 'none';
    const room = this.rooms.get(roomId) ?? { sockets: new Set<WebSocket>(), seq: 0 };
    this.rooms.set(roomId, room);
    room.sockets.add(socket);
    socket.on('close', () => room.sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('message', (data) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(data.toString()) as Record<string, unknown>;
      } catch {
        return;
      }
      room.seq += 1;
      const frame = JSON.stringify({ message: { ...message, seq: room.seq } });
      for (const member of room.sockets) member.send(frame);
    });
  }
}
