import { TransactionCanceledException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  DeleteCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import {
  AlreadyApproved,
  ConcurrentChange,
  ConnectionAlreadyGone,
  DuplicateMessage,
  type ConversationChange,
  type ConversationStore,
  type HistoryQuery,
  type NewConversation,
} from '../../core/ports';
import type {
  ConnectionOwner,
  ConversationConnections,
  ConversationRecord,
  ConversationRoster,
  ParticipantRecord,
} from '../../core/records';
import type { WireMessage } from '../../core/wire';
import {
  connectionFromAttributes,
  connectionToAttributes,
  conversationFromAttributes,
  conversationToAttributes,
  messageFromAttribute,
  participantFromAttributes,
  participantToAttributes,
  type ConnectionAttributes,
  type ConversationAttributes,
  type ParticipantAttributes,
} from './item-mapping';
import { CONNECTION_TTL_SECONDS, TABLE_KEYS, keys, sortKeyRanges } from './table-design';

type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** What each transaction item guards, so a cancelled transaction maps to the right domain error. */
type ItemRole =
  | { kind: 'conversation' }
  | { kind: 'new-message'; messageId: string }
  | { kind: 'approval'; messageId: string }
  | { kind: 'remove-connection'; connectionId: string }
  | { kind: 'other' };

export interface DynamoConversationStoreOptions {
  tableName: string;
}

/** The `ConversationStore` port on one DynamoDB table (key design in `table-design.ts`). */
export class DynamoConversationStore implements ConversationStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBClient, options: DynamoConversationStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = options.tableName;
  }

  async findTokenOwner(tokenHash: string): Promise<{ participant: ParticipantRecord; tokenHash: string } | undefined> {
    const item = await this.get(keys.token(tokenHash));
    if (!item) return undefined;
    return {
      participant: participantFromAttributes(item.participant as ParticipantAttributes),
      tokenHash: String(item.token_hash),
    };
  }

  async findConnection(connectionId: string): Promise<ConnectionOwner | undefined> {
    const item = await this.get(keys.connection(connectionId));
    if (!item) return undefined;
    return {
      connection: connectionFromAttributes(item as unknown as ConnectionAttributes),
      participant: participantFromAttributes(item.participant as ParticipantAttributes),
    };
  }

  async getConversation(conversationId: string): Promise<ConversationRecord | undefined> {
    const item = await this.get(keys.conversation(conversationId));
    return item ? conversationFromAttributes(item as unknown as ConversationAttributes) : undefined;
  }

  async getParticipant(conversationId: string, participantId: string): Promise<ParticipantRecord | undefined> {
    const item = await this.get(keys.participant(conversationId, participantId));
    return item ? participantFromAttributes(item as unknown as ParticipantAttributes) : undefined;
  }

  async loadConnections(conversationId: string): Promise<ConversationConnections | undefined> {
    const { from, to } = sortKeyRanges.connectionsAndMeta;
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': keys.conversation(conversationId).pk, ':from': from, ':to': to },
    });
    return this.assemble(items, false);
  }

  async loadRoster(conversationId: string): Promise<ConversationRoster | undefined> {
    const { from, to } = sortKeyRanges.roster;
    const items = await this.queryAll({
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': keys.conversation(conversationId).pk, ':from': from, ':to': to },
    });
    return this.assemble(items, true) as ConversationRoster | undefined;
  }

  async messageExists(conversationId: string, messageId: string): Promise<boolean> {
    const output = await this.documents.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.messageById(conversationId, messageId),
        ConsistentRead: true,
        ProjectionExpression: '#pk',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
      }),
    );
    return output.Item !== undefined;
  }

  async findMessage(conversationId: string, messageId: string): Promise<WireMessage | undefined> {
    const pointer = await this.get(keys.messageById(conversationId, messageId));
    if (!pointer) return undefined;
    if (pointer.message) return messageFromAttribute(pointer.message);
    const approved = await this.get(keys.messageBySeq(conversationId, Number(pointer.seq)));
    return approved ? messageFromAttribute(approved.message) : undefined;
  }

  async listMessagesAfter(conversationId: string, afterSeq: number, limit: number): Promise<WireMessage[]> {
    const output = await this.documents.send(
      new QueryCommand({
        TableName: this.tableName,
        ConsistentRead: true,
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#sk': TABLE_KEYS.sortKey },
        ExpressionAttributeValues: {
          ':pk': keys.messageBySeq(conversationId, 0).pk,
          ':from': sortKeyRanges.seqAfter(afterSeq + 1),
          ':to': sortKeyRanges.seqUpperBound,
        },
        Limit: limit,
      }),
    );
    return (output.Items ?? []).map((item) => messageFromAttribute(item.message));
  }

  async listHistory(query: HistoryQuery): Promise<WireMessage[]> {
    const forward = query.afterSeq !== undefined;
    const filters: string[] = [];
    const values: Record<string, unknown> = {
      ':pk': keys.messageBySeq(query.conversationId, 0).pk,
      ':from': sortKeyRanges.seqAfter((query.afterSeq ?? 0) + 1),
      ':to': sortKeyRanges.seqUpperBound,
    };
    if (query.since !== undefined) {
      filters.push('#time >= :since');
      values[':since'] = query.since;
    }
    if (query.until !== undefined) {
      filters.push('#time <= :until');
      values[':until'] = query.until;
    }
    const collected: WireMessage[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
          ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
          ExpressionAttributeNames: {
            '#pk': TABLE_KEYS.partitionKey,
            '#sk': TABLE_KEYS.sortKey,
            ...(filters.length > 0 ? { '#time': 'time' } : {}),
          },
          ExpressionAttributeValues: values,
          ScanIndexForward: forward,
          Limit: query.limit,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of output.Items ?? []) {
        if (collected.length < query.limit) collected.push(messageFromAttribute(item.message));
      }
      startKey = output.LastEvaluatedKey;
    } while (startKey && collected.length < query.limit);
    return forward ? collected : collected.reverse();
  }

  async commit(change: ConversationChange): Promise<void> {
    const { items, roles } = this.changeItems(change);
    await this.transact(items, roles, change.conversationId);
  }

  async addParticipant(change: ConversationChange, participant: ParticipantRecord, tokenHash: string): Promise<void> {
    const { items, roles } = this.changeItems(change);
    items.push(this.participantPut(participant), this.tokenPut(participant, tokenHash));
    roles.push({ kind: 'other' }, { kind: 'other' });
    await this.transact(items, roles, change.conversationId);
  }

  async createConversation(created: NewConversation): Promise<void> {
    const { conversation } = created;
    const items: TransactItem[] = [
      this.putIfAbsent({ ...keys.conversation(conversation.id), ...conversationToAttributes(conversation) }),
    ];
    for (const { participant, tokenHash } of created.participants) {
      items.push(this.participantPut(participant));
      if (tokenHash !== undefined) items.push(this.tokenPut(participant, tokenHash));
    }
    for (const message of created.messages) items.push(...this.messagePuts(conversation.id, message));
    await this.transact(items, items.map(() => ({ kind: 'other' })), conversation.id);
  }

  async forgetConnection(connection: { connectionId: string; conversationId: string }): Promise<void> {
    await Promise.all([
      this.documents.send(new DeleteCommand({ TableName: this.tableName, Key: keys.connection(connection.connectionId) })),
      this.documents.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.connectionInConversation(connection.conversationId, connection.connectionId),
        }),
      ),
    ]);
  }

  // ---- transactions ----

  private changeItems(change: ConversationChange): { items: TransactItem[]; roles: ItemRole[] } {
    const items: TransactItem[] = [];
    const roles: ItemRole[] = [];
    const add = (item: TransactItem, role: ItemRole) => {
      items.push(item);
      roles.push(role);
    };
    const conversationKey = keys.conversation(change.conversationId);
    const touchesConversation =
      change.lastSeq !== change.expected.lastSeq ||
      change.rosterVersion !== change.expected.rosterVersion ||
      change.end === true;
    if (touchesConversation) {
      const sets = ['last_seq = :last_seq', 'roster_version = :roster_version'];
      if (change.end) sets.push('ended = :true');
      add(
        {
          Update: {
            TableName: this.tableName,
            Key: conversationKey,
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: [
              'last_seq = :expected_seq',
              'roster_version = :expected_roster',
              ...(change.requireOpen ? ['ended = :false'] : []),
            ].join(' AND '),
            ExpressionAttributeValues: {
              ':last_seq': change.lastSeq,
              ':roster_version': change.rosterVersion,
              ':expected_seq': change.expected.lastSeq,
              ':expected_roster': change.expected.rosterVersion,
              ...(change.requireOpen ? { ':false': false } : {}),
              ...(change.end ? { ':true': true } : {}),
            },
          },
        },
        { kind: 'conversation' },
      );
    } else {
      // A pending message takes no `seq`: it only needs the conversation to exist (and be open).
      add(
        {
          ConditionCheck: {
            TableName: this.tableName,
            Key: conversationKey,
            ConditionExpression: change.requireOpen ? 'ended = :false' : 'attribute_exists(#pk)',
            ...(change.requireOpen
              ? { ExpressionAttributeValues: { ':false': false } }
              : { ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey } }),
          },
        },
        { kind: 'conversation' },
      );
    }
    for (const message of change.messages) {
      if (message.seq !== undefined) add(this.seqPut(change.conversationId, message), { kind: 'other' });
      // Only the id item's "must be new" condition means a duplicate; a taken SEQ slot means a concurrent writer.
      add(this.idPut(change.conversationId, message), { kind: 'new-message', messageId: message.id });
    }
    if (change.approve) {
      const approved = change.approve;
      add(this.seqPut(change.conversationId, approved), { kind: 'other' });
      add(
        {
          Update: {
            TableName: this.tableName,
            Key: keys.messageById(change.conversationId, approved.id),
            UpdateExpression: 'SET seq = :seq, approval_status = :status REMOVE message',
            ConditionExpression: 'approval_status = :pending',
            ExpressionAttributeValues: { ':seq': approved.seq, ':status': approved.approval_status, ':pending': 0 },
          },
        },
        { kind: 'approval', messageId: approved.id },
      );
    }
    if (change.addConnection) {
      const { connection, participant } = change.addConnection;
      const expiresAt = Math.floor(connection.connectedAt / 1000) + CONNECTION_TTL_SECONDS;
      const attributes = { ...connectionToAttributes(connection), [TABLE_KEYS.timeToLive]: expiresAt };
      add(
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.connectionInConversation(connection.conversationId, connection.connectionId), ...attributes },
          },
        },
        { kind: 'other' },
      );
      add(
        {
          Put: {
            TableName: this.tableName,
            Item: { ...keys.connection(connection.connectionId), ...attributes, participant: participantToAttributes(participant) },
          },
        },
        { kind: 'other' },
      );
    }
    if (change.removeConnection) {
      const connection = change.removeConnection;
      add(
        {
          Delete: {
            TableName: this.tableName,
            Key: keys.connection(connection.connectionId),
            ConditionExpression: 'attribute_exists(#pk)',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
          },
        },
        { kind: 'remove-connection', connectionId: connection.connectionId },
      );
      add(
        {
          Delete: {
            TableName: this.tableName,
            Key: keys.connectionInConversation(connection.conversationId, connection.connectionId),
          },
        },
        { kind: 'other' },
      );
    }
    return { items, roles };
  }

  /** An approved message is written twice: in timeline order (SEQ) and as an id pointer (ID). */
  private messagePuts(conversationId: string, message: WireMessage): TransactItem[] {
    const pointer = this.idPut(conversationId, message);
    return message.seq !== undefined ? [this.seqPut(conversationId, message), pointer] : [pointer];
  }

  private idPut(conversationId: string, message: WireMessage): TransactItem {
    const idItem: Record<string, unknown> = {
      ...keys.messageById(conversationId, message.id),
      approval_status: message.approval_status,
    };
    if (message.seq !== undefined) idItem.seq = message.seq;
    else idItem.message = message;
    // The id is derived from (sender, local_id): its "must be new" condition is the de-duplication guard.
    return this.putIfAbsent(idItem);
  }

  private seqPut(conversationId: string, message: WireMessage): TransactItem {
    return this.putIfAbsent({ ...keys.messageBySeq(conversationId, message.seq!), time: message.time, message });
  }

  private participantPut(participant: ParticipantRecord): TransactItem {
    return this.putIfAbsent({
      ...keys.participant(participant.conversationId, participant.id),
      ...participantToAttributes(participant),
    });
  }

  private tokenPut(participant: ParticipantRecord, tokenHash: string): TransactItem {
    return this.putIfAbsent({
      ...keys.token(tokenHash),
      token_hash: tokenHash,
      participant: participantToAttributes(participant),
    });
  }

  /** A put that fails its transaction when the item exists: every item here is written once. */
  private putIfAbsent(item: Record<string, unknown>): TransactItem {
    return {
      Put: {
        TableName: this.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
      },
    };
  }

  private async transact(items: TransactItem[], roles: ItemRole[], conversationId: string): Promise<void> {
    try {
      await this.documents.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      throw translateCancellation(error, roles, conversationId);
    }
  }

  // ---- reads ----

  private async get(key: { pk: string; sk: string }): Promise<Record<string, unknown> | undefined> {
    const output = await this.documents.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return output.Item;
  }

  private async queryAll(
    input: Pick<QueryCommandInput, 'KeyConditionExpression' | 'ExpressionAttributeValues'>,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const output = await this.documents.send(
        new QueryCommand({
          TableName: this.tableName,
          ConsistentRead: true,
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#sk': TABLE_KEYS.sortKey },
          ...input,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(output.Items ?? []));
      startKey = output.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private assemble(items: Record<string, unknown>[], withParticipants: boolean): ConversationRoster | ConversationConnections | undefined {
    const meta = items.find((item) => item.sk === 'META');
    if (!meta) return undefined;
    const conversation = conversationFromAttributes(meta as unknown as ConversationAttributes);
    const connections = items
      .filter((item) => String(item.sk).startsWith('CONN#'))
      .map((item) => connectionFromAttributes(item as unknown as ConnectionAttributes));
    if (!withParticipants) return { conversation, connections };
    const participants = items
      .filter((item) => String(item.sk).startsWith('PART#'))
      .map((item) => participantFromAttributes(item as unknown as ParticipantAttributes));
    return { conversation, connections, participants };
  }
}

/** Maps a cancelled transaction to the domain error of the item that failed; rethrows anything else. */
function translateCancellation(error: unknown, roles: ItemRole[], conversationId: string): unknown {
  if (!(error instanceof TransactionCanceledException)) return error;
  const reasons = error.CancellationReasons ?? [];
  const failed = roles.filter((_, index) => reasons[index]?.Code === 'ConditionalCheckFailed');
  const gone = failed.find((role) => role.kind === 'remove-connection');
  if (gone?.kind === 'remove-connection') return new ConnectionAlreadyGone(gone.connectionId);
  const duplicate = failed.find((role) => role.kind === 'new-message');
  if (duplicate?.kind === 'new-message') return new DuplicateMessage(duplicate.messageId);
  const approval = failed.find((role) => role.kind === 'approval');
  if (approval?.kind === 'approval') return new AlreadyApproved(approval.messageId);
  // The conversation item moved on, or two transactions touched the same items at once: read again.
  if (failed.some((role) => role.kind === 'conversation') || reasons.some((r) => r.Code === 'TransactionConflict')) {
    return new ConcurrentChange(conversationId);
  }
  return error;
}
