/**
 * FfmpegReader: a FrameReader over any file that FFmpeg decodes, reading raw
 * f32le from ffmpeg's stdout. The reader pauses the pipe when it holds enough
 * audio, and ffmpeg then blocks on its full pipe, so a paced reader keeps
 * about a second of audio in memory however long the file is.
 */
import {
  type AudioStreamInfo,
  describeExit,
  type FfmpegOptions,
  type FfmpegProcess,
  ffmpegFailed,
  probeAudioStream,
  startFfmpeg,
} from './ffmpeg';
import type { FrameReader } from './frame-reader';

const BYTES_PER_SAMPLE = 4;
// Bytes of decoded audio held before the pipe is paused: 256 KiB is about 0.7 s
// of stereo 48 kHz f32le, several blocks ahead of a paced reader.
const MAX_BUFFERED_BYTES = 256 * 1024;

/** A FrameReader that decodes a file with an ffmpeg child process. */
export class FfmpegReader implements FrameReader {
  readonly sampleRate: number;
  readonly channels: number;
  readonly warnings: string[] = [];
  /** The audio stream that ffprobe found. */
  readonly stream: AudioStreamInfo;

  private readonly path: string;
  private readonly ffmpegOptions: FfmpegOptions;
  private decoder: FfmpegProcess;
  private chunks: Buffer[] = [];
  private bufferedBytes = 0;
  private outputEnded = false;
  private wake: (() => void) | undefined;
  private closed = false;

  private constructor(
    path: string,
    ffmpegOptions: FfmpegOptions,
    stream: AudioStreamInfo,
    decoder: FfmpegProcess,
  ) {
    this.path = path;
    this.ffmpegOptions = ffmpegOptions;
    this.stream = stream;
    this.sampleRate = stream.sampleRate;
    this.channels = stream.channels;
    this.decoder = decoder;
    this.listen(decoder);
  }

  /**
   * Probes the file at `path` with ffprobe and starts ffmpeg on it.
   *
   * Throws a VjError with code VJ_AUDIO_FFMPEG_NOT_FOUND, VJ_AUDIO_FFMPEG_FAILED
   * or VJ_AUDIO_FFMPEG_NO_AUDIO_STREAM.
   *
   * @example
   * const reader = await FfmpegReader.open('set/track.mp3');
   */
  static async open(path: string, ffmpegOptions: FfmpegOptions = {}): Promise<FfmpegReader> {
    const stream = await probeAudioStream(path, ffmpegOptions);
    const decoder = await startFfmpeg(path, stream, ffmpegOptions);
    return new FfmpegReader(path, ffmpegOptions, stream, decoder);
  }

  /**
   * Reads the next frames from ffmpeg. Rejects with VJ_AUDIO_FFMPEG_FAILED,
   * quoting ffmpeg's message, when ffmpeg exits with an error.
   */
  async read(maxFrames: number): Promise<Float32Array | null> {
    const bytesPerFrame = this.channels * BYTES_PER_SAMPLE;
    const wantedBytes = maxFrames * bytesPerFrame;
    while (!this.closed && this.bufferedBytes < wantedBytes && !this.outputEnded) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (this.closed) return null;

    const frames = Math.floor(Math.min(wantedBytes, this.bufferedBytes) / bytesPerFrame);
    if (frames === 0) {
      await this.checkExit();
      return null;
    }
    const bytes = this.take(frames * bytesPerFrame);
    const samples = new Float32Array(frames * this.channels);
    for (let i = 0; i < samples.length; i++) samples[i] = bytes.readFloatLE(BYTES_PER_SAMPLE * i);
    return samples;
  }

  /** Stops the running ffmpeg and starts a new one from the beginning of the file. */
  async rewind(): Promise<void> {
    await this.stopDecoder();
    this.decoder = await startFfmpeg(this.path, this.stream, this.ffmpegOptions);
    this.listen(this.decoder);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wakeReader();
    await this.stopDecoder();
  }

  private listen(decoder: FfmpegProcess): void {
    this.chunks = [];
    this.bufferedBytes = 0;
    this.outputEnded = false;
    const { stdout } = decoder.child;
    stdout.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.bufferedBytes += chunk.length;
      if (this.bufferedBytes >= MAX_BUFFERED_BYTES) stdout.pause();
      this.wakeReader();
    });
    // 'close' also covers a pipe destroyed by an error, which emits no 'end'.
    stdout.once('close', () => {
      if (this.decoder !== decoder) return;
      this.outputEnded = true;
      this.wakeReader();
    });
  }

  // Removes `byteCount` bytes, at most bufferedBytes, from the front of the
  // buffered chunks, copying only those bytes.
  private take(byteCount: number): Buffer {
    const bytes = Buffer.allocUnsafe(byteCount);
    let filled = 0;
    while (filled < byteCount) {
      const head = this.chunks[0] as Buffer;
      const count = Math.min(head.length, byteCount - filled);
      head.copy(bytes, filled, 0, count);
      if (count === head.length) this.chunks.shift();
      else this.chunks[0] = head.subarray(count);
      filled += count;
    }
    this.bufferedBytes -= byteCount;

    const { stdout } = this.decoder.child;
    if (stdout.isPaused() && this.bufferedBytes < MAX_BUFFERED_BYTES / 2) stdout.resume();
    return bytes;
  }

  private wakeReader(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async checkExit(): Promise<void> {
    const { code, signal } = await this.decoder.exited;
    if (code === 0 || this.closed) return;
    throw ffmpegFailed('ffmpeg', this.path, describeExit(code, signal), this.decoder.stderrText());
  }

  private async stopDecoder(): Promise<void> {
    const { child, exited } = this.decoder;
    if (child.exitCode === null && child.signalCode === null) {
      child.stdout.destroy();
      child.kill('SIGTERM');
    }
    await exited;
    const stderr = this.decoder.stderrText();
    const warning = `ffmpeg reported: ${stderr}`;
    if (stderr !== '' && !this.warnings.includes(warning)) this.warnings.push(warning);
  }
}
