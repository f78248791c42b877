import { DEFAULT_ANALYSIS_CONFIG } from '../../src/analysis/config';
import type { FrameFeatures } from '../../src/analysis/types';
import { analyzeSignal, sine, whiteNoise } from './helpers/run';

const SAMPLE_RATE = 44100;

/** Returns `seconds` of decaying noise bursts (clicks) every 60/`bpm` seconds, starting at `startS`. */
function clickTrain(
  bpm: number,
  seconds: number,
  startS = 0.25,
): { samples: Float32Array; clicksS: number[] } {
  const samples = new Float32Array(Math.round(seconds * SAMPLE_RATE));
  const noise = whiteNoise(0.5, 0.03, SAMPLE_RATE, 7);
  const clicksS: number[] = [];
  for (let timeS = startS; timeS < seconds - 0.05; timeS += 60 / bpm) {
    const start = Math.round(timeS * SAMPLE_RATE);
    for (let n = 0; n < noise.length; n++) {
      samples[start + n] = (noise[n] as number) * Math.exp(-n / (0.005 * SAMPLE_RATE));
    }
    clicksS.push(timeS);
  }
  return { samples, clicksS };
}

describe('onset detection', () => {
  test('click train gives one onset per click', () => {
    const { samples, clicksS } = clickTrain(120, 10);
    const frames = analyzeSignal(samples, 1, { sampleRate: SAMPLE_RATE });
    const onsetsS = frames.filter((frame) => frame.isOnset).map((frame) => frame.timeS);
    expect(onsetsS).toHaveLength(clicksS.length);
    onsetsS.forEach((onsetS, index) => {
      // The onset is flagged on the frame whose last hop contains the click, so it lags by at most one hop.
      expect(onsetS - (clicksS[index] as number)).toBeGreaterThanOrEqual(0);
      expect(onsetS - (clicksS[index] as number)).toBeLessThan(0.03);
    });
  });

  test('onsets without tempo tracking', () => {
    const { samples, clicksS } = clickTrain(120, 6);
    const features = { ...DEFAULT_ANALYSIS_CONFIG.features, bpm: false };
    const frames = analyzeSignal(samples, 1, { sampleRate: SAMPLE_RATE, features });
    expect(frames.filter((frame) => frame.isOnset)).toHaveLength(clicksS.length);
    expect(Math.max(...frames.map((frame) => frame.flux))).toBeGreaterThan(0.5);
    expect(frames.every((frame) => frame.bpm === 0 && !frame.isBeat)).toBe(true);
  });

  test('flux stays in 0–1 and peaks on the clicks', () => {
    const frames = analyzeSignal(clickTrain(120, 4).samples, 1, { sampleRate: SAMPLE_RATE });
    for (const frame of frames) {
      expect(frame.flux).toBeGreaterThanOrEqual(0);
      expect(frame.flux).toBeLessThanOrEqual(1);
    }
    const onsetIndexes = frames.flatMap((frame, index) => (frame.isOnset ? [index] : []));
    expect(onsetIndexes.length).toBeGreaterThan(5);
    for (const index of onsetIndexes) {
      // A click reaches the window in the onset frame and fills it in the next one.
      const nearby = frames.slice(index, index + 3).map((frame) => frame.flux);
      expect(Math.max(...nearby)).toBeGreaterThan(0.5);
      const between = frames.slice(index + 10, index + 30).map((frame) => frame.flux);
      expect(Math.max(...between)).toBeLessThan(0.1);
    }
  });

  test('steady tone gives no onsets after its start', () => {
    const frames = analyzeSignal(sine(440, 0.5, 5, SAMPLE_RATE), 1, { sampleRate: SAMPLE_RATE });
    expect(frames.slice(5).filter((frame) => frame.isOnset)).toHaveLength(0);
  });
});

describe('tempo estimate', () => {
  test.each([90, 120, 150])('click train at %i BPM reads its tempo', (bpm) => {
    const frames = analyzeSignal(clickTrain(bpm, 12).samples, 1, { sampleRate: SAMPLE_RATE });
    const last = frames[frames.length - 1];
    expect(Math.abs((last?.bpm as number) / bpm - 1)).toBeLessThan(0.02);
    expect(last?.bpmConfidence).toBeGreaterThan(0.7);
  });

  test('tempo reads 0 before enough audio has been heard', () => {
    const frames = analyzeSignal(clickTrain(120, 1).samples, 1, { sampleRate: SAMPLE_RATE });
    expect(frames[frames.length - 1]?.bpm).toBe(0);
    expect(frames[frames.length - 1]?.bpmConfidence).toBe(0);
  });

  test('noise and steady tone give low confidence', () => {
    for (const samples of [whiteNoise(0.2, 10, SAMPLE_RATE), sine(440, 0.5, 10, SAMPLE_RATE)]) {
      const frames = analyzeSignal(samples, 1, { sampleRate: SAMPLE_RATE });
      expect(frames[frames.length - 1]?.bpmConfidence).toBeLessThan(0.3);
      expect(frames.filter((frame) => frame.bpm === 0).length).toBeGreaterThan(frames.length / 2);
    }
  });

  test('tempoHoldS sets the hold through a break', () => {
    // 8 s of clicks, then 8 s of silence below the noise gate, from which the hold counts.
    const clicks = clickTrain(120, 8).samples;
    const samples = new Float32Array(clicks.length + 8 * SAMPLE_RATE);
    samples.set(clicks);
    const bpmAt = (frames: FrameFeatures[], timeS: number) =>
      frames.find((frame) => frame.timeS >= timeS)?.bpm as number;

    const short = analyzeSignal(samples, 1, { sampleRate: SAMPLE_RATE, tempoHoldS: 2 });
    const long = analyzeSignal(samples, 1, { sampleRate: SAMPLE_RATE });

    expect(bpmAt(short, 9.5)).toBeCloseTo(120, 0);
    expect(bpmAt(short, 10.5)).toBe(0);
    expect(bpmAt(long, 15.5)).toBeCloseTo(120, 0);
  });

  test('tempo stays within bpmRange', () => {
    // Clicks at 180 BPM with a range of 60–120 BPM: the estimate must be the half tempo, 90 BPM.
    const frames = analyzeSignal(clickTrain(180, 12).samples, 1, {
      sampleRate: SAMPLE_RATE,
      bpmRange: [60, 120],
    });
    for (const frame of frames) {
      expect(frame.bpm === 0 || (frame.bpm >= 60 && frame.bpm <= 120)).toBe(true);
    }
    const last = frames[frames.length - 1];
    expect(Math.abs((last?.bpm as number) / 90 - 1)).toBeLessThan(0.02);
  });
});
