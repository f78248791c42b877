/**
 * RIFF/WAVE header parsing. The chunk walker is a generator that requests byte
 * ranges and never does I/O itself, so one implementation serves a Buffer in
 * memory (synchronously) and a file handle (asynchronously, reading only the
 * chunk headers and the fmt chunk, never the audio).
 */
import type { FileHandle } from 'node:fs/promises';
import { VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';
import { type SampleEncoding, sampleDecoderFor } from './pcm';

/** Encoding and layout of the samples, as the fmt chunk declares them. */
export interface WavFormat {
  /** Tag that decides the encoding: the fmt chunk's own, or the sub-format's for WAVE_FORMAT_EXTENSIBLE (1 PCM, 3 IEEE float). */
  formatTag: number;
  /** True when the fmt chunk is WAVE_FORMAT_EXTENSIBLE (tag 0xFFFE). */
  extensible: boolean;
  encoding: SampleEncoding;
  channels: number;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Bits of storage per sample (the container), a multiple of 8. */
  bitsPerSample: number;
  /** Bits that carry signal, at most `bitsPerSample` (from the extensible fmt chunk or the plain one). */
  validBitsPerSample: number;
  /** Bytes per frame: `channels * bitsPerSample / 8`. */
  bytesPerFrame: number;
  /** Speaker positions bit mask of WAVE_FORMAT_EXTENSIBLE, undefined for plain fmt chunks. */
  channelMask: number | undefined;
}

/** Location and encoding of the audio in a WAV file. */
export interface WavLayout {
  format: WavFormat;
  /** Byte offset of the first sample from the start of the file. */
  dataOffset: number;
  /** Bytes of whole frames that are present, which is less than declared when the file is truncated. */
  dataBytes: number;
  /** Frames present: `dataBytes / format.bytesPerFrame`. */
  frames: number;
  /** Problems that did not stop decoding, such as a data chunk shorter than declared, one sentence each. */
  warnings: string[];
}

/** A byte range that the parser requests. At the end of the input, fewer bytes may come back. */
export interface ByteRequest {
  offset: number;
  length: number;
}

/**
 * Parses the header of the RIFF/WAVE input `bytes`, whose name `name` (a path
 * or a label) appears in error messages.
 *
 * Throws a VjError with code VJ_AUDIO_WAV_NOT_WAVE, VJ_AUDIO_WAV_UNSUPPORTED_CONTAINER,
 * VJ_AUDIO_WAV_TRUNCATED_HEADER, VJ_AUDIO_WAV_MISSING_FMT, VJ_AUDIO_WAV_MISSING_DATA,
 * VJ_AUDIO_WAV_INVALID_FORMAT or VJ_AUDIO_WAV_UNSUPPORTED_ENCODING.
 *
 * @example
 * const { format, dataOffset, frames } = parseWavHeaderFromBuffer(await readFile(path), path);
 */
export function parseWavHeaderFromBuffer(bytes: Buffer, name: string): WavLayout {
  const parser = walkWavHeader(name, bytes.length);
  let step = parser.next();
  while (!step.done) {
    const { offset, length } = step.value;
    step = parser.next(bytes.subarray(offset, offset + length));
  }
  return step.value;
}

/**
 * Parses the header of the WAV file open as `handle`, of `size` bytes, as
 * {@link parseWavHeaderFromBuffer} does, reading only the chunk headers and the
 * fmt chunk. Throws the same codes, and a failed read rejects with the file
 * system's error.
 *
 * @example
 * const layout = await parseWavHeaderFromFile(handle, (await handle.stat()).size, path);
 */
export async function parseWavHeaderFromFile(
  handle: FileHandle,
  size: number,
  name: string,
): Promise<WavLayout> {
  const parser = walkWavHeader(name, size);
  let step = parser.next();
  while (!step.done) {
    const { offset, length } = step.value;
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, offset);
    step = parser.next(buffer.subarray(0, bytesRead));
  }
  return step.value;
}

// Declared data size that streaming writers put in place of the real one.
const UNKNOWN_DATA_SIZE = 0xffffffff;
const RIFF_HEADER_BYTES = 12;
const CHUNK_HEADER_BYTES = 8;
const PLAIN_FMT_BYTES = 16;
const EXTENSIBLE_FMT_BYTES = 40;
const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
// Bytes 2..15 of the sub-format GUIDs of WAVE_FORMAT_EXTENSIBLE that carry a
// WAVE format tag in their first two bytes (xxxx0000-0000-0010-8000-00AA00389B71).
// KSDATAFORMAT_SUBTYPE_PCM and KSDATAFORMAT_SUBTYPE_IEEE_FLOAT are of this form.
const SUBFORMAT_GUID_TAIL = Buffer.from([0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xaa, 0, 0x38, 0x9b, 0x71]);

