import { isVjError } from '@vj/bus';
import { Analyzer } from '../../src/analysis/analyzer';
import { DEFAULT_ANALYSIS_CONFIG } from '../../src/analysis/config';
import { analyzeSignal, analyzeWith, sine, whiteNoise } from './helpers/run';

const SAMPLE_RATE = 44100;

describe('Analyzer on silence', () => {
  test('silence reads as silent everywhere', () => {
    const frames = analyzeSignal(new Float32Array(SAMPLE_RATE), 1, { sampleRate: SAMPLE_RATE });
    const last = frames[frames.length - 1];
    expect(last?.bands).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(last?.rms).toBe(0);
    expect(last?.inputStatus).toBe('silent');
    expect(last?.inputPeakDbfs).toBe(-120);
    expect(last?.inputRmsDbfs).toBe(-120);
    expect(last?.pitchHz).toBe(0);
    expect(last?.loudnessMomentaryLufs).toBe(-120);
    expect(last?.loudnessShortTermLufs).toBe(-120);
    expect(last?.isOnset).toBe(false);
    expect(last?.bpm).toBe(0);
    expect(last?.spectrum.every((value) => value === 0)).toBe(true);
  });
});

describe('Analyzer input diagnostics', () => {
  test('sample at full scale reads clipping', () => {
    const samples = sine(100, 0.5, 0.1, SAMPLE_RATE);
    samples[2000] = 1;
    const frames = analyzeSignal(samples, 1, { sampleRate: SAMPLE_RATE });
    const statuses = frames.map((frame) => frame.inputStatus);
    expect(statuses).toContain('clipping');
    expect(statuses.filter((status) => status === 'clipping')).toHaveLength(1);
    expect(Math.max(...frames.map((frame) => frame.inputPeakDbfs))).toBe(0);
  });

  test('sine of peak 0.5 reads -6.02 dBFS peak and -9.03 dBFS RMS', () => {
    const frames = analyzeSignal(sine(1000, 0.5, 0.2, SAMPLE_RATE), 1, { sampleRate: SAMPLE_RATE });
    const last = frames[frames.length - 1];
    expect(last?.inputStatus).toBe('signal');
    expect(last?.inputPeakDbfs).toBeCloseTo(-6.02, 1);
    expect(last?.inputRmsDbfs).toBeCloseTo(-9.03, 1);
  });
});

