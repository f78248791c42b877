import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, removeDir, requireTool } from '@vj/test-support';
import { openAudioFileReader, readAudioFile } from '../../src/sources/audio-file';
import { FfmpegReader } from '../../src/sources/ffmpeg-reader';
import { WavFileReader } from '../../src/sources/wav-file-reader';
import { channelOf, concatSamples, run, zeroCrossingHz } from './audio-test-helpers';

const hasTools = requireTool('sox') && requireTool('ffmpeg') && requireTool('ffprobe', 'ffmpeg');
const describeWithFfmpeg = hasTools ? describe : describe.skip;

const DURATION_S = 2;
const SAMPLE_RATE = 44100;

interface EncodedCase {
  extension: string;
  codecOptions: string[];
  /** Lossy encoders add or trim padding at the ends, so the duration may differ by this much. */
  durationToleranceS: number;
}

const ENCODED_CASES: EncodedCase[] = [
  { extension: 'flac', codecOptions: [], durationToleranceS: 0.001 },
  { extension: 'ogg', codecOptions: ['-c:a', 'libvorbis', '-q:a', '5'], durationToleranceS: 0.06 },
  { extension: 'mp3', codecOptions: ['-c:a', 'libmp3lame', '-b:a', '192k'], durationToleranceS: 0.06 },
];

