import { Analyzer } from '../../src/analysis/analyzer';
import { YinPitch } from '../../src/analysis/pitch';
import { analyzeSignal, analyzeWith, sine } from './helpers/run';

const SAMPLE_RATE = 44100;
const HOP_SIZE = 512;

/** Frames that end before `inputLength` samples have arrived, so their pitch window still contains start-up zeros. */
function framesBeforeFull(pitchRangeHz: readonly [number, number]): number {
  return new YinPitch(SAMPLE_RATE, pitchRangeHz).inputLength / HOP_SIZE - 1;
}

describe('pitch window', () => {
  test('tone reads no pitch until the pitch window fills', () => {
    const frames = analyzeSignal(sine(440, 0.5, 0.5, SAMPLE_RATE), 1, { sampleRate: SAMPLE_RATE });
    const partial = framesBeforeFull([50, 2000]);

    expect(partial).toBe(3);
    for (const frame of frames.slice(0, partial)) {
      expect(frame.inputStatus).toBe('signal');
      expect(frame.pitchHz).toBe(0);
      expect(frame.pitchConfidence).toBe(0);
    }
    expect(frames[partial]?.pitchHz).toBeCloseTo(440, 0);
  });

  test('reset empties the pitch window again', () => {
    const analyzer = new Analyzer({ sampleRate: SAMPLE_RATE });
    const tone = sine(440, 0.5, 0.5, SAMPLE_RATE);
    analyzeWith(analyzer, tone, 1);
    analyzer.reset();
    const frames = analyzeWith(analyzer, tone, 1);
    const partial = framesBeforeFull([50, 2000]);

    for (const frame of frames.slice(0, partial)) {
      expect(frame.pitchHz).toBe(0);
      expect(frame.pitchConfidence).toBe(0);
    }
    expect(frames[partial]?.pitchHz).toBeCloseTo(440, 0);
  });

  test('wider pitch range waits for its longer window', () => {
    const analyzer = new Analyzer({ sampleRate: SAMPLE_RATE });
    const tone = sine(440, 0.5, 0.5, SAMPLE_RATE);
    const firstPart = tone.subarray(0, 20 * HOP_SIZE);
    const before = analyzeWith(analyzer, firstPart, 1);
    analyzer.reconfigure({ pitchRangeHz: [30, 2000] });
    const after = analyzeWith(analyzer, tone.subarray(firstPart.length), 1);
    // The longer window keeps the samples of the shorter one and waits for the hops that make up the difference.
    const shorter = new YinPitch(SAMPLE_RATE, [50, 2000]).inputLength;
    const longer = new YinPitch(SAMPLE_RATE, [30, 2000]).inputLength;
    const hopsToFill = (longer - shorter) / HOP_SIZE;

    expect(before.at(-1)?.pitchHz).toBeCloseTo(440, 0);
    expect(hopsToFill).toBe(4);
    for (const frame of after.slice(0, hopsToFill - 1)) {
      expect(frame.pitchHz).toBe(0);
      expect(frame.pitchConfidence).toBe(0);
    }
    expect(after[hopsToFill - 1]?.pitchHz).toBeCloseTo(440, 0);
  });

  test('tone after digital silence reads no false pitch', () => {
    // 0.25 s of tone, 0.5 s of digital silence, then the tone again.
    const tone = sine(440, 0.5, 0.25, SAMPLE_RATE);
    const signal = new Float32Array(SAMPLE_RATE);
    signal.set(tone);
    signal.set(tone, 0.75 * SAMPLE_RATE);
    const frames = analyzeSignal(signal, 1, { sampleRate: SAMPLE_RATE });
    const resumed = frames.findIndex((frame, index) => index > 30 && frame.inputStatus === 'signal');

    expect(resumed).toBeGreaterThan(30);
    for (const frame of frames.slice(resumed)) {
      // Either no pitch or the tone's: never a confident reading of the silence before it.
      if (frame.pitchConfidence > 0) {
        expect(frame.pitchHz).toBeGreaterThan(430);
        expect(frame.pitchHz).toBeLessThan(450);
      }
    }
    expect(frames.at(-1)?.pitchHz).toBeCloseTo(440, 0);
  });
});

describe('pitch rate', () => {
  /** Returns a tone that sweeps exponentially from `fromHz` to `toHz`. */
  function sweep(fromHz: number, toHz: number, seconds: number): Float32Array {
    const samples = new Float32Array(Math.round(seconds * SAMPLE_RATE));
    const rate = Math.log(toHz / fromHz) / seconds;
    for (let n = 0; n < samples.length; n++) {
      const t = n / SAMPLE_RATE;
      samples[n] = 0.5 * Math.sin((2 * Math.PI * fromHz * (Math.exp(rate * t) - 1)) / rate);
    }
    return samples;
  }

  test('sweep updates every second hop', () => {
    const frames = analyzeSignal(sweep(200, 800, 1), 1, { sampleRate: SAMPLE_RATE });
    const first = framesBeforeFull([50, 2000]);
    const voiced = frames.slice(first);
    let changes = 0;
    for (let i = 1; i < voiced.length; i++) {
      const changed = voiced[i]?.pitchHz !== voiced[i - 1]?.pitchHz;
      // Estimates fall on the first full frame and every second frame after it.
      expect(changed).toBe(i % 2 === 0);
      if (changed) changes++;
    }
    expect(changes).toBeGreaterThan(30);
    const last = voiced.at(-1)?.pitchHz as number;
    expect(last).toBeGreaterThan(700);
  });

  test('gated frame reads 0 Hz at once', () => {
    const tone = sine(440, 0.5, 0.3, SAMPLE_RATE);
    const quiet = sine(440, 0.0005, 0.1, SAMPLE_RATE);
    const joined = new Float32Array(tone.length + quiet.length);
    joined.set(tone);
    joined.set(quiet, tone.length);
    const frames = analyzeSignal(joined, 1, { sampleRate: SAMPLE_RATE });
    const gated = frames.findIndex((frame) => frame.inputRmsDbfs < -60 && frame.timeS > 0.3);
    expect(gated).toBeGreaterThan(0);
    expect(frames[gated - 1]?.pitchHz).toBeCloseTo(440, 0);
    expect(frames[gated]?.pitchHz).toBe(0);
    expect(frames[gated]?.pitchConfidence).toBe(0);
  });
});