describe('Analyzer normalisation', () => {
  test('noise gate keeps -70 dBFS noise at 0', () => {
    const frames = analyzeSignal(whiteNoise(10 ** (-70 / 20), 2, SAMPLE_RATE), 1, {
      sampleRate: SAMPLE_RATE,
    });
    for (const frame of frames) {
      expect(frame.bands).toEqual([0, 0, 0, 0, 0, 0, 0]);
      expect(frame.rms).toBe(0);
      expect(frame.inputStatus).toBe('silent');
    }
  });

  test('quiet signal above the gate is brought up', () => {
    const frames = analyzeSignal(whiteNoise(10 ** (-45 / 20), 2, SAMPLE_RATE), 1, {
      sampleRate: SAMPLE_RATE,
    });
    const last = frames[frames.length - 1];
    expect(last?.inputStatus).toBe('signal');
    expect(last?.rms).toBeGreaterThan(0.8);
    expect(Math.max(...(last?.bands ?? []))).toBeGreaterThan(0.5);
  });

  test('band levels stay in 0–1 when the level jumps', () => {
    const quiet = whiteNoise(0.01, 1, SAMPLE_RATE, 3);
    const loud = whiteNoise(0.5, 1, SAMPLE_RATE, 4);
    const samples = new Float32Array(quiet.length + loud.length);
    samples.set(quiet);
    samples.set(loud, quiet.length);
    for (const frame of analyzeSignal(samples, 1, { sampleRate: SAMPLE_RATE })) {
      for (const value of [...frame.bands, ...frame.hits, ...frame.presence, ...frame.spectrum, frame.rms]) {
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('Analyzer envelopes', () => {
  const burst = (): Float32Array => {
    const samples = new Float32Array(2 * SAMPLE_RATE);
    samples.set(sine(1000, 0.5, 0.5, SAMPLE_RATE), SAMPLE_RATE);
    return samples;
  };

  test('hits rise instantly and fall within the release', () => {
    const frames = analyzeSignal(burst(), 1, { sampleRate: SAMPLE_RATE, hitsReleaseS: 0.1 });
    const mid = 3;
    const firstLoud = frames.findIndex((frame) => frame.inputStatus === 'signal');
    expect(frames[firstLoud + 1]?.hits[mid]).toBeGreaterThan(0.9);

    const lastLoud = frames.findLastIndex((frame) => frame.inputStatus === 'signal');
    const releaseFrames = Math.ceil((0.1 * SAMPLE_RATE) / 512);
    expect(frames[lastLoud + releaseFrames + 2]?.hits[mid]).toBe(0);
  });

  test('presence rises slowly over presenceTimeS', () => {
    const frames = analyzeSignal(burst(), 1, { sampleRate: SAMPLE_RATE, presenceTimeS: 0.5 });
    const firstLoud = frames.findIndex((frame) => frame.inputStatus === 'signal');
    expect(frames[firstLoud + 2]?.presence[3]).toBeLessThan(0.2);
    expect(frames[firstLoud + Math.round((0.45 * SAMPLE_RATE) / 512)]?.presence[3]).toBeGreaterThan(0.5);
  });
});

describe('Analyzer frames', () => {
  test('frame index and time advance by one hop', () => {
    const frames = analyzeSignal(sine(200, 0.5, 0.1, SAMPLE_RATE), 1, { sampleRate: SAMPLE_RATE });
    expect(frames[0]?.frame).toBe(0);
    expect(frames[3]?.frame).toBe(3);
    expect(frames[3]?.timeS).toBeCloseTo((4 * 512 - 1) / SAMPLE_RATE, 9);
  });

  test('returned arrays are fresh for each frame', () => {
    const frames = analyzeSignal(sine(200, 0.5, 0.1, SAMPLE_RATE), 1, { sampleRate: SAMPLE_RATE });
    expect(frames[0]?.bands).not.toBe(frames[1]?.bands);
    expect(frames[0]?.spectrum).not.toBe(frames[1]?.spectrum);
  });

  test('process rejects a hop of the wrong size', () => {
    const analyzer = new Analyzer({ sampleRate: SAMPLE_RATE });
    expect.assertions(1);
    try {
      analyzer.process(new Float32Array(100));
    } catch (error) {
      expect(isVjError(error, 'VJ_AUDIO_ANALYSIS_HOP_SIZE_MISMATCH')).toBe(true);
    }
  });

  test('disabled features read 0 and loudness reads -120', () => {
    const frames = analyzeSignal(sine(440, 0.5, 1, SAMPLE_RATE), 1, {
      sampleRate: SAMPLE_RATE,
      features: {
        spectrum: false,
        onset: false,
        bpm: false,
        pitch: false,
        loudness: false,
        structure: false,
        chroma: false,
      },
    });
    const last = frames[frames.length - 1];
    expect(last?.spectrum.every((value) => value === 0)).toBe(true);
    expect(last?.chroma.every((value) => value === 0)).toBe(true);
    expect(last?.pitchHz).toBe(0);
    expect(last?.flux).toBe(0);
    expect(last?.loudnessMomentaryLufs).toBe(-120);
    expect(last?.energyTrend).toBe(0);
    expect(Math.max(...(last?.bands ?? []))).toBeGreaterThan(0.5);
  });

  test('chroma of a 440 Hz sine peaks at A', () => {
    const frames = analyzeSignal(sine(440, 0.5, 0.5, SAMPLE_RATE), 1, { sampleRate: SAMPLE_RATE });
    const chroma = frames[frames.length - 1]?.chroma ?? [];
    expect(chroma).toHaveLength(12);
    expect(chroma.indexOf(1)).toBe(9);
  });

  test('centroid and rolloff track a 2 kHz sine', () => {
    const frames = analyzeSignal(sine(2000, 0.5, 0.2, SAMPLE_RATE), 1, { sampleRate: SAMPLE_RATE });
    const last = frames[frames.length - 1];
    const binHz = SAMPLE_RATE / 1024;
    expect(Math.abs((last?.centroidHz as number) - 2000)).toBeLessThan(2 * binHz);
    expect(Math.abs((last?.rolloffHz as number) - 2000)).toBeLessThan(2 * binHz);
    expect(last?.flatness).toBeLessThan(0.1);
  });
});

describe('Analyzer reconfigure and reset', () => {
  test('reconfigure keeps the adaptive state', () => {
    const analyzer = new Analyzer({ sampleRate: SAMPLE_RATE });
    const before = analyzeWith(analyzer, sine(440, 0.5, 1, SAMPLE_RATE), 1);
    analyzer.reconfigure({
      smoothing: 0.1,
      compression: 1,
      pitchRangeHz: [40, 1500],
      bandGains: [1, 1, 1, 2, 1, 1, 1],
      bandEdgesHz: DEFAULT_ANALYSIS_CONFIG.bandEdgesHz.map(([lowHz, highHz]) => [lowHz, highHz] as const),
    });
    const after = analyzeWith(analyzer, sine(440, 0.5, 0.05, SAMPLE_RATE), 1);
    expect(after[0]?.frame).toBe(before.length);
    expect(after[0]?.bands[3]).toBeGreaterThan(0.5);
    expect(Math.abs((after[after.length - 1]?.pitchHz as number) - 440)).toBeLessThan(2);
    expect(analyzer.config.smoothing).toBe(0.1);
  });

  test('reconfigure rejects a change of the window size', () => {
    const analyzer = new Analyzer({ sampleRate: SAMPLE_RATE });
    expect.assertions(1);
    try {
      analyzer.reconfigure({ windowSize: 2048 } as never);
    } catch (error) {
      expect(isVjError(error, 'VJ_AUDIO_ANALYSIS_INVALID_CONFIG')).toBe(true);
    }
  });

  test('reset starts again from frame 0 with no state', () => {
    const analyzer = new Analyzer({ sampleRate: SAMPLE_RATE });
    analyzeWith(analyzer, sine(440, 0.5, 1, SAMPLE_RATE), 1);
    analyzer.reset();
    const frames = analyzeWith(analyzer, new Float32Array(512), 1);
    expect(frames[0]?.frame).toBe(0);
    expect(frames[0]?.bands).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(frames[0]?.loudnessShortTermLufs).toBe(-120);
  });
});
