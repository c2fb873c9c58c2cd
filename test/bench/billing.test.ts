import {
  attributeValueSize,
  billedUnits,
  itemSize,
  numberSize,
  readUnits,
  reportedCapacityUnits,
  significantDigits,
  transactWriteUnits,
  writeUnits,
} from '../../bench/billing';

describe('item sizes', () => {
  it('counts strings in UTF-8 bytes', () => {
    expect(attributeValueSize('hello')).toBe(5);
    expect(attributeValueSize('é')).toBe(2);
    expect(attributeValueSize('😀')).toBe(4);
  });

  it('counts numbers as one byte per two significant digits plus one', () => {
    expect(significantDigits(1200)).toBe(2);
    expect(significantDigits(0.0012)).toBe(2);
    expect(significantDigits(-123.45)).toBe(5);
    expect(numberSize(7)).toBe(2);
    expect(numberSize(123456)).toBe(4);
    expect(numberSize(1730000000000)).toBe(3);
    expect(numberSize(1732525200123)).toBe(8);
  });

  it('counts booleans and nulls as one byte, and binary by length', () => {
    expect(attributeValueSize(true)).toBe(1);
    expect(attributeValueSize(null)).toBe(1);
    expect(attributeValueSize(new Uint8Array(10))).toBe(10);
  });

  it('gives lists and maps 3 bytes plus one per element, map keys counted like names', () => {
    expect(attributeValueSize([])).toBe(3);
    expect(attributeValueSize({})).toBe(3);
    expect(attributeValueSize(['ab', 'c'])).toBe(3 + (2 + 1) + (1 + 1));
    expect(attributeValueSize({ ab: 'xyz' })).toBe(3 + (2 + 3 + 1));
    expect(attributeValueSize({ a: undefined })).toBe(3);
  });

  it('sums attribute names and values over an item', () => {
    expect(itemSize({ pk: 'CONV#1', sk: 'META', last_seq: 12 })).toBe(2 + 6 + 2 + 4 + 8 + 2);
    expect(itemSize(undefined)).toBe(0);
  });
});

describe('read and write units', () => {
  it('rounds reads up to 4 KB, halves eventually consistent ones, and charges a miss the minimum', () => {
    expect(readUnits(0, { consistent: true })).toBe(1);
    expect(readUnits(4096, { consistent: true })).toBe(1);
    expect(readUnits(4097, { consistent: true })).toBe(2);
    expect(readUnits(4097, { consistent: false })).toBe(1);
    expect(readUnits(100, { consistent: true, transactional: true })).toBe(2);
  });

  it('rounds writes up to 1 KB and doubles transactional ones', () => {
    expect(writeUnits(1, { transactional: false })).toBe(1);
    expect(writeUnits(1024, { transactional: false })).toBe(1);
    expect(writeUnits(1025, { transactional: false })).toBe(2);
    expect(writeUnits(1025, { transactional: true })).toBe(4);
  });

  it('bills a transaction item on the larger of before and after, and says when it had to assume', () => {
    expect(transactWriteUnits([{ action: 'Update', beforeBytes: 900, afterBytes: 1100 }])).toEqual({
      readUnits: 0,
      writeUnits: 4,
      sizesAssumed: false,
    });
    expect(transactWriteUnits([{ action: 'ConditionCheck' }])).toEqual({ readUnits: 0, writeUnits: 2, sizesAssumed: true });
    expect(transactWriteUnits([{ action: 'Put', afterBytes: 300 }]).sizesAssumed).toBe(false);
  });
});

describe('billedUnits', () => {
  const item = { pk: 'CONN#abc', sk: 'CONN', participant_id: 'p1' };

  it('bills a consistent GetItem on the item it found', () => {
    expect(billedUnits('GetItem', { ConsistentRead: true }, { Item: item })).toEqual({ readUnits: 1, writeUnits: 0, sizesAssumed: false });
    expect(billedUnits('GetItem', {}, {}).readUnits).toBe(0.5);
  });

  it('bills a Query on the total size of the page, rounded up once', () => {
    const big = { pk: 'CONV#1', sk: 'CONN#1', blob: 'x'.repeat(3000) };
    expect(billedUnits('Query', { ConsistentRead: true }, { Items: [big, big] }).readUnits).toBe(2);
  });

  it("bills a human message's transaction at 6 write units: three items under 1 KB, doubled", () => {
    const input = {
      TransactItems: [
        { Update: { TableName: 't', Key: { pk: 'CONV#1', sk: 'META' } } },
        { Put: { TableName: 't', Item: { pk: 'MSGS#1', sk: 'SEQ#000000000002', message: { text: 'hi' } } } },
        { Put: { TableName: 't', Item: { pk: 'MSGS#1', sk: 'ID#m1', seq: 2 } } },
      ],
    };
    expect(billedUnits('TransactWriteItems', input, {})).toEqual({ readUnits: 0, writeUnits: 6, sizesAssumed: true });
    const sizes = [
      { action: 'Update' as const, beforeBytes: 400, afterBytes: 400 },
      { action: 'Put' as const, beforeBytes: 0, afterBytes: 300 },
      { action: 'Put' as const, beforeBytes: 0, afterBytes: 60 },
    ];
    expect(billedUnits('TransactWriteItems', input, {}, sizes)).toEqual({ readUnits: 0, writeUnits: 6, sizesAssumed: false });
  });

  it('reads what DynamoDB reported, one entry or one per table', () => {
    expect(reportedCapacityUnits({ ConsumedCapacity: { CapacityUnits: 1 } })).toBe(1);
    expect(reportedCapacityUnits({ ConsumedCapacity: [{ CapacityUnits: 2 }, { CapacityUnits: 2 }] })).toBe(4);
    expect(reportedCapacityUnits({})).toBeUndefined();
  });
});
