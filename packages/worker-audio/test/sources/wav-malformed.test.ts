import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isVjError } from '@vj/bus';
import { makeTempDir, removeDir } from '@vj/test-support';
import { decodeWav } from '../../src/sources/wav';
import { WavFileReader } from '../../src/sources/wav-file-reader';
import { buildRiff, fmtChunk, subFormatGuid, type TestChunk, toPcm16 } from './audio-test-helpers';

const PCM16_MONO = fmtChunk({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 16 });
const FOUR_SAMPLES = toPcm16([0.5, -0.5, 0.25, -0.25]);

function dataChunk(body: Buffer, declaredBytes?: number): TestChunk {
  return declaredBytes === undefined ? { id: 'data', body } : { id: 'data', body, declaredBytes };
}

function fmtWithBytes(byteCount: number): TestChunk {
  return { id: 'fmt ', body: PCM16_MONO.body.subarray(0, byteCount) };
}

interface BadCase {
  label: string;
  bytes: Buffer;
  code: string;
  /** Text that the message must contain beside the file name. */
  mentions: RegExp;
}

const BAD_CASES: BadCase[] = [
  {
    label: 'empty file',
    bytes: Buffer.alloc(0),
    code: 'VJ_AUDIO_WAV_TRUNCATED_HEADER',
    mentions: /0 bytes long/,
  },
  {
    label: '"RIFF" only',
    bytes: Buffer.from('RIFF'),
    code: 'VJ_AUDIO_WAV_TRUNCATED_HEADER',
    mentions: /4 bytes long.*needs 12/,
  },
  {
    label: 'ID3 tag of an MP3',
    bytes: Buffer.from('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000'),
    code: 'VJ_AUDIO_WAV_NOT_WAVE',
    mentions: /starts with "0x49443304" instead of "RIFF".*ffmpeg/,
  },
  {
    label: 'Ogg header',
    bytes: Buffer.from('OggS\u0000\u0002\u0000\u0000\u0000\u0000\u0000\u0000'),
    code: 'VJ_AUDIO_WAV_NOT_WAVE',
    mentions: /starts with "0x4f676753"|starts with "OggS"/,
  },
  {
    label: 'RIFF of form AVI',
    bytes: buildRiff([PCM16_MONO], 'RIFF', 'AVI '),
    code: 'VJ_AUDIO_WAV_NOT_WAVE',
    mentions: /form "AVI " instead of "WAVE"/,
  },
  {
    label: 'RF64 header',
    bytes: buildRiff([PCM16_MONO, dataChunk(FOUR_SAMPLES)], 'RF64'),
    code: 'VJ_AUDIO_WAV_UNSUPPORTED_CONTAINER',
    mentions: /RF64.*not supported/,
  },
  {
    label: 'big-endian RIFX',
    bytes: buildRiff([PCM16_MONO, dataChunk(FOUR_SAMPLES)], 'RIFX'),
    code: 'VJ_AUDIO_WAV_UNSUPPORTED_CONTAINER',
    mentions: /big-endian RIFX/,
  },
  {
    label: 'file cut inside the fmt chunk',
    bytes: buildRiff([PCM16_MONO]).subarray(0, 30),
    code: 'VJ_AUDIO_WAV_TRUNCATED_HEADER',
    mentions: /chunk "fmt " at byte 12 that declares 16 bytes, but the file ends at byte 30/,
  },
  {
    label: 'file cut inside a chunk header',
    bytes: buildRiff([PCM16_MONO]).subarray(0, 16),
    code: 'VJ_AUDIO_WAV_TRUNCATED_HEADER',
    mentions: /ends at byte 16 inside the chunk header that starts at byte 12/,
  },
  {
    label: 'file cut after the fmt chunk',
    bytes: buildRiff([PCM16_MONO, dataChunk(FOUR_SAMPLES)]).subarray(0, 40),
    code: 'VJ_AUDIO_WAV_TRUNCATED_HEADER',
    mentions: /ends at byte 40 inside the chunk header that starts at byte 36/,
  },
  {
    label: 'no fmt chunk',
    bytes: buildRiff([dataChunk(FOUR_SAMPLES)]),
    code: 'VJ_AUDIO_WAV_MISSING_FMT',
    mentions: /has no fmt chunk/,
  },
  {
    label: 'no data chunk',
    bytes: buildRiff([PCM16_MONO, { id: 'LIST', body: Buffer.from('INFO') }]),
    code: 'VJ_AUDIO_WAV_MISSING_DATA',
    mentions: /has no data chunk/,
  },
  {
    label: 'fmt chunk of 14 bytes',
    bytes: buildRiff([fmtWithBytes(14), dataChunk(FOUR_SAMPLES)]),
    code: 'VJ_AUDIO_WAV_INVALID_FORMAT',
    mentions: /fmt chunk of 14 bytes.*at least 16/,
  },
  {
    label: 'extensible fmt chunk of 18 bytes',
    bytes: buildRiff([
      {
        id: 'fmt ',
        body: Buffer.concat([
          fmtChunk({ formatTag: 0xfffe, channels: 1, sampleRate: 8000, bitsPerSample: 16 }).body,
          Buffer.alloc(2),
        ]),
      },
      dataChunk(FOUR_SAMPLES),
    ]),
    code: 'VJ_AUDIO_WAV_INVALID_FORMAT',
    mentions: /WAVE_FORMAT_EXTENSIBLE fmt chunk of 18 bytes.*needs 40/,
  },
  {
    label: 'zero channels',
    bytes: buildRiff([
      fmtChunk({ formatTag: 1, channels: 0, sampleRate: 8000, bitsPerSample: 16 }),
      dataChunk(FOUR_SAMPLES),
    ]),
    code: 'VJ_AUDIO_WAV_INVALID_FORMAT',
    mentions: /0 channels/,
  },
  {
    label: 'zero sample rate',
    bytes: buildRiff([
      fmtChunk({ formatTag: 1, channels: 1, sampleRate: 0, bitsPerSample: 16 }),
      dataChunk(FOUR_SAMPLES),
    ]),
    code: 'VJ_AUDIO_WAV_INVALID_FORMAT',
    mentions: /sample rate of 0 Hz/,
  },
  {
    label: 'zero bits of PCM',
    bytes: buildRiff([
      fmtChunk({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 0, blockAlign: 2 }),
      dataChunk(FOUR_SAMPLES),
    ]),
    code: 'VJ_AUDIO_WAV_INVALID_FORMAT',
    mentions: /0 bits per sample/,
  },
  {
    label: 'MP3 format tag 0x0055',
    bytes: buildRiff([
      fmtChunk({ formatTag: 0x55, channels: 2, sampleRate: 44100, bitsPerSample: 0, blockAlign: 1 }),
      dataChunk(Buffer.alloc(64)),
    ]),
    code: 'VJ_AUDIO_WAV_UNSUPPORTED_ENCODING',
    mentions: /MPEG Layer 3 \(MP3\) \(format tag 0x0055\), but only.*ffmpeg -i/,
  },
  {
    label: 'A-law format tag 6',
    bytes: buildRiff([
      fmtChunk({ formatTag: 6, channels: 1, sampleRate: 8000, bitsPerSample: 8 }),
      dataChunk(Buffer.alloc(64)),
    ]),
    code: 'VJ_AUDIO_WAV_UNSUPPORTED_ENCODING',
    mentions: /A-law \(format tag 0x0006\) with 8 bits per sample/,
  },
  {
    label: 'unknown format tag',
    bytes: buildRiff([
      fmtChunk({ formatTag: 0x1234, channels: 1, sampleRate: 8000, bitsPerSample: 16 }),
      dataChunk(FOUR_SAMPLES),
    ]),
    code: 'VJ_AUDIO_WAV_UNSUPPORTED_ENCODING',
    mentions: /unknown \(format tag 0x1234\)/,
  },
  {
    label: '16-bit float',
    bytes: buildRiff([
      fmtChunk({ formatTag: 3, channels: 1, sampleRate: 8000, bitsPerSample: 16 }),
      dataChunk(FOUR_SAMPLES),
    ]),
    code: 'VJ_AUDIO_WAV_UNSUPPORTED_ENCODING',
    mentions: /IEEE float \(format tag 0x0003\) with 16 bits/,
  },
  {
    label: 'extensible A-law',
    bytes: buildRiff([
      fmtChunk({
        formatTag: 0,
        channels: 1,
        sampleRate: 8000,
        bitsPerSample: 8,
        subFormat: subFormatGuid(6),
      }),
      dataChunk(Buffer.alloc(8)),
    ]),
    code: 'VJ_AUDIO_WAV_UNSUPPORTED_ENCODING',
    mentions: /A-law \(format tag 0x0006 inside WAVE_FORMAT_EXTENSIBLE\)/,
  },
  {
    label: 'extensible with a foreign GUID',
    bytes: buildRiff([
      fmtChunk({
        formatTag: 0,
        channels: 1,
        sampleRate: 8000,
        bitsPerSample: 16,
        subFormat: Buffer.from('00112233445566778899aabbccddeeff', 'hex'),
      }),
      dataChunk(FOUR_SAMPLES),
    ]),
    code: 'VJ_AUDIO_WAV_UNSUPPORTED_ENCODING',
    mentions: /sub-format GUID 00112233445566778899aabbccddeeff/,
  },
  {
    label: 'LIST chunk larger than the file',
    bytes: buildRiff([
      PCM16_MONO,
      { id: 'LIST', body: Buffer.from('INFO'), declaredBytes: 1_000_000 },
      dataChunk(FOUR_SAMPLES),
    ]),
    code: 'VJ_AUDIO_WAV_TRUNCATED_HEADER',
    mentions: /chunk "LIST" at byte 36 that declares 1000000 bytes/,
  },
  {
    label: 'fmt chunk larger than the file',
    bytes: buildRiff([{ ...PCM16_MONO, declaredBytes: 0xfffffff0 }]),
    code: 'VJ_AUDIO_WAV_TRUNCATED_HEADER',
    mentions: /chunk "fmt " at byte 12 that declares 4294967280 bytes/,
  },
];