// Names of common WAVE format tags, for messages.
const FORMAT_TAG_NAMES: Readonly<Record<number, string>> = {
  1: 'PCM',
  2: 'Microsoft ADPCM',
  3: 'IEEE float',
  6: 'A-law',
  7: 'mu-law',
  17: 'IMA ADPCM',
  49: 'GSM 6.10',
  80: 'MPEG audio',
  85: 'MPEG Layer 3 (MP3)',
  353: 'Windows Media Audio',
  8192: 'AC-3',
  65534: 'WAVE_FORMAT_EXTENSIBLE',
};

function* walkWavHeader(name: string, size: number): Generator<ByteRequest, WavLayout, Buffer> {
  const head = yield { offset: 0, length: RIFF_HEADER_BYTES };
  checkRiffHeader(head, name);

  let format: WavFormat | undefined;
  let data: { offset: number; declaredBytes: number } | undefined;
  const warnings: string[] = [];
  let offset = RIFF_HEADER_BYTES;
  while (offset + CHUNK_HEADER_BYTES <= size && (format === undefined || data === undefined)) {
    const header = yield { offset, length: CHUNK_HEADER_BYTES };
    const id = header.toString('latin1', 0, 4);
    const chunkBytes = header.readUInt32LE(4);
    const bodyOffset = offset + CHUNK_HEADER_BYTES;

    if (id === 'data') {
      data = { offset: bodyOffset, declaredBytes: chunkBytes };
      // A streaming writer's data chunk runs to the end of the file, so nothing after it can be found.
      if (chunkBytes === UNKNOWN_DATA_SIZE) break;
    } else if (bodyOffset + chunkBytes > size) {
      throw truncatedChunk(name, id, offset, chunkBytes, size);
    } else if (id === 'fmt ' && format === undefined) {
      const body = yield { offset: bodyOffset, length: Math.min(chunkBytes, EXTENSIBLE_FMT_BYTES) };
      format = parseFmtChunk(body, chunkBytes, name, warnings);
    }

    // RIFF pads every chunk of odd size with one byte that its size does not count.
    offset = bodyOffset + chunkBytes + (chunkBytes % 2);
  }

  // Fewer than 8 bytes are left where a chunk header should start, so the file was cut there.
  const missingChunks = format === undefined || data === undefined;
  if (missingChunks && offset < size && data?.declaredBytes !== UNKNOWN_DATA_SIZE) {
    throw truncatedChunkHeader(name, offset, size);
  }
  if (format === undefined) {
    const stoppedAtData = data?.declaredBytes === UNKNOWN_DATA_SIZE;
    throw missingChunk(AudioErrorCodes.VJ_AUDIO_WAV_MISSING_FMT, 'fmt', name, stoppedAtData);
  }
  if (data === undefined) throw missingChunk(AudioErrorCodes.VJ_AUDIO_WAV_MISSING_DATA, 'data', name, false);
  return layoutData(format, data, size, warnings);
}

function checkRiffHeader(head: Buffer, name: string): void {
  const expected = Buffer.from('RIFF');
  const magic = head.subarray(0, 4);
  const magicText = magic.toString('latin1');
  if (magicText === 'RF64' || magicText === 'BW64' || magicText === 'RIFX') {
    throw unsupportedContainer(name, magicText);
  }
  if (!expected.subarray(0, magic.length).equals(magic)) throw notWave(name, head);
  if (head.length < RIFF_HEADER_BYTES) {
    throw new VjError(
      AudioErrorCodes.VJ_AUDIO_WAV_TRUNCATED_HEADER,
      `WAV file "${name}" is ${head.length} bytes long, but a RIFF/WAVE header needs 12; check that the file was written or copied completely`,
      { path: name, shortMessage: `WAV file "${name}" is truncated in its header`, fileBytes: head.length },
    );
  }
  const form = head.toString('latin1', 8, 12);
  if (form !== 'WAVE') {
    throw new VjError(
      AudioErrorCodes.VJ_AUDIO_WAV_NOT_WAVE,
      `File "${name}" is a RIFF file of form "${printable(head.subarray(8, 12))}" instead of "WAVE"; give a WAV file, or convert this one with ffmpeg`,
      { path: name, shortMessage: `"${name}" is not a WAV file`, form },
    );
  }
}

