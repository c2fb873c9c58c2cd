/**
 * DynamoDB's billing rules, applied to the requests the backend really sends. DynamoDB Local
 * reports `ConsumedCapacity`, but under-reports transactions (it does not double them), so billed
 * units are computed here from item sizes:
 *
 * - item size: attribute names plus values (strings in UTF-8 bytes; numbers about one byte per two
 *   significant digits plus one; booleans and nulls one byte; lists and maps 3 bytes plus one byte
 *   per element, map keys counted like attribute names);
 * - reads round up to 4 KB (per item for GetItem, over the whole page for Query); an eventually
 *   consistent read costs half; a read that finds nothing still costs the minimum;
 * - writes round up to 1 KB per item; in `TransactWriteItems` every item (Put, Update, Delete,
 *   ConditionCheck) costs 2 write units per KB; an update costs the larger of the item before and
 *   after.
 *
 * Pure functions, unit-tested in `test/bench/billing.test.ts`.
 */

export const WRITE_UNIT_BYTES = 1024;
export const READ_UNIT_BYTES = 4096;
/** Transactional reads and writes cost twice the plain ones. */
export const TRANSACTION_MULTIPLIER = 2;
/** Bytes of overhead of a list or map, and per element of one. */
const CONTAINER_OVERHEAD_BYTES = 3;
const ELEMENT_OVERHEAD_BYTES = 1;

const utf8 = new TextEncoder();

function utf8Bytes(text: string): number {
  return utf8.encode(text).byteLength;
}

/** Significant digits of a number's decimal form (leading and trailing zeros do not count). */
export function significantDigits(value: number | bigint | string): number {
  let text = String(value).toLowerCase().replace(/^[-+]/, '');
  const exponentAt = text.indexOf('e');
  if (exponentAt >= 0) text = text.slice(0, exponentAt);
  const digits = text.replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  return Math.max(digits.length, 1);
}

/** Size of a number attribute value: one byte per two significant digits, plus one. */
export function numberSize(value: number | bigint | string): number {
  return Math.ceil(significantDigits(value) / 2) + 1;
}

/**
 * Size in bytes of one attribute value, given as the document client holds it (plain JS values:
 * string, number, boolean, null, Uint8Array, Set, array, object). `undefined` has no size (the
 * store removes undefined values before writing).
 */
export function attributeValueSize(value: unknown): number {
  if (value === undefined) return 0;
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number' || typeof value === 'bigint') return numberSize(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (value instanceof Set) {
    let total = 0;
    for (const member of value) total += attributeValueSize(member);
    return total;
  }
  if (Array.isArray(value)) {
    let total = CONTAINER_OVERHEAD_BYTES;
    for (const element of value) total += attributeValueSize(element) + ELEMENT_OVERHEAD_BYTES;
    return total;
  }
  if (typeof value === 'object') {
    let total = CONTAINER_OVERHEAD_BYTES;
    for (const [name, element] of Object.entries(value as Record<string, unknown>)) {
      if (element === undefined) continue;
      total += utf8Bytes(name) + attributeValueSize(element) + ELEMENT_OVERHEAD_BYTES;
    }
    return total;
  }
  throw new TypeError(`no DynamoDB size rule for a ${typeof value}`);
}

/** Size in bytes of a whole item: every attribute's name and value. */
export function itemSize(item: Readonly<Record<string, unknown>> | undefined): number {
  if (!item) return 0;
  let total = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    total += utf8Bytes(name) + attributeValueSize(value);
  }
  return total;
}

/** Read units for `bytes` read in one request (an item, or a Query page). */
export function readUnits(bytes: number, options: { consistent: boolean; transactional?: boolean }): number {
  const units = Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
  const consistency = options.consistent ? 1 : 0.5;
  return units * consistency * (options.transactional ? TRANSACTION_MULTIPLIER : 1);
}

/** Write units for one item of `bytes`. */
export function writeUnits(bytes: number, options: { transactional: boolean }): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES)) * (options.transactional ? TRANSACTION_MULTIPLIER : 1);
}

export type TransactAction = 'Put' | 'Update' | 'Delete' | 'ConditionCheck';

/** One item of a `TransactWriteItems` request with the sizes billing needs. */
export interface TransactItemSizes {
  action: TransactAction;
  /** The item as stored before the request (0 when new); undefined when not looked up. */
  beforeBytes?: number;
  /** Put: the new item; Update: the item after; undefined when not known. */
  afterBytes?: number;
}

export interface BilledUnits {
  readUnits: number;
  writeUnits: number;
  /** Some sizes were unknown and taken as at most 1 KB. */
  sizesAssumed: boolean;
}

