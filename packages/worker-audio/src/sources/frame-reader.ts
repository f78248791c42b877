/**
 * FrameReader: the pull interface that the file source paces. The WAV file
 * reader and the ffmpeg reader implement it.
 */

/** A finite input of interleaved float frames, read in order. */
export interface FrameReader {
  /** Sample rate in Hz. */
  readonly sampleRate: number;
  readonly channels: number;
  /** Problems met so far that did not stop reading, one sentence each. */
  readonly warnings: readonly string[];
  /**
   * Reads the next frames, at most `maxFrames`, as interleaved samples in
   * -1..1 in a new array that the caller may keep. Resolves to null at the end
   * of the input and rejects with a VjError when reading fails.
   */
  read(maxFrames: number): Promise<Float32Array | null>;
  /** Starts again from the first frame, for looping. */
  rewind(): Promise<void>;
  /** Releases the file or the child process. A second call does nothing. */
  close(): Promise<void>;
}