function parseFmtChunk(body: Buffer, chunkBytes: number, name: string, warnings: string[]): WavFormat {
  if (chunkBytes < PLAIN_FMT_BYTES) {
    throw invalidFormat(
      name,
      `has a fmt chunk of ${chunkBytes} bytes, but a fmt chunk needs at least ${PLAIN_FMT_BYTES}`,
    );
  }
  const declaredTag = body.readUInt16LE(0);
  const channels = body.readUInt16LE(2);
  const sampleRate = body.readUInt32LE(4);
  const blockAlign = body.readUInt16LE(12);
  const declaredBits = body.readUInt16LE(14);
  if (channels === 0)
    throw invalidFormat(name, 'declares 0 channels in its fmt chunk, but at least 1 is needed');
  if (sampleRate === 0) throw invalidFormat(name, 'declares a sample rate of 0 Hz in its fmt chunk');

  const extensible = declaredTag === WAVE_FORMAT_EXTENSIBLE;
  const formatTag = extensible ? readSubFormatTag(body, chunkBytes, name, declaredBits) : declaredTag;
  // Integer samples narrower than their bytes (12-bit PCM in 16-bit words) are
  // stored left-justified, so decoding them as the whole container is exact.
  const bitsPerSample = Math.ceil(declaredBits / 8) * 8;
  const encoding = encodingOf(formatTag, bitsPerSample);
  // Compressed encodings (MP3, ADPCM) declare 0 bits, so this check follows the encoding's.
  if (encoding === undefined) throw unsupportedEncoding(name, formatTag, declaredBits, extensible);
  if (declaredBits === 0) throw invalidFormat(name, 'declares 0 bits per sample in its fmt chunk');
  if (sampleDecoderFor(encoding, bitsPerSample / 8) === undefined) {
    throw unsupportedEncoding(name, formatTag, declaredBits, extensible);
  }
  const validBitsPerSample = extensible ? body.readUInt16LE(18) || declaredBits : declaredBits;

  const bytesPerFrame = (channels * bitsPerSample) / 8;
  if (blockAlign !== bytesPerFrame) {
    warnings.push(
      `The fmt chunk declares a block align of ${blockAlign} bytes, but ${channels} channels of ${bitsPerSample} bits take ${bytesPerFrame}, so frames were read as ${bytesPerFrame} bytes.`,
    );
  }
  const channelMask = extensible ? body.readUInt32LE(20) : undefined;
  return {
    formatTag,
    extensible,
    encoding,
    channels,
    sampleRate,
    bitsPerSample,
    validBitsPerSample,
    bytesPerFrame,
    channelMask,
  };
}

function readSubFormatTag(body: Buffer, chunkBytes: number, name: string, bits: number): number {
  if (chunkBytes < EXTENSIBLE_FMT_BYTES) {
    throw invalidFormat(
      name,
      `has a WAVE_FORMAT_EXTENSIBLE fmt chunk of ${chunkBytes} bytes, but that format needs ${EXTENSIBLE_FMT_BYTES}`,
    );
  }
  const guid = body.subarray(24, 40);
  if (!guid.subarray(2).equals(SUBFORMAT_GUID_TAIL)) {
    throw new VjError(
      AudioErrorCodes.VJ_AUDIO_WAV_UNSUPPORTED_ENCODING,
      `WAV file "${name}" has the extensible sub-format GUID ${guid.toString('hex')}, which is not a WAVE format tag, but only PCM and IEEE float are supported; convert it to 16-bit PCM, for example with ffmpeg -i "${name}" -c:a pcm_s16le converted.wav`,
      {
        path: name,
        shortMessage: 'WAV sub-format is not supported',
        subFormat: guid.toString('hex'),
        bitsPerSample: bits,
      },
    );
  }
  return guid.readUInt16LE(0);
}

function encodingOf(formatTag: number, bitsPerSample: number): SampleEncoding | undefined {
  if (formatTag === WAVE_FORMAT_PCM) return bitsPerSample === 8 ? 'unsigned' : 'signed';
  if (formatTag === WAVE_FORMAT_IEEE_FLOAT) return 'float';
  return undefined;
}

function layoutData(
  format: WavFormat,
  data: { offset: number; declaredBytes: number },
  size: number,
  warnings: string[],
): WavLayout {
  const presentBytes = Math.max(0, size - data.offset);
  let bytes = data.declaredBytes;
  if (data.declaredBytes === UNKNOWN_DATA_SIZE) {
    bytes = presentBytes;
  } else if (data.declaredBytes > presentBytes) {
    warnings.push(
      `The data chunk declares ${data.declaredBytes} bytes, but the file ends after ${presentBytes}, so only those were decoded; the file is probably truncated.`,
    );
    bytes = presentBytes;
  }

  const partialBytes = bytes % format.bytesPerFrame;
  if (partialBytes !== 0) {
    warnings.push(
      `The data chunk ends with ${partialBytes} bytes that do not make a whole frame, and they were ignored.`,
    );
  }
  const frames = Math.floor(bytes / format.bytesPerFrame);
  return { format, dataOffset: data.offset, dataBytes: frames * format.bytesPerFrame, frames, warnings };
}