describe('decodeWav of malformed input', () => {
  test.each(BAD_CASES)('decodeWav rejects $label with $code', ({ bytes, code, mentions }) => {
    let caught: unknown;
    try {
      decodeWav(bytes, 'bad.wav');
    } catch (error) {
      caught = error;
    }

    expect(isVjError(caught, code)).toBe(true);
    const error = caught as Error & { fields: Record<string, unknown>; shortMessage: string };
    expect(error.message).toContain('"bad.wav"');
    expect(error.message).toMatch(mentions);
    expect(error.fields.path).toBe('bad.wav');
    expect(error.shortMessage).not.toContain('\n');
  });
});

describe('WavFileReader of malformed files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('vj-wav-malformed-');
  });
  afterAll(() => removeDir(dir));

  test.each(BAD_CASES)(
    'WavFileReader.open rejects $label with $code',
    async ({ label, bytes, code, mentions }) => {
      const path = join(dir, `${label.replace(/[^a-z0-9]+/gi, '-')}.wav`);
      await writeFile(path, bytes);

      const opening = WavFileReader.open(path);

      await expect(opening).rejects.toMatchObject({ code, message: expect.stringMatching(mentions) });
      await expect(opening).rejects.toMatchObject({ message: expect.stringContaining(path) });
    },
  );

  test('WavFileReader.open rejects a missing file with VJ_AUDIO_FILE_NOT_FOUND', async () => {
    const path = join(dir, 'missing.wav');

    await expect(WavFileReader.open(path)).rejects.toMatchObject({
      code: 'VJ_AUDIO_FILE_NOT_FOUND',
      message: expect.stringContaining(path),
    });
  });
});

