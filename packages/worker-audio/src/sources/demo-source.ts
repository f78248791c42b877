/**
 * DemoSource: the generated demo loop as an AudioSource, so the whole chain
 * (analysis, OSC, console) can be tried without a sound card or a file.
 */
import { BlockPacer, type Pace } from './block-pacer';
import { DemoSynth, type ResolvedDemoSynthOptions, resolveDemoSynthOptions } from './demo-synth';
import type { SourceInfo } from './source';
import { SourceBase } from './source-base';
import {
  checkInteger,
  checkOneOf,
  DEFAULT_BLOCK_FRAMES,
  MAX_BLOCK_FRAMES,
  MIN_BLOCK_FRAMES,
} from './source-options';

/** Settings of a DemoSource, all with defaults. */
export interface ResolvedDemoSourceOptions extends ResolvedDemoSynthOptions {
  /** Frames per block, 16–65536. Default 512. */
  blockFrames: number;
  /** 'realtime' (default) delivers blocks at the pace of the audio, and 'fast' as fast as possible, for tests and benchmarks. */
  pace: Pace;
}

/** Options of a DemoSource; each defaults as in ResolvedDemoSourceOptions. */
export type DemoSourceOptions = Partial<ResolvedDemoSourceOptions>;

const PACES: readonly Pace[] = ['realtime', 'fast'];

/**
 * Merges `options` with the defaults, checks them and freezes the result.
 * Throws a VjError with code VJ_AUDIO_SOURCE_INVALID_OPTIONS.
 */
export function resolveDemoSourceOptions(
  options: DemoSourceOptions = {},
): Readonly<ResolvedDemoSourceOptions> {
  const { blockFrames = DEFAULT_BLOCK_FRAMES, pace = 'realtime' } = options;
  return Object.freeze({
    ...resolveDemoSynthOptions(options),
    blockFrames: checkInteger('demo', 'blockFrames', blockFrames, MIN_BLOCK_FRAMES, MAX_BLOCK_FRAMES),
    pace: checkOneOf('demo', 'pace', pace, PACES),
  });
}

/**
 * An AudioSource that plays the demo loop (see DemoSynth) without end. Each
 * `start()` after a `stop()` plays the loop again from its first frame, so the
 * output is the same on every run. The status is `open` while it plays and
 * `no_input` once stopped. The constructor throws
 * VJ_AUDIO_SOURCE_INVALID_OPTIONS.
 *
 * @example
 * const source = new DemoSource({ bpm: 124, channels: 1 });
 * source.on('block', (block) => analyser.push(block));
 * await source.start();
 */
export class DemoSource extends SourceBase {
  readonly kind = 'demo' as const;
  private readonly options: Readonly<ResolvedDemoSourceOptions>;
  private pacer: BlockPacer | undefined;

  constructor(options: DemoSourceOptions = {}) {
    super();
    this.options = resolveDemoSourceOptions(options);
  }

  info(): SourceInfo {
    const { bpm, sampleRate, channels, pace } = this.options;
    return {
      kind: 'demo',
      description: `demo loop ${bpm} BPM (generated test music, not a real input)`,
      sampleRate,
      channels,
      realtime: pace === 'realtime',
    };
  }

  async start(): Promise<void> {
    if (this.pacer !== undefined) return;

    const synth = new DemoSynth(this.options);
    const { sampleRate, channels, blockFrames, pace } = this.options;
    this.pacer = new BlockPacer({
      sampleRate,
      channels,
      blockFrames,
      pace,
      nextBlock: () => synth.render(blockFrames),
      onBlock: (block) => this.emit('block', block),
      // DemoSynth.render never returns null, so the pacer never ends.
      onEnd: () => undefined,
      // Rendering does not throw, so only a block listener that breaks the contract gets here.
      onError: (error) => {
        this.pacer = undefined;
        this.setStatus(
          'no_input',
          `The demo source stopped because a block listener threw (${String(error)}).`,
        );
      },
    });
    this.setStatus('open', `Playing the ${this.info().description}.`);
    this.pacer.start();
  }

  async stop(): Promise<void> {
    this.pacer?.stop();
    this.pacer = undefined;
    if (this.status() === 'open') this.setStatus('no_input', 'The demo source was stopped.');
  }
}
