/**
 * StdinSource: raw interleaved PCM read from a stream, process.stdin by
 * default, for audio piped in from another program such as
 * `parec --format=float32le` or `ffmpeg -re -i set.mp3 -f f32le -`.
 */
import { performance } from 'node:perf_hooks';
import { VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';
import { type SampleDecoder, sampleDecoderFor } from './pcm';
import type { SourceInfo } from './source';
import { SourceBase } from './source-base';
import {
  checkInteger,
  checkOneOf,
  DEFAULT_BLOCK_FRAMES,
  MAX_BLOCK_FRAMES,
  MIN_BLOCK_FRAMES,
} from './source-options';

/** Sample format of the raw input: 32-bit float or 16-bit signed integer, little-endian. */
export type StdinFormat = 'f32le' | 's16le';

/** Settings of a StdinSource, all with defaults. */
export interface ResolvedStdinSourceOptions {
  /** Sample format of the input. Default 'f32le'. */
  format: StdinFormat;
  /** Sample rate of the input in Hz, 8000–384000. Default 48000. */
  sampleRate: number;
  /** Interleaved channels of the input, 1–32. Default 2. */
  channels: number;
  /** Frames per delivered block, 16–65536. Default 512. */
  blockFrames: number;
  /** Value of `info().realtime`: true when the writer produces audio at its own pace (a capture), false for a decoder writing as fast as it can. Default true. */
  realtime: boolean;
  /** Stream to read. Default process.stdin. */
  stream: NodeJS.ReadableStream;
}

/** Options of a StdinSource; each defaults as in ResolvedStdinSourceOptions. */
export type StdinSourceOptions = Partial<ResolvedStdinSourceOptions>;

const FORMATS: readonly StdinFormat[] = ['f32le', 's16le'];

/**
 * Merges `options` with the defaults, checks them and freezes the result.
 * Throws a VjError with code VJ_AUDIO_SOURCE_INVALID_OPTIONS.
 *
 * @example
 * resolveStdinSourceOptions({ format: 's16le', sampleRate: 44100 }).channels; // 2
 */
export function resolveStdinSourceOptions(
  options: StdinSourceOptions = {},
): Readonly<ResolvedStdinSourceOptions> {
  const { format = 'f32le', sampleRate = 48000, channels = 2, blockFrames = DEFAULT_BLOCK_FRAMES } = options;
  return Object.freeze({
    format: checkOneOf('stdin', 'format', format, FORMATS),
    sampleRate: checkInteger('stdin', 'sampleRate', sampleRate, 8000, 384000),
    channels: checkInteger('stdin', 'channels', channels, 1, 32),
    blockFrames: checkInteger('stdin', 'blockFrames', blockFrames, MIN_BLOCK_FRAMES, MAX_BLOCK_FRAMES),
    realtime: options.realtime ?? true,
    stream: options.stream ?? process.stdin,
  });
}

/**
 * An AudioSource over raw PCM from a stream. Chunks may split a sample or a
 * frame anywhere, because the source reassembles them. It delivers blocks of
 * `blockFrames` frames, and at the end of the input the remaining whole frames,
 * when the status becomes `ended`. A stream error is emitted as `error` with
 * code VJ_AUDIO_STDIN_READ_FAILED and sets `no_input`. Nothing is thrown, and
 * an error after `stop()` is ignored. When the input is a terminal, the status
 * stays `no_input` until data arrives, because nothing has been piped in.
 *
 * @example
 * const source = new StdinSource({ format: 's16le', sampleRate: 44100, channels: 2 });
 * source.on('block', (block) => analyser.push(block));
 * await source.start();
 */
export class StdinSource extends SourceBase {
  readonly kind = 'stdin' as const;
  private readonly options: Readonly<ResolvedStdinSourceOptions>;
  private readonly bytesPerSample: number;
  private readonly decode: SampleDecoder;
  private block: Float32Array;
  // Samples already in `block`, and bytes of a sample split across two chunks.
  private filledSamples = 0;
  private carry = Buffer.alloc(0);
  private deliveredFrames = 0;
  private listening = false;
  private errorListenerAdded = false;

  private readonly onData = (chunk: Buffer | string) =>
    this.consume(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  private readonly onEnd = () => this.finish();
  private readonly onError = (error: Error) => this.fail(error);

  constructor(options: StdinSourceOptions = {}) {
    super();
    this.options = resolveStdinSourceOptions(options);
    this.bytesPerSample = this.options.format === 'f32le' ? 4 : 2;
    const decode = sampleDecoderFor(
      this.options.format === 'f32le' ? 'float' : 'signed',
      this.bytesPerSample,
    );
    if (decode === undefined) throw new Error(`No sample decoder for ${this.options.format}`);
    this.decode = decode;
    this.block = new Float32Array(this.options.blockFrames * this.options.channels);
  }

  info(): SourceInfo {
    const { format, sampleRate, channels, realtime } = this.options;
    return {
      kind: 'stdin',
      description: `stdin ${format} ${sampleRate} Hz ${channels} ch`,
      sampleRate,
      channels,
      realtime,
    };
  }

  async start(): Promise<void> {
    if (this.listening) return;
    this.listening = true;
    const { stream } = this.options;
    stream.on('data', this.onData);
    stream.once('end', this.onEnd);
    // The error listener stays after stop(), because a stream error without a
    // listener would be thrown and crash the worker.
    if (!this.errorListenerAdded) stream.on('error', this.onError);
    this.errorListenerAdded = true;
    stream.resume();

    if ((stream as { isTTY?: boolean }).isTTY) {
      this.setStatus('no_input', 'stdin is a terminal; pipe raw PCM into the worker');
      return;
    }
    this.setStatus('open', `Reading ${this.info().description}.`);
  }

  /** Stops reading and pauses the stream. It does not close the stream, because process.stdin belongs to the process. */
  async stop(): Promise<void> {
    if (!this.listening) return;
    this.detach();
    this.options.stream.pause();
    if (this.status() === 'open') this.setStatus('no_input', 'The stdin source was stopped.');
  }

  private consume(chunk: Buffer): void {
    if (this.status() !== 'open') this.setStatus('open', `Reading ${this.info().description}.`);

    let bytes = chunk;
    if (this.carry.length > 0) {
      bytes = Buffer.concat([this.carry, chunk]);
    }
    const samples = Math.floor(bytes.length / this.bytesPerSample);
    let offset = 0;
    let remaining = samples;
    while (remaining > 0) {
      const count = Math.min(remaining, this.block.length - this.filledSamples);
      this.decode(bytes, offset, this.block, this.filledSamples, count);
      this.filledSamples += count;
      offset += count * this.bytesPerSample;
      remaining -= count;
      if (this.filledSamples === this.block.length) this.deliver(this.block);
    }
    this.carry = Buffer.from(bytes.subarray(offset));
  }

  private deliver(samples: Float32Array): void {
    const { channels, sampleRate } = this.options;
    const frames = samples.length / channels;
    const startFrame = this.deliveredFrames;
    this.deliveredFrames += frames;
    this.block = new Float32Array(this.options.blockFrames * channels);
    this.filledSamples = 0;
    this.emit('block', {
      samples,
      channels,
      sampleRate,
      frames,
      startFrame,
      capturedAtMs: performance.now(),
    });
  }

  private finish(): void {
    this.detach();
    const { channels } = this.options;
    const wholeFrames = Math.floor(this.filledSamples / channels);
    const droppedBytes =
      this.carry.length + (this.filledSamples - wholeFrames * channels) * this.bytesPerSample;
    if (wholeFrames > 0) this.deliver(this.block.slice(0, wholeFrames * channels));

    const dropped =
      droppedBytes > 0 ? ` ${droppedBytes} trailing bytes that did not make a whole frame were dropped.` : '';
    this.setStatus('ended', `stdin reached its end.${dropped}`);
  }

  private fail(cause: Error): void {
    if (!this.listening) return;
    this.detach();
    const error = new VjError(
      AudioErrorCodes.VJ_AUDIO_STDIN_READ_FAILED,
      `Reading raw PCM from stdin failed (${cause.message}); check the program that writes to the worker's stdin and restart the source`,
      { shortMessage: 'Reading stdin failed', cause },
    );
    this.reportError(error);
    this.setStatus('no_input', error.shortMessage);
  }

  private detach(): void {
    this.listening = false;
    const { stream } = this.options;
    stream.off('data', this.onData);
    stream.off('end', this.onEnd);
  }
}
