/**
 * DemoSynth: a deterministic four-bar dance loop for the demo source, for
 * tests and for trying the toolkit without an audio input. Kick on every beat,
 * snare on beats 2 and 4, closed hats on eighth notes, and a low-passed
 * sawtooth bass on the off-beat eighths.
 */

import { checkInteger, checkNumber, checkOneOf } from './source-options';
import type { DecodedAudio } from './wav';

/** Settings of the demo loop, all with defaults. */
export interface ResolvedDemoSynthOptions {
  /** Tempo in beats per minute, 40–300. Default 128. */
  bpm: number;
  /** Sample rate in Hz, 8000–192000. Default 48000. */
  sampleRate: number;
  /** 1 (mono) or 2 (stereo, hats panned apart). Default 2. */
  channels: 1 | 2;
  /** Seed of the noise generator, an integer 0–4294967295; the same seed renders the same samples. Default 1. */
  seed: number;
}

/** Options of the demo loop; each defaults as in ResolvedDemoSynthOptions. */
export type DemoSynthOptions = Partial<ResolvedDemoSynthOptions>;

/**
 * Merges `options` with the defaults, checks them and freezes the result.
 * Throws a VjError with code VJ_AUDIO_SOURCE_INVALID_OPTIONS.
 */
export function resolveDemoSynthOptions(options: DemoSynthOptions = {}): Readonly<ResolvedDemoSynthOptions> {
  const { bpm = 128, sampleRate = 48000, channels = 2, seed = 1 } = options;
  return Object.freeze({
    bpm: checkNumber('demo', 'bpm', bpm, 40, 300),
    sampleRate: checkInteger('demo', 'sampleRate', sampleRate, 8000, 192000),
    channels: checkOneOf('demo', 'channels', channels, [1, 2] as const),
    seed: checkInteger('demo', 'seed', seed, 0, 0xffffffff),
  });
}

/**
 * Renders `seconds` of the demo loop from its start, as {@link DemoSynth}
 * renders it block by block, for offline analysis and tests.
 *
 * @example
 * const { samples, sampleRate } = renderDemo(10, { bpm: 120, channels: 1 });
 */
export function renderDemo(seconds: number, options: DemoSynthOptions = {}): DecodedAudio {
  const synth = new DemoSynth(options);
  const { sampleRate, channels } = synth.options;
  const frames = Math.round(checkNumber('demo', 'seconds', seconds, 0, 3600) * sampleRate);
  return { sampleRate, channels, samples: synth.render(frames), frames, warnings: [] };
}

// Bass notes in Hz, one per beat over the four bars: A1, F1, C2, G1.
const BASS_NOTES_HZ = [
  55, 55, 55, 55, 43.65, 43.65, 43.65, 43.65, 65.41, 65.41, 65.41, 65.41, 49, 49, 49, 49,
];
const KICK_LEVEL = 0.9;
const KICK_DECAY_S = 0.12;
const KICK_END_HZ = 45;
const KICK_SWEEP_HZ = 110;
const KICK_SWEEP_S = 0.04;
const SNARE_NOISE_LEVEL = 0.3;
const SNARE_NOISE_DECAY_S = 0.06;
const SNARE_TONE_HZ = 190;
const SNARE_TONE_LEVEL = 0.25;
const SNARE_TONE_DECAY_S = 0.05;
const HAT_LEVEL = 0.12;
const HAT_DECAY_S = 0.025;
const HAT_CUTOFF_HZ = 7000;
const BASS_LEVEL = 0.25;
const BASS_DECAY_S = 0.12;
// A 5 ms attack, because a gate that opens at once clicks across the spectrum.
const BASS_ATTACK_S = 0.005;
const BASS_CUTOFF_HZ = 300;
// Headroom so that a kick, a snare, a panned hat and the bass at their peaks
// (0.9 + 0.55 + 0.16 + 0.25 = 1.86) stay below full scale.
const MASTER_GAIN = 0.5;

/**
 * The demo loop's generator. Each sample is a function of its frame index and
 * of the generator's state (noise, filters, bass phase), which advances the
 * same way whatever the block sizes, so two synths with the same options
 * render the same samples.
 *
 * @example
 * const synth = new DemoSynth({ bpm: 128 });
 * const block = synth.render(512); // 512 stereo frames, interleaved
 */
export class DemoSynth {
  readonly options: Readonly<ResolvedDemoSynthOptions>;
  private frame = 0;
  private noiseState: number;
  private hatInput = 0;
  private hatOutput = 0;
  private bassPhase = 0;
  private bassLow1 = 0;
  private bassLow2 = 0;
  private readonly beatsPerSecond: number;
  private readonly hatCoefficient: number;
  private readonly bassCoefficient: number;

