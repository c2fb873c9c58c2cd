import { FrameSizeGuard } from '../../../local/gateway/frame-size-guard';

const TEXT = 0x1;
const CONTINUATION = 0x0;
const PING = 0x9;

/** A masked client frame header (RFC 6455 §5.2) plus `payloadBytes` zero bytes. */
function frame(opcode: number, payloadBytes: number, fin = true): Buffer {
  const first = (fin ? 0x80 : 0) | opcode;
  let header: Buffer;
  if (payloadBytes < 126) {
    header = Buffer.from([first, 0x80 | payloadBytes]);
  } else if (payloadBytes < 65536) {
    header = Buffer.alloc(4);
    header.writeUInt8(first, 0);
    header.writeUInt8(0x80 | 126, 1);
    header.writeUInt16BE(payloadBytes, 2);
  } else {
    header = Buffer.alloc(10);
    header.writeUInt8(first, 0);
    header.writeUInt8(0x80 | 127, 1);
    header.writeBigUInt64BE(BigInt(payloadBytes), 2);
  }
  return Buffer.concat([header, Buffer.from([1, 2, 3, 4]), Buffer.alloc(payloadBytes)]);
}

function feed(guard: FrameSizeGuard, bytes: Buffer, chunkBytes: number): void {
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) guard.push(bytes.subarray(offset, offset + chunkBytes));
}

describe('FrameSizeGuard', () => {
  const LIMIT = 32 * 1024;

  it('lets frames up to the limit through, however the bytes are chunked', () => {
    const oversized = jest.fn();
    const guard = new FrameSizeGuard(LIMIT, oversized);
    const stream = Buffer.concat([frame(TEXT, 5), frame(TEXT, 300), frame(TEXT, LIMIT), frame(PING, 125)]);

    feed(guard, stream, 1);
    feed(guard, stream, 7);
    feed(guard, stream, 64 * 1024);

    expect(oversized).not.toHaveBeenCalled();
  });

  it('reports a data frame over the limit as soon as its header is read', () => {
    const oversized = jest.fn();
    const guard = new FrameSizeGuard(LIMIT, oversized);

    feed(guard, Buffer.concat([frame(TEXT, 10), frame(TEXT, LIMIT + 1).subarray(0, 8)]), 3);

    expect(oversized).toHaveBeenCalledWith(LIMIT + 1);
  });

  it('measures each fragment of a fragmented message on its own', () => {
    const oversized = jest.fn();
    const guard = new FrameSizeGuard(LIMIT, oversized);

    feed(guard, Buffer.concat([frame(TEXT, LIMIT, false), frame(CONTINUATION, LIMIT, false), frame(CONTINUATION, LIMIT)]), 4096);
    expect(oversized).not.toHaveBeenCalled();

    guard.push(frame(CONTINUATION, 70_000));
    expect(oversized).toHaveBeenCalledWith(70_000);
  });

  it('reads 64-bit lengths and reports only once', () => {
    const oversized = jest.fn();
    const guard = new FrameSizeGuard(LIMIT, oversized);

    guard.push(frame(TEXT, 100_000).subarray(0, 14));
    guard.push(frame(TEXT, 200_000).subarray(0, 14));

    expect(oversized).toHaveBeenCalledTimes(1);
    expect(oversized).toHaveBeenCalledWith(100_000);
  });
});
