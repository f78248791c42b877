/**
 * The contract between audio sources (device, file, stdin, demo) and the
 * analyser. A source delivers interleaved float PCM in blocks and reports
 * its own status; it never throws from an event handler.
 */
import type { EventEmitter } from 'node:events';
import type { VjError } from '@vj/bus';

/** Kind of input, as chosen with the worker's `source` setting. */
export type SourceKind = 'device' | 'file' | 'stdin' | 'demo';

/** A block of captured or decoded audio. */
export interface AudioBlock {
  /** Interleaved samples in -1..1, `frames * channels` long. */
  samples: Float32Array;
  /** Number of interleaved channels. */
  channels: number;
  /** Sample rate in Hz. */
  sampleRate: number;
  /** Samples per channel in this block. */
  frames: number;
  /** Index of the block's first frame since the source started. */
  startFrame: number;
  /** `performance.now()` in milliseconds when the block's last sample was captured or produced. */
  capturedAtMs: number;
}

/** Description of a source's input, for state, telemetry and logs. */
export interface SourceInfo {
  kind: SourceKind;
  /** One line for people: a file path, a device name with its host API, "stdin f32le 48000 Hz 2 ch" or "demo loop 128 BPM". */
  description: string;
  /** Sample rate in Hz of the blocks the source delivers. */
  sampleRate: number;
  /** Channels of the blocks the source delivers. */
  channels: number;
  /** True when blocks arrive at the pace of the audio (device, paced file, demo); false when as fast as possible. */
  realtime: boolean;
  /** The device, for `device` sources. */
  device?: { id: number; name: string; hostApi: string };
}

/**
 * Status of the input as the source observes it. `open` means blocks flow;
 * `no_input` means there is nothing to read (no device, device gone, stdin
 * closed) and the source may be retrying; `ended` means a finite input was
 * read to its end and the source will deliver no more blocks.
 */
export type SourceStatus = 'open' | 'no_input' | 'ended';

/** Events of a source. */
export interface SourceEvents {
  /** A block of audio; handlers run synchronously and must not throw. */
  block: [block: AudioBlock];
  /** The status changed; `reason` gives the cause in one sentence (for example, the device disappeared). */
  status: [status: SourceStatus, reason: string | undefined];
  /** An error the source caught and survived, such as a failed reopen attempt; it keeps running. */
  error: [error: VjError];
}

/** An input of audio blocks. */
export interface AudioSource extends EventEmitter<SourceEvents> {
  readonly kind: SourceKind;
  /** Describes the input; valid once `start` has resolved. */
  info(): SourceInfo;
  /** Current status of the input. */
  status(): SourceStatus;
  /**
   * Opens the input and starts delivering blocks. Rejects with a VjError that
   * names the input and the remedy when it cannot be opened at all (a missing
   * file, an unsupported encoding); a device that is absent is not an error
   * here: the source reports `no_input` and retries.
   */
  start(): Promise<void>;
  /** Stops delivering blocks and releases the input; safe to call twice. */
  stop(): Promise<void>;
}
