/**
 * Offset cursor over one OSC packet, used by decodePacket. Each read checks
 * the bounds and alignment that OSC 1.0 requires and throws
 * MalformedOscError, which decodePacket turns into a `malformed` result.
 *
 * @internal
 */

/** Problem found while reading, with the absolute offset where it was found. @internal */
export class MalformedOscError extends Error {
  readonly offset: number;

  constructor(reason: string, offset: number) {
    super(reason);
    this.name = 'MalformedOscError';
    this.offset = offset;
  }
}

/** Cursor over `buffer` from `offset` up to `end`, reading big-endian as OSC requires. @internal */
export class OscReader {
  readonly buffer: Buffer;
  offset: number;
  end: number;

  constructor(buffer: Buffer, offset: number, end: number) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  /** Throws unless `byteCount` more bytes are left; `field` names the field in the reason. */
  require(byteCount: number, field: string): void {
    if (this.offset + byteCount <= this.end) return;
    throw new MalformedOscError(
      `${field} at offset ${this.offset} needs ${byteCount} bytes but is truncated at offset ${this.end}.`,
      this.offset,
    );
  }

  readInt32(field: string): number {
    this.require(4, field);
    const value = this.buffer.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  readUInt32(field: string): number {
    this.require(4, field);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  readFloat32(field: string): number {
    this.require(4, field);
    const value = this.buffer.readFloatBE(this.offset);
    this.offset += 4;
    return value;
  }

  readFloat64(field: string): number {
    this.require(8, field);
    const value = this.buffer.readDoubleBE(this.offset);
    this.offset += 8;
    return value;
  }

  readInt64(field: string): bigint {
    this.require(8, field);
    const value = this.buffer.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }

  /** Reads 4 single bytes, e.g. for the 'r' and 'm' types; returns the offset of the first. */
  readFourBytes(field: string): number {
    this.require(4, field);
    const start = this.offset;
    this.offset += 4;
    return start;
  }

  /**
   * Reads an OSC-string: bytes up to a NUL, then NULs up to the next multiple
   * of 4 bytes (OSC 1.0). Decodes the bytes as UTF-8, because OSC 1.1
   * implementations send UTF-8 although OSC 1.0 names ASCII.
   */
  readString(field: string): string {
    const start = this.offset;
    const nul = this.buffer.indexOf(0, start);
    if (nul === -1 || nul >= this.end) {
      throw new MalformedOscError(
        `${field} at offset ${start} has no NUL terminator and is truncated at offset ${this.end}.`,
        start,
      );
    }

    // Every message and bundle element starts and ends at a multiple of 4
    // bytes from the packet start, which decodePacket checks, so the padding
    // after a NUL found before `end` also ends by `end`.
    const paddedEnd = (nul + 4) & ~3;
    this.checkPadding(nul + 1, paddedEnd, field, start);

    this.offset = paddedEnd;
    return this.buffer.toString('utf8', start, nul);
  }

  /** Reads an OSC-blob: an int32 size, the bytes, then NULs up to a multiple of 4 bytes. Copies the bytes. */
  readBlob(field: string): Buffer {
    const sizeOffset = this.offset;
    const size = this.readInt32(`${field} size`);
    if (size < 0) {
      throw new MalformedOscError(`${field} size ${size} at offset ${sizeOffset} is negative.`, sizeOffset);
    }

    const start = this.offset;
    // Plain arithmetic, because `(size + 3) & ~3` overflows int32 for sizes near 2^31.
    const paddedEnd = start + size + ((4 - (size % 4)) % 4);
    if (paddedEnd > this.end) {
      throw new MalformedOscError(
        `${field} size ${size} at offset ${sizeOffset} exceeds the ${this.end - start} bytes left in the packet.`,
        sizeOffset,
      );
    }
    this.checkPadding(start + size, paddedEnd, field, sizeOffset);

    this.offset = paddedEnd;
    return Buffer.from(this.buffer.subarray(start, start + size));
  }

  private checkPadding(from: number, to: number, field: string, fieldOffset: number): void {
    for (let index = from; index < to; index++) {
      const byte = this.buffer[index];
      if (byte === 0) continue;
      throw new MalformedOscError(
        `${field} at offset ${fieldOffset} has bad padding: byte ${index} is 0x${hexByte(byte ?? 0)} instead of NUL.`,
        index,
      );
    }
  }
}

function hexByte(byte: number): string {
  return byte.toString(16).padStart(2, '0');
}
