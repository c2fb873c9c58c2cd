/**
 * The one module that owns the table's key design. The CDK stack, the local runner and the
 * DynamoDB adapter all read it, so names, keys and attributes exist in one place only.
 *
 * Partitions and items (pk / sk):
 *
 *   CONV#<conversationId> / CONN#<connectionId>   a live connection of the conversation (fan-out reads these)
 *   CONV#<conversationId> / META                  conversation: name, created_at, ended, last_seq, roster_version, bots
 *   CONV#<conversationId> / PART#<participantId>  a participant (name, type, is_required, delivery)
 *   CONN#<connectionId>   / CONN                  connection -> its participant (one GetItem per frame)
 *   TOKEN#<sha256(token)> / TOKEN                 token hash -> its participant
 *   MSGS#<conversationId> / SEQ#<seq, 12 digits>  an approved message, in timeline order
 *   MSGS#<conversationId> / ID#<messageId>        message id -> seq (approved) or the whole message (pending)
 *
 * `CONN#` < `META` < `PART#` in sort order, so one Query on `CONV#<id>` between `CONN#` and `META`
 * returns a conversation's connections and its META item together, and never touches other
 * conversations: fan-out cost depends on the conversation only.
 */

export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL removes connections whose `$disconnect` never came. */
  timeToLive: 'expires_at',
} as const;

/** How the table is created, as plain data for CDK (`lib/`) and for `CreateTable` (local runner, tests). */
export const TABLE_DEFINITION = {
  logicalName: 'Conversations',
  partitionKey: { name: TABLE_KEYS.partitionKey, type: 'S' },
  sortKey: { name: TABLE_KEYS.sortKey, type: 'S' },
  timeToLiveAttribute: TABLE_KEYS.timeToLive,
  billing: 'PAY_PER_REQUEST',
} as const;

/** The table's name for a deployment or local stack prefix (the CDK stack lets CloudFormation name it). */
export function tableNameFor(prefix: string): string {
  return `${prefix}-conversations`;
}

/** API Gateway closes every connection after 2 h; a margin covers clock skew and a late `$disconnect`. */
export const CONNECTION_TTL_SECONDS = 2 * 60 * 60 + 10 * 60;

const SEQ_DIGITS = 12;

export const keys = {
  conversation: (conversationId: string) => ({ pk: `CONV#${conversationId}`, sk: 'META' }),
  participant: (conversationId: string, participantId: string) => ({
    pk: `CONV#${conversationId}`,
    sk: `PART#${participantId}`,
  }),
  connectionInConversation: (conversationId: string, connectionId: string) => ({
    pk: `CONV#${conversationId}`,
    sk: `CONN#${connectionId}`,
  }),
  connection: (connectionId: string) => ({ pk: `CONN#${connectionId}`, sk: 'CONN' }),
  token: (tokenHash: string) => ({ pk: `TOKEN#${tokenHash}`, sk: 'TOKEN' }),
  messageBySeq: (conversationId: string, seq: number) => ({
    pk: `MSGS#${conversationId}`,
    sk: `SEQ#${String(seq).padStart(SEQ_DIGITS, '0')}`,
  }),
  messageById: (conversationId: string, messageId: string) => ({
    pk: `MSGS#${conversationId}`,
    sk: `ID#${messageId}`,
  }),
} as const;

export const sortKeyRanges = {
  /** Connections and META of one conversation, in one Query. */
  connectionsAndMeta: { from: 'CONN#', to: 'META' },
  /** Everything of one conversation except messages: connections, META, participants. */
  roster: { from: 'CONN#', to: 'PART#\uffff' },
  seqAfter: (seq: number) => `SEQ#${String(seq).padStart(SEQ_DIGITS, '0')}`,
  seqUpperBound: `SEQ#${'9'.repeat(SEQ_DIGITS)}`,
} as const;

export function conversationIdFromPartitionKey(pk: string): string {
  return pk.slice(pk.indexOf('#') + 1);
}
