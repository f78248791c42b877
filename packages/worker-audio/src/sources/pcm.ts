/**
 * Conversion of little-endian PCM bytes to float samples in -1..1, shared by
 * the WAV decoder and the stdin source.
 */

/** Storage of samples: signed or unsigned integers, or IEEE 754 floats. */
export type SampleEncoding = 'unsigned' | 'signed' | 'float';

/**
 * Converts `count` samples of little-endian bytes, starting at `byteOffset`
 * of `bytes`, into `out` from `outOffset`. The caller checks that both ranges
 * are in bounds.
 */
export type SampleDecoder = (
  bytes: Buffer,
  byteOffset: number,
  out: Float32Array,
  outOffset: number,
  count: number,
) => void;

/**
 * Returns the decoder for samples of `bytesPerSample` bytes stored as
 * `encoding`, or undefined when the pair is not supported. Supported: unsigned
 * 1 byte (WAV's 8-bit PCM), signed 2, 3 and 4 bytes, float 4 and 8 bytes.
 * Integers are scaled by 2^(bits-1), so full scale maps to -1 and just below
 * +1. Float samples are clamped to -1..1 and NaN becomes 0, so that a bad
 * float file cannot poison the analyser's filters.
 *
 * @example
 * const decode = sampleDecoderFor('signed', 2);
 * decode?.(bytes, 0, out, 0, bytes.length / 2);
 */
export function sampleDecoderFor(
  encoding: SampleEncoding,
  bytesPerSample: number,
): SampleDecoder | undefined {
  if (encoding === 'unsigned') return bytesPerSample === 1 ? decodeUnsigned8 : undefined;
  if (encoding === 'float') {
    if (bytesPerSample === 4) return decodeFloat32;
    if (bytesPerSample === 8) return decodeFloat64;
    return undefined;
  }

  switch (bytesPerSample) {
    case 2:
      return decodeSigned16;
    case 3:
      return decodeSigned24;
    case 4:
      return decodeSigned32;
    default:
      return undefined;
  }
}

function decodeUnsigned8(
  bytes: Buffer,
  byteOffset: number,
  out: Float32Array,
  outOffset: number,
  count: number,
) {
  for (let i = 0; i < count; i++) {
    out[outOffset + i] = ((bytes[byteOffset + i] as number) - 128) / 128;
  }
}

function decodeSigned16(
  bytes: Buffer,
  byteOffset: number,
  out: Float32Array,
  outOffset: number,
  count: number,
) {
  for (let i = 0; i < count; i++) {
    out[outOffset + i] = bytes.readInt16LE(byteOffset + 2 * i) / 32768;
  }
}

function decodeSigned24(
  bytes: Buffer,
  byteOffset: number,
  out: Float32Array,
  outOffset: number,
  count: number,
) {
  for (let i = 0; i < count; i++) {
    out[outOffset + i] = bytes.readIntLE(byteOffset + 3 * i, 3) / 8388608;
  }
}

function decodeSigned32(
  bytes: Buffer,
  byteOffset: number,
  out: Float32Array,
  outOffset: number,
  count: number,
) {
  for (let i = 0; i < count; i++) {
    out[outOffset + i] = bytes.readInt32LE(byteOffset + 4 * i) / 2147483648;
  }
}

function decodeFloat32(
  bytes: Buffer,
  byteOffset: number,
  out: Float32Array,
  outOffset: number,
  count: number,
) {
  for (let i = 0; i < count; i++) {
    out[outOffset + i] = clampUnit(bytes.readFloatLE(byteOffset + 4 * i));
  }
}

function decodeFloat64(
  bytes: Buffer,
  byteOffset: number,
  out: Float32Array,
  outOffset: number,
  count: number,
) {
  for (let i = 0; i < count; i++) {
    out[outOffset + i] = clampUnit(bytes.readDoubleLE(byteOffset + 8 * i));
  }
}

function clampUnit(value: number): number {
  if (value > 1) return 1;
  if (value < -1) return -1;
  return Number.isNaN(value) ? 0 : value;
}