/**
 * Billed write units of one `TransactWriteItems`: 2 per KB per item, an item's size being the
 * larger of before and after. An unknown size is taken as at most 1 KB (and reported).
 */
export function transactWriteUnits(items: readonly TransactItemSizes[]): BilledUnits {
  let total = 0;
  let sizesAssumed = false;
  for (const item of items) {
    const known = [item.beforeBytes, item.afterBytes].filter((bytes): bytes is number => bytes !== undefined);
    const needsBefore = item.action !== 'Put';
    if (known.length === 0 || (needsBefore && item.beforeBytes === undefined)) sizesAssumed = true;
    total += writeUnits(known.length > 0 ? Math.max(...known) : 0, { transactional: true });
  }
  return { readUnits: 0, writeUnits: total, sizesAssumed };
}

/** The action and target of each item of a `TransactWriteItems` input (document client shape). */
export function transactItems(input: { TransactItems?: readonly Record<string, unknown>[] }): Array<{
  action: TransactAction;
  tableName: string;
  key?: Record<string, unknown>;
  item?: Record<string, unknown>;
}> {
  return (input.TransactItems ?? []).map((entry) => {
    const action = (['Put', 'Update', 'Delete', 'ConditionCheck'] as const).find((name) => entry[name] !== undefined);
    if (!action) throw new Error(`unknown TransactWriteItems entry: ${Object.keys(entry).join(', ')}`);
    const body = entry[action] as { TableName: string; Key?: Record<string, unknown>; Item?: Record<string, unknown> };
    return {
      action,
      tableName: body.TableName,
      ...(body.Key ? { key: body.Key } : {}),
      ...(body.Item ? { item: body.Item } : {}),
    };
  });
}

/**
 * Billed units of one DynamoDB request, from its input and output as the document client holds
 * them. `transactSizes` gives the looked-up sizes of a transaction's items (see `TransactItemSizes`);
 * without them, Puts are sized from the request and the other actions are assumed at most 1 KB.
 */
export function billedUnits(
  command: string,
  input: Record<string, unknown>,
  output: Record<string, unknown>,
  transactSizes?: readonly TransactItemSizes[],
): BilledUnits {
  const consistent = input.ConsistentRead === true;
  switch (command) {
    case 'GetItem':
      return {
        readUnits: readUnits(itemSize(output.Item as Record<string, unknown> | undefined), { consistent }),
        writeUnits: 0,
        sizesAssumed: false,
      };
    case 'Query':
    case 'Scan': {
      let bytes = 0;
      for (const item of (output.Items as Record<string, unknown>[] | undefined) ?? []) bytes += itemSize(item);
      return { readUnits: readUnits(bytes, { consistent }), writeUnits: 0, sizesAssumed: false };
    }
    case 'TransactWriteItems': {
      const sizes =
        transactSizes ??
        transactItems(input as { TransactItems?: Record<string, unknown>[] }).map(
          (item): TransactItemSizes =>
            item.action === 'Put' ? { action: item.action, afterBytes: itemSize(item.item) } : { action: item.action },
        );
      return transactWriteUnits(sizes);
    }
    case 'PutItem':
      return {
        readUnits: 0,
        writeUnits: writeUnits(itemSize(input.Item as Record<string, unknown>), { transactional: false }),
        sizesAssumed: false,
      };
    case 'UpdateItem':
    case 'DeleteItem':
      return { readUnits: 0, writeUnits: writeUnits(0, { transactional: false }), sizesAssumed: true };
    case 'BatchWriteItem': {
      let units = 0;
      let sizesAssumed = false;
      const requests = (input.RequestItems as Record<string, Array<Record<string, { Item?: Record<string, unknown> }>>>) ?? {};
      for (const entries of Object.values(requests)) {
        for (const entry of entries) {
          if (entry.PutRequest?.Item) units += writeUnits(itemSize(entry.PutRequest.Item), { transactional: false });
          else {
            units += writeUnits(0, { transactional: false });
            sizesAssumed = true;
          }
        }
      }
      return { readUnits: 0, writeUnits: units, sizesAssumed };
    }
    default:
      return { readUnits: 0, writeUnits: 0, sizesAssumed: false };
  }
}

/** What DynamoDB Local reported in `ConsumedCapacity` (one object, or one per table for transactions). */
export function reportedCapacityUnits(output: Record<string, unknown>): number | undefined {
  const consumed = output.ConsumedCapacity as { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> | undefined;
  if (consumed === undefined) return undefined;
  const entries = Array.isArray(consumed) ? consumed : [consumed];
  return entries.reduce((total, entry) => total + (entry.CapacityUnits ?? 0), 0);
}
