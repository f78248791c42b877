/**
 * WavFileReader: reads a WAV file block by block from disk, so a long file
 * plays in real time without being loaded whole.
 */
import { type FileHandle, open } from 'node:fs/promises';
import { fileAccessError } from './file-access';
import type { FrameReader } from './frame-reader';
import { type SampleDecoder, sampleDecoderFor } from './pcm';
import { parseWavHeaderFromFile, type WavFormat, type WavLayout } from './wav-header';

/**
 * A FrameReader over a WAV file. Opening reads only the header, and each
 * `read` then reads the bytes of the frames it returns.
 */
export class WavFileReader implements FrameReader {
  readonly sampleRate: number;
  readonly channels: number;
  /** Encoding declared by the fmt chunk. */
  readonly format: WavFormat;
  /** Frames in the file, after any truncation. */
  readonly frames: number;
  readonly warnings: string[];

  private readonly handle: FileHandle;
  private readonly path: string;
  private readonly dataOffset: number;
  private readonly decode: SampleDecoder;
  // Bytes of the last read, reused while the requested size does not grow.
  private bytes = Buffer.alloc(0);
  private position = 0;
  private closed = false;

  private constructor(handle: FileHandle, path: string, layout: WavLayout, decode: SampleDecoder) {
    this.handle = handle;
    this.path = path;
    this.format = layout.format;
    this.sampleRate = layout.format.sampleRate;
    this.channels = layout.format.channels;
    this.frames = layout.frames;
    this.dataOffset = layout.dataOffset;
    this.warnings = [...layout.warnings];
    this.decode = decode;
  }

  /**
   * Opens the WAV file at `path` and parses its header.
   *
   * Throws a VjError with code VJ_AUDIO_FILE_NOT_FOUND, VJ_AUDIO_FILE_READ_FAILED
   * or one of the VJ_AUDIO_WAV_* codes of `decodeWav`.
   *
   * @example
   * const reader = await WavFileReader.open('set/intro.wav');
   * const first = await reader.read(512);
   */
  static async open(path: string): Promise<WavFileReader> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw fileAccessError(path, error);
    }

    try {
      const { size } = await handle.stat();
      const layout = await parseWavHeaderFromFile(handle, size, path);
      const decode = sampleDecoderFor(layout.format.encoding, layout.format.bitsPerSample / 8);
      // parseWavHeaderFromFile rejects every encoding that has no decoder.
      if (decode === undefined) throw new Error(`No sample decoder for ${layout.format.encoding}`);
      return new WavFileReader(handle, path, layout, decode);
    } catch (error) {
      await handle.close();
      throw fileAccessError(path, error);
    }
  }

  async read(maxFrames: number): Promise<Float32Array | null> {
    const frames = Math.min(maxFrames, this.frames - this.position);
    if (this.closed || frames <= 0) return null;

    const { bytesPerFrame } = this.format;
    const byteCount = frames * bytesPerFrame;
    if (this.bytes.length < byteCount) this.bytes = Buffer.alloc(byteCount);
    let bytesRead: number;
    try {
      ({ bytesRead } = await this.handle.read(
        this.bytes,
        0,
        byteCount,
        this.dataOffset + this.position * bytesPerFrame,
      ));
    } catch (error) {
      throw fileAccessError(this.path, error);
    }

    const framesRead = Math.floor(bytesRead / bytesPerFrame);
    if (framesRead < frames) {
      this.warnings.push(
        `The file became shorter while it was read and ended after frame ${this.position + framesRead} of ${this.frames}.`,
      );
      this.position = this.frames;
    } else {
      this.position += framesRead;
    }
    if (framesRead === 0) return null;

    const samples = new Float32Array(framesRead * this.channels);
    this.decode(this.bytes, 0, samples, 0, samples.length);
    return samples;
  }

  async rewind(): Promise<void> {
    this.position = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}