  constructor(options: DemoSynthOptions = {}) {
    this.options = resolveDemoSynthOptions(options);
    const { bpm, sampleRate, seed } = this.options;
    this.beatsPerSecond = bpm / 60;
    // xorshift32 has a fixed point at 0, so seed 0 is replaced.
    this.noiseState = seed === 0 ? 0x9e3779b9 : seed;
    // One-pole high-pass and low-pass coefficients with RC = 1 / (2 pi fc). The
    // hat cutoff stays below Nyquist at low sample rates.
    const dt = 1 / sampleRate;
    const hatRc = 1 / (2 * Math.PI * Math.min(HAT_CUTOFF_HZ, 0.35 * sampleRate));
    this.hatCoefficient = hatRc / (hatRc + dt);
    const bassRc = 1 / (2 * Math.PI * BASS_CUTOFF_HZ);
    this.bassCoefficient = dt / (bassRc + dt);
  }

  /** Frames rendered so far. */
  get framesRendered(): number {
    return this.frame;
  }

  /** Renders the next `frames` frames as interleaved samples in a new array. */
  render(frames: number): Float32Array {
    const { channels, sampleRate } = this.options;
    const out = new Float32Array(frames * channels);
    for (let i = 0; i < frames; i++) {
      const timeS = (this.frame + i) / sampleRate;
      const beatPosition = timeS * this.beatsPerSecond;
      const beat = Math.floor(beatPosition);
      const sinceBeatS = (beatPosition - beat) / this.beatsPerSecond;
      const eighthPosition = beatPosition * 2;
      const eighth = Math.floor(eighthPosition);
      const sinceEighthS = (eighthPosition - eighth) / (2 * this.beatsPerSecond);

      const drums = kick(sinceBeatS) + this.snare(beat, sinceBeatS);
      const bass = this.bass(beat, eighth, sinceEighthS, sampleRate);
      const hat = this.hat(sinceEighthS);
      if (channels === 1) {
        out[i] = clamp(MASTER_GAIN * (drums + bass + hat));
      } else {
        out[2 * i] = clamp(MASTER_GAIN * (drums + bass + 0.7 * hat));
        out[2 * i + 1] = clamp(MASTER_GAIN * (drums + bass + 1.3 * hat));
      }
    }
    this.frame += frames;
    return out;
  }

  // Snare on beats 2 and 4 of each bar (beat indices 1 and 3). The noise draw
  // happens on every sample, so the generator's sequence does not depend on
  // where the snares fall.
  private snare(beat: number, sinceBeatS: number): number {
    const noise = this.nextNoise();
    if (beat % 2 === 0) return 0;
    const noisePart = SNARE_NOISE_LEVEL * noise * Math.exp(-sinceBeatS / SNARE_NOISE_DECAY_S);
    const tone =
      Math.sin(2 * Math.PI * SNARE_TONE_HZ * sinceBeatS) * Math.exp(-sinceBeatS / SNARE_TONE_DECAY_S);
    return noisePart + SNARE_TONE_LEVEL * tone;
  }

  private hat(sinceEighthS: number): number {
    const noise = this.nextNoise();
    this.hatOutput = this.hatCoefficient * (this.hatOutput + noise - this.hatInput);
    this.hatInput = noise;
    return HAT_LEVEL * this.hatOutput * Math.exp(-sinceEighthS / HAT_DECAY_S);
  }

  // Sawtooth on the off-beat eighths, through two one-pole low-passes.
  private bass(beat: number, eighth: number, sinceEighthS: number, sampleRate: number): number {
    const noteHz = BASS_NOTES_HZ[beat % BASS_NOTES_HZ.length] as number;
    this.bassPhase += noteHz / sampleRate;
    this.bassPhase -= Math.floor(this.bassPhase);
    const attack = sinceEighthS < BASS_ATTACK_S ? sinceEighthS / BASS_ATTACK_S : 1;
    const gate = eighth % 2 === 1 ? attack * Math.exp(-sinceEighthS / BASS_DECAY_S) : 0;
    const saw = 2 * this.bassPhase - 1;
    this.bassLow1 += this.bassCoefficient * (saw * gate - this.bassLow1);
    this.bassLow2 += this.bassCoefficient * (this.bassLow1 - this.bassLow2);
    return BASS_LEVEL * this.bassLow2;
  }

  // White noise in -1..1 from a 32-bit xorshift generator with shifts 13, 17 and 5.
  private nextNoise(): number {
    let x = this.noiseState;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.noiseState = x >>> 0;
    return this.noiseState / 2147483648 - 1;
  }
}

// A sine whose frequency falls from KICK_END_HZ + KICK_SWEEP_HZ to KICK_END_HZ;
// the phase is the integral of that frequency, so the sweep has no jumps.
function kick(sinceBeatS: number): number {
  const sweep = Math.exp(-sinceBeatS / KICK_SWEEP_S);
  const phase = 2 * Math.PI * (KICK_END_HZ * sinceBeatS + KICK_SWEEP_HZ * KICK_SWEEP_S * (1 - sweep));
  return KICK_LEVEL * Math.exp(-sinceBeatS / KICK_DECAY_S) * Math.sin(phase);
}

function clamp(value: number): number {
  return Math.min(1, Math.max(-1, value));
}
