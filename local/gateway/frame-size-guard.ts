/**
 * API Gateway limits each client frame (32 KB) as well as each message (128 KB). `ws`'s `maxPayload`
 * only counts whole messages, so this watches the raw client→server bytes, reads each frame header
 * (RFC 6455 §5.2) and reports the first data frame whose payload is over the limit.
 * Control frames are capped at 125 bytes by the protocol and never count.
 */

const MAX_HEADER_BYTES = 14;
const OPCODE_MASK = 0x0f;
const LARGEST_DATA_OPCODE = 0x2; // continuation 0x0, text 0x1, binary 0x2
const MASK_BIT = 0x80;
const LENGTH_MASK = 0x7f;
const LENGTH_16_BIT = 126;
const LENGTH_64_BIT = 127;
const MASKING_KEY_BYTES = 4;

export class FrameSizeGuard {
  private readonly header = Buffer.alloc(MAX_HEADER_BYTES);
  private headerBytes = 0;
  private payloadBytesLeft = 0;
  private tripped = false;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onOversizedFrame: (payloadBytes: number) => void,
  ) {}

  /** Feeds the next chunk read from the socket; stops looking after the first oversized frame. */
  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.tripped) {
      if (this.payloadBytesLeft > 0) {
        const skipped = Math.min(this.payloadBytesLeft, chunk.length - offset);
        this.payloadBytesLeft -= skipped;
        offset += skipped;
        continue;
      }
      this.header[this.headerBytes++] = chunk[offset++]!;
      const headerLength = this.headerLength();
      if (headerLength !== undefined && this.headerBytes === headerLength) this.endOfHeader();
    }
  }

  private headerLength(): number | undefined {
    if (this.headerBytes < 2) return undefined;
    const second = this.header[1]!;
    const length = second & LENGTH_MASK;
    const extended = length === LENGTH_16_BIT ? 2 : length === LENGTH_64_BIT ? 8 : 0;
    return 2 + extended + (second & MASK_BIT ? MASKING_KEY_BYTES : 0);
  }

  private endOfHeader(): void {
    const opcode = this.header[0]! & OPCODE_MASK;
    const length = this.header[1]! & LENGTH_MASK;
    const payloadBytes =
      length === LENGTH_16_BIT
        ? this.header.readUInt16BE(2)
        : length === LENGTH_64_BIT
          ? Number(this.header.readBigUInt64BE(2))
          : length;
    this.headerBytes = 0;
    if (opcode <= LARGEST_DATA_OPCODE && payloadBytes > this.maxFrameBytes) {
      this.tripped = true;
      this.onOversizedFrame(payloadBytes);
      return;
    }
    this.payloadBytesLeft = payloadBytes;
  }
}
