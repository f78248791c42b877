import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeDir, requireTool } from '@vj/test-support';
import { decodeWav } from '../../src/sources/wav';
import { WavFileReader } from '../../src/sources/wav-file-reader';
import {
  amplitudeOf,
  channelOf,
  concatSamples,
  maxDifference,
  run,
  runForBytes,
  sameSamples,
  zeroCrossingHz,
} from './audio-test-helpers';

const describeWithSox = requireTool('sox') ? describe : describe.skip;
const describeWithFfmpeg = requireTool('ffmpeg') ? describe : describe.skip;

// One tone per channel, all below 4 kHz so that they fit the 8 kHz cases.
const CHANNEL_TONES_HZ = [440, 1000, 620, 1500, 830, 2100];
const AMPLITUDE = 0.5;
const DURATION_S = 1;

interface SoxCase {
  label: string;
  /** sox output options: type, bits, encoding. */
  options: string[];
  channels: number;
  sampleRate: number;
  formatTag: number;
  extensible: boolean;
  bitsPerSample: number;
  /** Largest expected difference from the tone's amplitude, a few quantisation steps. */
  tolerance: number;
}

const SOX_CASES: SoxCase[] = [
  {
    label: '8-bit unsigned mono',
    options: ['-b', '8', '-e', 'unsigned-integer'],
    channels: 1,
    sampleRate: 8000,
    formatTag: 1,
    extensible: false,
    bitsPerSample: 8,
    tolerance: 0.01,
  },
  {
    label: '16-bit stereo',
    options: ['-b', '16', '-e', 'signed-integer'],
    channels: 2,
    sampleRate: 44100,
    formatTag: 1,
    extensible: false,
    bitsPerSample: 16,
    tolerance: 0.001,
  },
  {
    label: '24-bit stereo extensible',
    options: ['-b', '24', '-e', 'signed-integer'],
    channels: 2,
    sampleRate: 48000,
    formatTag: 1,
    extensible: true,
    bitsPerSample: 24,
    tolerance: 0.001,
  },
  {
    label: '24-bit stereo plain',
    options: ['-t', 'wavpcm', '-b', '24', '-e', 'signed-integer'],
    channels: 2,
    sampleRate: 96000,
    formatTag: 1,
    extensible: false,
    bitsPerSample: 24,
    tolerance: 0.001,
  },
  {
    label: '32-bit integer stereo extensible',
    options: ['-b', '32', '-e', 'signed-integer'],
    channels: 2,
    sampleRate: 22050,
    formatTag: 1,
    extensible: true,
    bitsPerSample: 32,
    tolerance: 0.001,
  },
  {
    label: '32-bit float stereo',
    options: ['-b', '32', '-e', 'floating-point'],
    channels: 2,
    sampleRate: 32000,
    formatTag: 3,
    extensible: false,
    bitsPerSample: 32,
    tolerance: 0.001,
  },
  {
    label: '64-bit float mono',
    options: ['-b', '64', '-e', 'floating-point'],
    channels: 1,
    sampleRate: 16000,
    formatTag: 3,
    extensible: false,
    bitsPerSample: 64,
    tolerance: 0.001,
  },
  {
    label: '16-bit 3 channels extensible',
    options: ['-b', '16', '-e', 'signed-integer'],
    channels: 3,
    sampleRate: 11025,
    formatTag: 1,
    extensible: true,
    bitsPerSample: 16,
    tolerance: 0.001,
  },
  {
    label: '16-bit 6 channels extensible',
    options: ['-b', '16', '-e', 'signed-integer'],
    channels: 6,
    sampleRate: 48000,
    formatTag: 1,
    extensible: true,
    bitsPerSample: 16,
    tolerance: 0.001,
  },
  {
    label: '16-bit 6 channels plain',
    options: ['-t', 'wavpcm', '-b', '16', '-e', 'signed-integer'],
    channels: 6,
    sampleRate: 44100,
    formatTag: 1,
    extensible: false,
    bitsPerSample: 16,
    tolerance: 0.001,
  },
];

// Writes a sine per channel with sox, without dither so that the samples are exact.
async function writeTones(path: string, soxCase: SoxCase): Promise<void> {
  const tones = CHANNEL_TONES_HZ.slice(0, soxCase.channels).flatMap((hz) => ['sine', String(hz)]);
  await run('sox', [
    '-D',
    '-n',
    '-r',
    String(soxCase.sampleRate),
    '-c',
    String(soxCase.channels),
    ...soxCase.options,
    path,
    'synth',
    String(DURATION_S),
    ...tones,
    'vol',
    String(AMPLITUDE),
  ]);
}