describeWithFfmpeg('readAudioFile through ffmpeg', () => {
  let dir: string;
  let sinePath: string;
  beforeAll(async () => {
    dir = await makeTempDir('vj-audio-file-');
    sinePath = join(dir, 'sine.wav');
    // 440 Hz on the left, 1000 Hz on the right, so a swapped channel order shows.
    await run('sox', [
      '-D',
      '-n',
      '-r',
      String(SAMPLE_RATE),
      '-c',
      '2',
      '-b',
      '16',
      sinePath,
      'synth',
      String(DURATION_S),
      'sine',
      '440',
      'sine',
      '1000',
      'vol',
      '0.5',
    ]);
    for (const { extension, codecOptions } of ENCODED_CASES) {
      await run('ffmpeg', [
        '-v',
        'error',
        '-y',
        '-i',
        sinePath,
        ...codecOptions,
        join(dir, `sine.${extension}`),
      ]);
    }
  });
  afterAll(() => removeDir(dir));

  test.each(ENCODED_CASES)(
    'readAudioFile decodes .$extension with frequency, channels and duration',
    async (encoded) => {
      const decoded = await readAudioFile(join(dir, `sine.${encoded.extension}`));

      expect(decoded.sampleRate).toBe(SAMPLE_RATE);
      expect(decoded.channels).toBe(2);
      expect(Math.abs(decoded.frames / SAMPLE_RATE - DURATION_S)).toBeLessThanOrEqual(
        encoded.durationToleranceS,
      );
      expect(zeroCrossingHz(channelOf(decoded.samples, 2, 0), SAMPLE_RATE)).toBeCloseTo(440, 0);
      expect(zeroCrossingHz(channelOf(decoded.samples, 2, 1), SAMPLE_RATE)).toBeCloseTo(1000, 0);
    },
  );

  test.each(ENCODED_CASES)(
    'FfmpegReader reads .$extension block by block like readAudioFile',
    async (encoded) => {
      const path = join(dir, `sine.${encoded.extension}`);
      const whole = await readAudioFile(path);

      const reader = await openAudioFileReader(path);
      const blocks: Float32Array[] = [];
      try {
        for (let block = await reader.read(512); block !== null; block = await reader.read(512))
          blocks.push(block);
      } finally {
        await reader.close();
      }

      expect(reader).toBeInstanceOf(FfmpegReader);
      expect(blocks.slice(0, -1).every((block) => block.length === 1024)).toBe(true);
      expect(concatSamples(blocks)).toEqual(whole.samples);
    },
  );

  test('FfmpegReader rewinds by restarting ffmpeg', async () => {
    const reader = await FfmpegReader.open(join(dir, 'sine.flac'));
    try {
      const first = await reader.read(1024);
      await reader.read(20_000);
      await reader.rewind();

      expect(await reader.read(1024)).toEqual(first);
    } finally {
      await reader.close();
    }
  });

  test('openAudioFileReader reads a RIFF/WAVE file natively whatever its extension', async () => {
    const path = join(dir, 'sine.audio');
    await run('cp', [sinePath, path]);

    const reader = await openAudioFileReader(path);
    await reader.close();

    expect(reader).toBeInstanceOf(WavFileReader);
  });

  test('readAudioFile passes an RF64 file to ffmpeg', async () => {
    const path = join(dir, 'rf64.wav');
    await run('ffmpeg', ['-v', 'error', '-y', '-i', sinePath, '-c:a', 'pcm_s16le', '-rf64', 'always', path]);

    const decoded = await readAudioFile(path);

    expect(decoded.frames).toBe(SAMPLE_RATE * DURATION_S);
    expect(zeroCrossingHz(channelOf(decoded.samples, 2, 1), SAMPLE_RATE)).toBeCloseTo(1000, 0);
  });

  test('readAudioFile rejects a file that ffmpeg cannot read with its message', async () => {
    const path = join(dir, 'noise.mp3');
    await writeFile(path, Buffer.from('this is not audio at all, just text that pretends to be an mp3 file'));

    const reading = readAudioFile(path);

    // ffprobe's own last line names the file ("file:…/noise.mp3: Invalid argument" with FFmpeg 5.1).
    await expect(reading).rejects.toMatchObject({
      code: 'VJ_AUDIO_FFMPEG_FAILED',
      message: expect.stringMatching(
        /^ffprobe failed on audio file ".*noise\.mp3" \(exit code 1\) with ".*noise\.mp3: .+"/,
      ),
      fields: expect.objectContaining({ program: 'ffprobe', stderr: expect.stringContaining('noise.mp3') }),
    });
  });

  test('readAudioFile rejects an image with VJ_AUDIO_FFMPEG_NO_AUDIO_STREAM', async () => {
    const path = join(dir, 'still.png');
    await run('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=16x16',
      '-frames:v',
      '1',
      path,
    ]);

    await expect(readAudioFile(path)).rejects.toMatchObject({
      code: 'VJ_AUDIO_FFMPEG_NO_AUDIO_STREAM',
      message: expect.stringContaining('still.png'),
    });
  });

  test('readAudioFile names ffprobe and how to install it when PATH has no FFmpeg', async () => {
    const emptyBin = join(dir, 'empty-bin');
    await mkdir(emptyBin, { recursive: true });

    const reading = readAudioFile(join(dir, 'sine.flac'), { env: { ...process.env, PATH: emptyBin } });

    await expect(reading).rejects.toMatchObject({
      code: 'VJ_AUDIO_FFMPEG_NOT_FOUND',
      message: expect.stringMatching(/^ffprobe was not found on PATH.*install FFmpeg \(apt install ffmpeg/),
    });
  });

  test('readAudioFile names ffmpeg at a configured path that does not exist', async () => {
    const ffmpegPath = join(dir, 'no-such-ffmpeg');

    await expect(readAudioFile(join(dir, 'sine.ogg'), { ffmpegPath })).rejects.toMatchObject({
      code: 'VJ_AUDIO_FFMPEG_NOT_FOUND',
      message: expect.stringContaining(`ffmpeg was not found at "${ffmpegPath}"`),
    });
  });

  test('readAudioFile rejects a missing file with VJ_AUDIO_FILE_NOT_FOUND', async () => {
    const path = join(dir, 'missing.flac');

    await expect(readAudioFile(path)).rejects.toMatchObject({
      code: 'VJ_AUDIO_FILE_NOT_FOUND',
      message: expect.stringContaining(path),
    });
  });

  test('readAudioFile rejects a folder with VJ_AUDIO_FILE_READ_FAILED', async () => {
    await expect(readAudioFile(dir)).rejects.toMatchObject({
      code: 'VJ_AUDIO_FILE_READ_FAILED',
      message: expect.stringContaining('is a folder or a device'),
    });
  });
});
