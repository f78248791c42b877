/**
 * BlockPacer: pulls blocks from a producer and delivers them either at the
 * pace of the audio, scheduled from a monotonic clock, or as fast as the
 * producer allows while still yielding to the event loop.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { AudioBlock } from './source';

/** Delivery speed of a finite source: at the pace of the audio, or as fast as possible. */
export type Pace = 'realtime' | 'fast';

/** Settings and callbacks of a BlockPacer. */
export interface BlockPacerOptions {
  /** Sample rate in Hz of the produced samples. */
  sampleRate: number;
  channels: number;
  /** Frames per block that the producer returns, except perhaps the last. */
  blockFrames: number;
  pace: Pace;
  /** Returns the next block's interleaved samples, at most `blockFrames` frames, or null at the end. */
  nextBlock: () => Promise<Float32Array | null> | Float32Array | null;
  /** Receives each block. */
  onBlock: (block: AudioBlock) => void;
  /** Called once, after the last block, when `nextBlock` returns null. */
  onEnd: () => void;
  /** Called once when `nextBlock` or `onBlock` throws, and the pacer then stops. */
  onError: (error: unknown) => void;
  /** Monotonic clock in milliseconds (default `performance.now`), replaceable in tests. */
  now?: () => number;
}

/**
 * A realtime pacer that falls this far behind its schedule (a stalled event
 * loop, a suspended laptop) moves its schedule forward instead of delivering
 * the whole backlog at once. Smaller lags are caught up in a burst, as a sound
 * card's buffer would deliver them.
 */
export const MAX_LATE_MS = 500;

/** Blocks delivered in fast mode between two yields to the event loop, so that commands keep being served. */
export const FAST_BLOCKS_PER_YIELD = 8;

/**
 * Delivers blocks from `nextBlock` to `onBlock`. In realtime pace, block n is
 * delivered when the clock reaches the time of its last sample, counted from
 * `start()`, so timer jitter does not accumulate into drift.
 *
 * @example
 * const pacer = new BlockPacer({ sampleRate: 48000, channels: 2, blockFrames: 512, pace: 'realtime',
 *   nextBlock: () => synth.render(512), onBlock, onEnd, onError });
 * pacer.start();
 */
export class BlockPacer {
  private readonly options: BlockPacerOptions;
  private readonly now: () => number;
  private frames = 0;
  // Incremented by start() and stop(), so a loop whose number is stale exits.
  private run = 0;
  private sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;

  constructor(options: BlockPacerOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now());
  }

  /** Frames delivered since the pacer was created. */
  get framesDelivered(): number {
    return this.frames;
  }

  /** Starts delivering. A second call restarts the schedule from now. */
  start(): void {
    this.run += 1;
    this.cancelSleep();
    const run = this.run;
    const loop = this.options.pace === 'realtime' ? this.runRealtime(run) : this.runFast(run);
    loop.catch((error: unknown) => {
      if (this.run !== run) return;
      this.run += 1;
      this.options.onError(error);
    });
  }

  /** Stops delivering, and no callback runs after this returns. */
  stop(): void {
    this.run += 1;
    this.cancelSleep();
  }

  private async runRealtime(run: number): Promise<void> {
    const { sampleRate, blockFrames } = this.options;
    let originMs = this.now() - (this.frames * 1000) / sampleRate;
    while (this.run === run) {
      const dueMs = originMs + ((this.frames + blockFrames) * 1000) / sampleRate;
      const waitMs = dueMs - this.now();
      if (waitMs > 0) await this.sleep(waitMs);
      if (this.run !== run) return;
      const lateMs = this.now() - dueMs;
      if (lateMs > MAX_LATE_MS) originMs += lateMs;

      const samples = await this.options.nextBlock();
      if (this.run !== run) return;
      if (samples === null) {
        this.finish();
        return;
      }
      const frames = samples.length / this.options.channels;
      this.deliver(samples, originMs + ((this.frames + frames) * 1000) / sampleRate);
    }
  }

  private async runFast(run: number): Promise<void> {
    let sinceYield = 0;
    while (this.run === run) {
      const samples = await this.options.nextBlock();
      if (this.run !== run) return;
      if (samples === null) {
        this.finish();
        return;
      }
      this.deliver(samples, this.now());

      sinceYield += 1;
      if (sinceYield === FAST_BLOCKS_PER_YIELD) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
  }

  private deliver(samples: Float32Array, capturedAtMs: number): void {
    const { channels, sampleRate } = this.options;
    const frames = samples.length / channels;
    const block: AudioBlock = {
      samples,
      channels,
      sampleRate,
      frames,
      startFrame: this.frames,
      capturedAtMs,
    };
    this.frames += frames;
    this.options.onBlock(block);
  }

  private finish(): void {
    this.run += 1;
    this.options.onEnd();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        this.sleeping = undefined;
        resolve();
      };
      this.sleeping = { timer: setTimeout(wake, ms), wake };
    });
  }

  private cancelSleep(): void {
    if (this.sleeping === undefined) return;
    clearTimeout(this.sleeping.timer);
    this.sleeping.wake();
  }
}