describe('decodeWav of damaged but readable input', () => {
  test('decodeWav decodes the frames of a truncated data chunk and warns', () => {
    const bytes = buildRiff([PCM16_MONO, dataChunk(FOUR_SAMPLES, 1000)]);

    const decoded = decodeWav(bytes, 'short.wav');

    expect(decoded.frames).toBe(4);
    expect(Array.from(decoded.samples)).toEqual([0.5, -0.5, 0.25, -0.25]);
    expect(decoded.warnings).toHaveLength(1);
    expect(decoded.warnings[0]).toMatch(/declares 1000 bytes, but the file ends after 8/);
  });

  test('decodeWav cut inside a frame decodes the whole frames and warns about the rest', () => {
    const stereo = fmtChunk({ formatTag: 1, channels: 2, sampleRate: 8000, bitsPerSample: 16 });
    const bytes = buildRiff([stereo, dataChunk(FOUR_SAMPLES.subarray(0, 6))]);

    const decoded = decodeWav(bytes, 'odd.wav');

    expect(decoded.frames).toBe(1);
    expect(Array.from(decoded.samples)).toEqual([0.5, -0.5]);
    expect(decoded.warnings.join(' ')).toMatch(/2 bytes that do not make a whole frame/);
  });

  test('decodeWav reads to the end when the data size is 0xFFFFFFFF, as streaming writers leave it', () => {
    const bytes = buildRiff([PCM16_MONO, dataChunk(FOUR_SAMPLES, 0xffffffff)]);

    const decoded = decodeWav(bytes, 'stream.wav');

    expect(decoded.frames).toBe(4);
    expect(decoded.warnings).toEqual([]);
  });

  test('decodeWav skips odd-sized chunks and their pad byte', () => {
    const bytes = buildRiff([
      { id: 'junk', body: Buffer.from('abc') },
      PCM16_MONO,
      { id: 'LIST', body: Buffer.from('INFOx') },
      dataChunk(FOUR_SAMPLES),
    ]);

    const decoded = decodeWav(bytes, 'padded.wav');

    expect(bytes.length).toBe(12 + 12 + 24 + 14 + 16);
    expect(Array.from(decoded.samples)).toEqual([0.5, -0.5, 0.25, -0.25]);
  });

  test('decodeWav finds the fmt chunk after the data chunk', () => {
    const bytes = buildRiff([dataChunk(FOUR_SAMPLES), PCM16_MONO]);

    expect(Array.from(decodeWav(bytes, 'late-fmt.wav').samples)).toEqual([0.5, -0.5, 0.25, -0.25]);
  });

  test('decodeWav of an odd-sized 8-bit data chunk followed by a chunk skips the pad byte', () => {
    const unsigned = fmtChunk({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 8 });
    const bytes = buildRiff([
      unsigned,
      dataChunk(Buffer.from([0, 128, 255])),
      { id: 'LIST', body: Buffer.from('INFO') },
    ]);

    const decoded = decodeWav(bytes, 'u8.wav');

    expect(Array.from(decoded.samples)).toEqual([-1, 0, 127 / 128]);
    expect(decoded.warnings).toEqual([]);
  });

  test('decodeWav reads 12-bit PCM stored left-justified in 16-bit words', () => {
    const twelveBit = fmtChunk({ formatTag: 1, channels: 1, sampleRate: 8000, bitsPerSample: 12 });
    // 12-bit values 1024 (half of full scale 2048) and -2048, shifted into the top bits of 16-bit words.
    const body = Buffer.alloc(4);
    body.writeInt16LE(1024 << 4, 0);
    body.writeInt16LE(-2048 << 4, 2);

    const decoded = decodeWav(buildRiff([twelveBit, dataChunk(body)]), '12bit.wav');

    expect(Array.from(decoded.samples)).toEqual([0.5, -1]);
    expect(decoded.format).toMatchObject({ bitsPerSample: 16, validBitsPerSample: 12 });
  });

  test('decodeWav clamps float samples to -1..1 and turns NaN into 0', () => {
    const float = fmtChunk({ formatTag: 3, channels: 1, sampleRate: 8000, bitsPerSample: 32 });
    const body = Buffer.alloc(16);
    [1.5, -2, Number.NaN, 0.25].forEach((value, i) => {
      body.writeFloatLE(value, 4 * i);
    });

    const decoded = decodeWav(buildRiff([float, dataChunk(body)]), 'float.wav');

    expect(Array.from(decoded.samples)).toEqual([1, -1, 0, 0.25]);
  });

  test('decodeWav warns when the block align disagrees with channels and bits', () => {
    const misaligned = fmtChunk({
      formatTag: 1,
      channels: 1,
      sampleRate: 8000,
      bitsPerSample: 16,
      blockAlign: 4,
    });

    const decoded = decodeWav(buildRiff([misaligned, dataChunk(FOUR_SAMPLES)]), 'align.wav');

    expect(decoded.frames).toBe(4);
    expect(decoded.warnings.join(' ')).toMatch(/block align of 4 bytes/);
  });

  test('decodeWav reads extensible PCM built by hand', () => {
    const extensible = fmtChunk({
      formatTag: 0,
      channels: 2,
      sampleRate: 8000,
      bitsPerSample: 16,
      subFormat: subFormatGuid(1),
    });

    const decoded = decodeWav(buildRiff([extensible, dataChunk(FOUR_SAMPLES)]), 'ext.wav');

    expect(decoded.format).toMatchObject({ extensible: true, formatTag: 1, channels: 2 });
    expect(Array.from(decoded.samples)).toEqual([0.5, -0.5, 0.25, -0.25]);
  });
});