// sox's own conversion of the file to 32-bit float, the reference for every sample.
async function soxFloatSamples(path: string): Promise<Float32Array> {
  const bytes = await runForBytes('sox', ['-D', path, '-t', 'f32', '-e', 'floating-point', '-b', '32', '-']);
  const samples = new Float32Array(bytes.length / 4);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readFloatLE(4 * i);
  return samples;
}

describeWithSox('decodeWav of files written by sox', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('vj-wav-sox-');
  });
  afterAll(() => removeDir(dir));

  test.each(SOX_CASES)('decodeWav reads $label at $sampleRate Hz', async (soxCase) => {
    const path = join(dir, `${soxCase.label.replaceAll(' ', '-')}.wav`);
    await writeTones(path, soxCase);

    const decoded = decodeWav(await readFile(path), path);

    expect(decoded.sampleRate).toBe(soxCase.sampleRate);
    expect(decoded.channels).toBe(soxCase.channels);
    expect(decoded.frames).toBe(soxCase.sampleRate * DURATION_S);
    expect(decoded.samples).toHaveLength(decoded.frames * soxCase.channels);
    expect(decoded.format.formatTag).toBe(soxCase.formatTag);
    expect(decoded.format.extensible).toBe(soxCase.extensible);
    expect(decoded.format.bitsPerSample).toBe(soxCase.bitsPerSample);
    expect(decoded.warnings).toEqual([]);
    for (let channel = 0; channel < soxCase.channels; channel++) {
      const signal = channelOf(decoded.samples, soxCase.channels, channel);
      const expectedHz = CHANNEL_TONES_HZ[channel] as number;
      expect(zeroCrossingHz(signal, soxCase.sampleRate)).toBeCloseTo(expectedHz, 0);
      expect(Math.abs(amplitudeOf(signal) - AMPLITUDE)).toBeLessThan(soxCase.tolerance);
    }
  });

  test.each(SOX_CASES)('decodeWav matches the float samples of sox for $label', async (soxCase) => {
    const path = join(dir, `reference-${soxCase.label.replaceAll(' ', '-')}.wav`);
    await writeTones(path, soxCase);

    const decoded = decodeWav(await readFile(path), path);

    expect(maxDifference(decoded.samples, await soxFloatSamples(path))).toBeLessThan(1e-6);
  });

  test.each(SOX_CASES)('WavFileReader reads $label block by block like decodeWav', async (soxCase) => {
    const path = join(dir, `blocks-${soxCase.label.replaceAll(' ', '-')}.wav`);
    await writeTones(path, soxCase);
    const whole = decodeWav(await readFile(path), path);

    const reader = await WavFileReader.open(path);
    const blocks: Float32Array[] = [];
    try {
      for (let block = await reader.read(1000); block !== null; block = await reader.read(1000))
        blocks.push(block);
    } finally {
      await reader.close();
    }

    expect(reader.sampleRate).toBe(soxCase.sampleRate);
    expect(reader.channels).toBe(soxCase.channels);
    expect(blocks).toHaveLength(Math.ceil(whole.frames / 1000));
    expect(sameSamples(concatSamples(blocks), whole.samples)).toBe(true);
  });

  test('decodeWav skips the fact chunk that sox writes before float data', async () => {
    const path = join(dir, 'float-with-fact.wav');
    await writeTones(path, SOX_CASES[5] as SoxCase);
    const bytes = await readFile(path);

    expect(bytes.includes(Buffer.from('fact'))).toBe(true);
    expect(decodeWav(bytes, path).frames).toBe(32000);
  });

  test('WavFileReader rewinds to the first frame', async () => {
    const path = join(dir, 'rewind.wav');
    await writeTones(path, SOX_CASES[1] as SoxCase);
    const reader = await WavFileReader.open(path);
    try {
      const first = await reader.read(256);
      await reader.read(10_000);
      await reader.rewind();

      expect(await reader.read(256)).toEqual(first);
    } finally {
      await reader.close();
    }
  });
});

