/**
 * Helpers of the source tests: running sox and ffmpeg, building WAV files by
 * hand, and measuring decoded signals.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs `command` with `args` and returns its stdout. Rejects with an error that contains its stderr when it fails. */
export async function run(command: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(command, args, { timeout: 60_000, maxBuffer: 64 << 20 });
  return stdout;
}

/** Runs `command` and returns its stdout as bytes, for raw PCM output. */
export async function runForBytes(command: string, args: string[]): Promise<Buffer> {
  const { stdout } = await execFileAsync(command, args, {
    timeout: 60_000,
    maxBuffer: 256 << 20,
    encoding: 'buffer',
  });
  return stdout;
}

/** Returns channel `index` of interleaved `samples`. */
export function channelOf(samples: Float32Array, channels: number, index: number): Float32Array {
  const frames = Math.floor(samples.length / channels);
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) out[i] = samples[i * channels + index] as number;
  return out;
}

/**
 * Estimates the frequency in Hz of a periodic signal from its rising zero
 * crossings: crossings between the first and the last, over the time between them.
 */
export function zeroCrossingHz(signal: Float32Array, sampleRate: number): number {
  const crossings: number[] = [];
  for (let i = 1; i < signal.length; i++) {
    const previous = signal[i - 1] as number;
    const current = signal[i] as number;
    if (previous < 0 && current >= 0) crossings.push(i - 1 + previous / (previous - current));
  }
  if (crossings.length < 2) return 0;
  const first = crossings[0] as number;
  const last = crossings[crossings.length - 1] as number;
  return ((crossings.length - 1) * sampleRate) / (last - first);
}

/** Returns the amplitude of a sine, from its RMS: sqrt(2) * RMS. */
export function amplitudeOf(signal: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < signal.length; i++) {
    const value = signal[i] as number;
    sum += value * value;
  }
  return Math.sqrt((2 * sum) / signal.length);
}

/** Returns the largest absolute sample. */
export function peakOf(signal: Float32Array): number {
  // Plain comparisons, because Math calls ran about 50 times slower inside Jest's VM
  // context than in plain Node (Node 20, Jest 30, a loop over 2.6 million samples).
  let peak = 0;
  for (let i = 0; i < signal.length; i++) {
    const value = signal[i] as number;
    const magnitude = value < 0 ? -value : value;
    if (magnitude > peak) peak = magnitude;
  }
  return peak;
}

/** Returns the largest absolute difference between two arrays of equal length. */
export function maxDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`Lengths differ: ${a.length} and ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] as number) - (b[i] as number);
    const magnitude = difference < 0 ? -difference : difference;
    if (magnitude > max) max = magnitude;
  }
  return max;
}

/**
 * Returns whether two arrays contain the same samples bit for bit. Faster than
 * Jest's toEqual on millions of samples.
 */
export function sameSamples(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

/** Joins arrays end to end. */
export function concatSamples(parts: Float32Array[]): Float32Array {
  let total = 0;
  for (let i = 0; i < parts.length; i++) total += (parts[i] as Float32Array).length;
  const out = new Float32Array(total);
  let offset = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as Float32Array;
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A RIFF chunk for {@link buildRiff}, whose `declaredBytes` overrides the size written in its header. */
export interface TestChunk {
  id: string;
  body: Buffer;
  declaredBytes?: number;
}

/**
 * Builds a RIFF file from `chunks`, padding each odd-sized body with one byte
 * as RIFF requires. `magic` and `form` replace "RIFF" and "WAVE".
 */
export function buildRiff(chunks: TestChunk[], magic = 'RIFF', form = 'WAVE'): Buffer {
  const parts: Buffer[] = [];
  for (const chunk of chunks) {
    const header = Buffer.alloc(8);
    header.write(chunk.id, 0, 4, 'latin1');
    header.writeUInt32LE(chunk.declaredBytes ?? chunk.body.length, 4);
    parts.push(header, chunk.body);
    if (chunk.body.length % 2 === 1) parts.push(Buffer.alloc(1));
  }
  const body = Buffer.concat(parts);
  const head = Buffer.alloc(12);
  head.write(magic, 0, 4, 'latin1');
  head.writeUInt32LE(4 + body.length, 4);
  head.write(form, 8, 4, 'latin1');
  return Buffer.concat([head, body]);
}

/** Fields of a fmt chunk for {@link fmtChunk}, where `subFormat` makes it WAVE_FORMAT_EXTENSIBLE. */
export interface TestFormat {
  formatTag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign?: number;
  /** 16-byte sub-format GUID of an extensible fmt chunk. */
  subFormat?: Buffer;
  validBitsPerSample?: number;
}

/** Builds a fmt chunk: 16 bytes plain, or 40 bytes when `subFormat` is given. */
export function fmtChunk(format: TestFormat): TestChunk {
  const extensible = format.subFormat !== undefined;
  const body = Buffer.alloc(extensible ? 40 : 16);
  const blockAlign = format.blockAlign ?? format.channels * Math.ceil(format.bitsPerSample / 8);
  body.writeUInt16LE(extensible ? 0xfffe : format.formatTag, 0);
  body.writeUInt16LE(format.channels, 2);
  body.writeUInt32LE(format.sampleRate, 4);
  body.writeUInt32LE(format.sampleRate * blockAlign, 8);
  body.writeUInt16LE(blockAlign, 12);
  body.writeUInt16LE(format.bitsPerSample, 14);
  if (format.subFormat !== undefined) {
    body.writeUInt16LE(22, 16);
    body.writeUInt16LE(format.validBitsPerSample ?? format.bitsPerSample, 18);
    body.writeUInt32LE(0, 20);
    format.subFormat.copy(body, 24);
  }
  return { id: 'fmt ', body };
}

/** Returns the sub-format GUID of WAVE format tag `tag` (PCM 1, IEEE float 3), as WAVE_FORMAT_EXTENSIBLE stores it. */
export function subFormatGuid(tag: number): Buffer {
  const guid = Buffer.from('0000000000001000800000aa00389b71', 'hex');
  guid.writeUInt16LE(tag, 0);
  return guid;
}

/** Encodes `values` in -1..1 as 16-bit little-endian PCM, rounding to the nearest step. */
export function toPcm16(values: number[]): Buffer {
  const bytes = Buffer.alloc(values.length * 2);
  values.forEach((value, i) => {
    bytes.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(value * 32768))), 2 * i);
  });
  return bytes;
}
