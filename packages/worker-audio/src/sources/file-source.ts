/**
 * FileSource: plays an audio file as a source, at the pace of the audio or as
 * fast as possible, once or in a loop.
 */
import { VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';
import { openAudioFileReader } from './audio-file';
import { BlockPacer, type Pace } from './block-pacer';
import type { FrameReader } from './frame-reader';
import type { SourceInfo } from './source';
import { SourceBase } from './source-base';
import {
  checkInteger,
  checkOneOf,
  DEFAULT_BLOCK_FRAMES,
  invalidOption,
  MAX_BLOCK_FRAMES,
  MIN_BLOCK_FRAMES,
} from './source-options';

/** Settings of a FileSource, all with defaults. */
export interface ResolvedFileSourceOptions {
  /** Path of the audio file: WAV natively, any other format through ffmpeg. */
  path: string;
  /** 'realtime' delivers each block when its audio would have played; 'fast' decodes as fast as possible. Default 'realtime'. */
  pace: Pace;
  /** Starts again from the beginning at the end of the file instead of ending. Default false. */
  loop: boolean;
  /** Frames per block, 16–65536. Default 512. */
  blockFrames: number;
  /** Path or name of ffmpeg. Default "ffmpeg" on PATH. */
  ffmpegPath: string;
  /** Path or name of ffprobe. Default "ffprobe" on PATH. */
  ffprobePath: string;
  /** Environment of the ffmpeg children, whose PATH finds ffmpeg and ffprobe. Default process.env. */
  env: NodeJS.ProcessEnv;
}

/** Options of a FileSource: `path` is required, the others default as in ResolvedFileSourceOptions. */
export type FileSourceOptions = Pick<ResolvedFileSourceOptions, 'path'> &
  Partial<Omit<ResolvedFileSourceOptions, 'path'>>;

const PACES: readonly Pace[] = ['realtime', 'fast'];

/**
 * Merges `options` with the defaults, checks them and freezes the result.
 * Throws a VjError with code VJ_AUDIO_SOURCE_INVALID_OPTIONS.
 *
 * @example
 * resolveFileSourceOptions({ path: 'loop.wav', loop: true }).blockFrames; // 512
 */
export function resolveFileSourceOptions(options: FileSourceOptions): Readonly<ResolvedFileSourceOptions> {
  const { path, pace = 'realtime', loop = false, blockFrames = DEFAULT_BLOCK_FRAMES } = options;
  const { ffmpegPath = 'ffmpeg', ffprobePath = 'ffprobe', env = process.env } = options;
  if (typeof path !== 'string' || path === '')
    throw invalidOption('file', 'path', 'a non-empty file path', path);
  if (typeof loop !== 'boolean') throw invalidOption('file', 'loop', 'true or false', loop);
  return Object.freeze({
    path,
    pace: checkOneOf('file', 'pace', pace, PACES),
    loop,
    blockFrames: checkInteger('file', 'blockFrames', blockFrames, MIN_BLOCK_FRAMES, MAX_BLOCK_FRAMES),
    ffmpegPath,
    ffprobePath,
    env,
  });
}

/**
 * An AudioSource that plays a file. `start()` opens and decodes the first
 * block, so it rejects when the file cannot be played at all. At the end of
 * the file the status becomes `ended`, unless `loop` is set. A read error in
 * the middle of the file is emitted as `error` and sets the status to
 * `no_input`. `stop()` of a playing source also sets `no_input`, because the
 * source may be started again.
 *
 * `start()` rejects with VJ_AUDIO_FILE_NOT_FOUND, VJ_AUDIO_FILE_READ_FAILED, a
 * VJ_AUDIO_WAV_* code for a bad WAV file or a VJ_AUDIO_FFMPEG_* code for other
 * files. The constructor throws VJ_AUDIO_SOURCE_INVALID_OPTIONS.
 *
 * @example
 * const source = new FileSource({ path: 'set/track.flac', loop: true });
 * source.on('block', (block) => analyser.push(block));
 * await source.start();
 */
export class FileSource extends SourceBase {
  readonly kind = 'file' as const;
  private readonly options: Readonly<ResolvedFileSourceOptions>;
  private reader: FrameReader | undefined;
  private pacer: BlockPacer | undefined;
  private firstBlock: Float32Array | null = null;
  // Incremented by start() and stop(), so that a start() still opening the file notices a stop().
  private generation = 0;

  constructor(options: FileSourceOptions) {
    super();
    this.options = resolveFileSourceOptions(options);
  }

  /** Describes the file. The rate and channels are 0 until `start()` has resolved. */
  info(): SourceInfo {
    const { path, pace, loop } = this.options;
    const manner = `${pace === 'realtime' ? 'real time' : 'fast'}${loop ? ', looping' : ''}`;
    return {
      kind: 'file',
      description: `file ${path} (${manner})`,
      sampleRate: this.reader?.sampleRate ?? 0,
      channels: this.reader?.channels ?? 0,
      realtime: pace === 'realtime',
    };
  }

  /** Problems found in the file that did not stop playback, such as a truncated data chunk. */
  warnings(): readonly string[] {
    return this.reader?.warnings ?? [];
  }

  async start(): Promise<void> {
    if (this.pacer !== undefined) return;
    this.generation += 1;
    const generation = this.generation;

    const { path, blockFrames, ffmpegPath, ffprobePath, env } = this.options;
    const reader = await openAudioFileReader(path, { ffmpegPath, ffprobePath, env });
    let firstBlock: Float32Array | null;
    try {
      firstBlock = await reader.read(blockFrames);
    } catch (error) {
      await reader.close();
      throw error;
    }
    if (generation !== this.generation) {
      await reader.close();
      return;
    }

    this.reader = reader;
    this.firstBlock = firstBlock;
    this.pacer = new BlockPacer({
      sampleRate: reader.sampleRate,
      channels: reader.channels,
      blockFrames,
      pace: this.options.pace,
      nextBlock: () => this.nextBlock(reader),
      onBlock: (block) => this.emit('block', block),
      onEnd: () => this.finish(generation, 'ended', `Audio file "${path}" was played to its end.`),
      onError: (error) => this.fail(generation, error),
    });
    this.setStatus('open', `Audio file "${path}" was opened.`);
    this.pacer.start();
  }

  async stop(): Promise<void> {
    this.generation += 1;
    await this.release();
    if (this.status() === 'open') this.setStatus('no_input', 'The file source was stopped.');
  }

  private async nextBlock(reader: FrameReader): Promise<Float32Array | null> {
    if (this.firstBlock !== null) {
      const block = this.firstBlock;
      this.firstBlock = null;
      return block;
    }

    const samples = await reader.read(this.options.blockFrames);
    if (samples !== null || !this.options.loop) return samples;
    await reader.rewind();
    // A file without frames reads null again here, so it ends instead of looping forever.
    return reader.read(this.options.blockFrames);
  }

  private async finish(generation: number, status: 'ended' | 'no_input', reason: string): Promise<void> {
    if (generation !== this.generation) return;
    this.generation += 1;
    this.setStatus(status, reason);
    await this.release();
  }

  private fail(generation: number, error: unknown): void {
    const vjError = toVjError(error, this.options.path);
    this.reportError(vjError);
    void this.finish(generation, 'no_input', vjError.shortMessage);
  }

  private async release(): Promise<void> {
    this.pacer?.stop();
    this.pacer = undefined;
    this.firstBlock = null;
    await this.reader?.close();
  }
}

function toVjError(error: unknown, path: string): VjError {
  if (error instanceof VjError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_FILE_READ_FAILED,
    `Audio file "${path}" failed during playback (${reason}); check the file and restart the source`,
    { path, shortMessage: `Audio file "${path}" failed during playback`, cause: error },
  );
}