describeWithFfmpeg('decodeWav of files written by ffmpeg', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('vj-wav-ffmpeg-');
  });
  afterAll(() => removeDir(dir));

  // Writes 1 s at 48 kHz with one tone per channel (CHANNEL_TONES_HZ) at half scale, from ffmpeg's aevalsrc.
  async function writeWithFfmpeg(name: string, channels: number, outputOptions: string[]): Promise<string> {
    const path = join(dir, name);
    const expressions = CHANNEL_TONES_HZ.slice(0, channels).map((hz) => `${AMPLITUDE}*sin(2*PI*${hz}*t)`);
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `aevalsrc=${expressions.join('|')}:s=48000:d=1`,
      ...outputOptions,
      path,
    ]);
    return path;
  }

  test('decodeWav reads 6-channel float in WAVE_FORMAT_EXTENSIBLE in channel order', async () => {
    const path = await writeWithFfmpeg('float-6ch.wav', 6, ['-c:a', 'pcm_f32le']);
    const bytes = await readFile(path);

    const decoded = decodeWav(bytes, path);

    expect(bytes.readUInt16LE(20)).toBe(0xfffe);
    expect(decoded.format).toMatchObject({ extensible: true, formatTag: 3, encoding: 'float', channels: 6 });
    expect(decoded.frames).toBe(48000);
    for (let channel = 0; channel < 6; channel++) {
      const signal = channelOf(decoded.samples, 6, channel);
      expect(zeroCrossingHz(signal, 48000)).toBeCloseTo(CHANNEL_TONES_HZ[channel] as number, 0);
      expect(amplitudeOf(signal)).toBeCloseTo(AMPLITUDE, 3);
    }
  });

  test('decodeWav reads 64-bit float stereo', async () => {
    const path = await writeWithFfmpeg('float64.wav', 2, ['-c:a', 'pcm_f64le']);

    const decoded = decodeWav(await readFile(path), path);

    expect(decoded.format).toMatchObject({ formatTag: 3, bitsPerSample: 64, channels: 2 });
    expect(zeroCrossingHz(channelOf(decoded.samples, 2, 0), 48000)).toBeCloseTo(440, 0);
    expect(zeroCrossingHz(channelOf(decoded.samples, 2, 1), 48000)).toBeCloseTo(1000, 0);
    expect(amplitudeOf(channelOf(decoded.samples, 2, 1))).toBeCloseTo(AMPLITUDE, 3);
  });

  test('decodeWav skips the LIST and bext chunks that ffmpeg writes', async () => {
    const path = await writeWithFfmpeg('bext.wav', 1, [
      '-c:a',
      'pcm_s16le',
      '-write_bext',
      '1',
      '-metadata',
      'title=Loop',
    ]);
    const bytes = await readFile(path);

    const decoded = decodeWav(bytes, path);

    expect(bytes.includes(Buffer.from('LIST'))).toBe(true);
    expect(bytes.includes(Buffer.from('bext'))).toBe(true);
    expect(decoded.frames).toBe(48000);
    expect(zeroCrossingHz(decoded.samples, 48000)).toBeCloseTo(440, 0);
  });

  test('decodeWav rejects RF64 written by ffmpeg with VJ_AUDIO_WAV_UNSUPPORTED_CONTAINER', async () => {
    const path = await writeWithFfmpeg('rf64.wav', 1, ['-c:a', 'pcm_s16le', '-rf64', 'always']);

    expect(() => decodeWav(readFileSync(path), path)).toThrow(
      expect.objectContaining({
        code: 'VJ_AUDIO_WAV_UNSUPPORTED_CONTAINER',
        message: expect.stringContaining('RF64'),
      }),
    );
  });

  test('decodeWav rejects A-law written by ffmpeg, naming the format tag and ffmpeg', async () => {
    const path = await writeWithFfmpeg('alaw.wav', 1, ['-c:a', 'pcm_alaw']);

    expect(() => decodeWav(readFileSync(path), path)).toThrow(
      expect.objectContaining({
        code: 'VJ_AUDIO_WAV_UNSUPPORTED_ENCODING',
        fields: expect.objectContaining({ path, formatTag: 6, bitsPerSample: 8 }),
        message: expect.stringMatching(/A-law \(format tag 0x0006\) with 8 bits.*ffmpeg -i/),
      }),
    );
  });

  test('decodeWav rejects MP3 inside WAV written by ffmpeg', async () => {
    const path = await writeWithFfmpeg('mp3-in-wav.wav', 1, ['-c:a', 'libmp3lame', '-b:a', '64k']);

    expect(() => decodeWav(readFileSync(path), path)).toThrow(
      expect.objectContaining({
        code: 'VJ_AUDIO_WAV_UNSUPPORTED_ENCODING',
        message: expect.stringContaining('MPEG Layer 3 (MP3) (format tag 0x0055), but only'),
      }),
    );
  });
});