function notWave(name: string, head: Buffer): VjError {
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_WAV_NOT_WAVE,
    `File "${name}" is not a RIFF/WAVE file because it starts with "${printable(head.subarray(0, 4))}" instead of "RIFF"; give a WAV file, or convert this one with ffmpeg`,
    { path: name, shortMessage: `"${name}" is not a WAV file`, magic: head.subarray(0, 4).toString('hex') },
  );
}

function unsupportedContainer(name: string, magic: string): VjError {
  const kind =
    magic === 'RIFX' ? 'a big-endian RIFX file' : `an ${magic} file (64-bit sizes for audio over 4 GiB)`;
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_WAV_UNSUPPORTED_CONTAINER,
    `WAV file "${name}" is ${kind}, which the WAV decoder does not read (RF64, BW64 and RIFX are not supported); convert it to a plain WAV, for example with ffmpeg -i "${name}" -c:a pcm_s16le converted.wav`,
    { path: name, shortMessage: `${magic} files are not supported`, container: magic },
  );
}

function truncatedChunk(name: string, id: string, offset: number, chunkBytes: number, size: number): VjError {
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_WAV_TRUNCATED_HEADER,
    `WAV file "${name}" has a chunk "${printable(Buffer.from(id, 'latin1'))}" at byte ${offset} that declares ${chunkBytes} bytes, but the file ends at byte ${size} before any audio; the file is truncated or corrupt, so re-export or re-copy it`,
    {
      path: name,
      shortMessage: `WAV file "${name}" is truncated in its header`,
      chunk: id,
      offset,
      chunkBytes,
      fileBytes: size,
    },
  );
}

function truncatedChunkHeader(name: string, offset: number, size: number): VjError {
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_WAV_TRUNCATED_HEADER,
    `WAV file "${name}" ends at byte ${size} inside the chunk header that starts at byte ${offset}, before any audio; the file is truncated, so re-export or re-copy it`,
    { path: name, shortMessage: `WAV file "${name}" is truncated in its header`, offset, fileBytes: size },
  );
}

function missingChunk(code: string, chunk: 'fmt' | 'data', name: string, stoppedAtData: boolean): VjError {
  const where = stoppedAtData ? 'before its data chunk of unknown size' : 'before the end of the file';
  return new VjError(
    code,
    `WAV file "${name}" has no ${chunk} chunk ${where}, so it contains no decodable audio; re-export the file or convert it with ffmpeg`,
    { path: name, shortMessage: `WAV file "${name}" has no ${chunk} chunk` },
  );
}

function invalidFormat(name: string, problem: string): VjError {
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_WAV_INVALID_FORMAT,
    `WAV file "${name}" ${problem}; the file is corrupt, so re-export it`,
    { path: name, shortMessage: `WAV file "${name}" has an invalid fmt chunk` },
  );
}

function unsupportedEncoding(name: string, formatTag: number, bits: number, extensible: boolean): VjError {
  const tagName = FORMAT_TAG_NAMES[formatTag] ?? 'unknown';
  const tagHex = `0x${formatTag.toString(16).padStart(4, '0')}`;
  const wrapper = extensible ? ' inside WAVE_FORMAT_EXTENSIBLE' : '';
  // Compressed encodings declare 0 bits per sample, which would only confuse.
  const bitsText = bits === 0 ? '' : ` with ${bits} bits per sample`;
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_WAV_UNSUPPORTED_ENCODING,
    `WAV file "${name}" is encoded as ${tagName} (format tag ${tagHex}${wrapper})${bitsText}, but only 8/16/24/32-bit integer PCM and 32/64-bit IEEE float are supported; convert it, for example with ffmpeg -i "${name}" -c:a pcm_s16le converted.wav`,
    { path: name, shortMessage: `WAV encoding ${tagName} is not supported`, formatTag, bitsPerSample: bits },
  );
}

// Shows 4 magic bytes as text when they are printable ASCII, else as hex.
function printable(bytes: Buffer): string {
  const isText = bytes.every((byte) => byte >= 0x20 && byte < 0x7f);
  return isText ? bytes.toString('latin1') : `0x${bytes.toString('hex')}`;
}
