import { brightnessOf } from '../../src/analysis/structure';
import { analyzeSignal, sine, whiteNoise } from './helpers/run';

const SAMPLE_RATE = 44100;

/** Returns white noise whose level moves linearly in dB from `fromDb` to `toDb` over `seconds`. */
function noiseRamp(fromDb: number, toDb: number, seconds: number): Float32Array {
  const samples = whiteNoise(1, seconds, SAMPLE_RATE, 11);
  for (let n = 0; n < samples.length; n++) {
    const levelDb = fromDb + ((toDb - fromDb) * n) / samples.length;
    samples[n] = (samples[n] as number) * 10 ** (levelDb / 20);
  }
  return samples;
}

function concat(...parts: Float32Array[]): Float32Array {
  const samples = new Float32Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    samples.set(part, offset);
    offset += part.length;
  }
  return samples;
}

describe('structure', () => {
  test('energy trend follows ramp direction', () => {
    const rising = analyzeSignal(noiseRamp(-40, -10, 8), 1, { sampleRate: SAMPLE_RATE });
    const falling = analyzeSignal(noiseRamp(-10, -40, 8), 1, { sampleRate: SAMPLE_RATE });
    expect(rising[rising.length - 1]?.energyTrend).toBeGreaterThan(0.3);
    expect(falling[falling.length - 1]?.energyTrend).toBeLessThan(-0.3);
    for (const frame of [...rising, ...falling]) {
      expect(Math.abs(frame.energyTrend)).toBeLessThanOrEqual(1);
    }
  });

  test('steady noise has no build-up and a trend near 0', () => {
    const frames = analyzeSignal(whiteNoise(0.1, 8, SAMPLE_RATE), 1, { sampleRate: SAMPLE_RATE });
    expect(frames.some((frame) => frame.isBuildup)).toBe(false);
    expect(frames.some((frame) => frame.isDrop)).toBe(false);
    expect(Math.abs(frames[frames.length - 1]?.energyTrend as number)).toBeLessThan(0.1);
  });

  test('build-up then bass entry is a drop', () => {
    const ramp = noiseRamp(-40, -10, 8);
    const bass = sine(55, 0.6, 2, SAMPLE_RATE);
    const frames = analyzeSignal(concat(ramp, bass), 1, { sampleRate: SAMPLE_RATE });
    const rampFrames = Math.floor(ramp.length / 512);
    expect(frames.slice(0, rampFrames).some((frame) => frame.isBuildup)).toBe(true);

    const dropIndex = frames.findIndex((frame) => frame.isDrop);
    expect(dropIndex).toBeGreaterThanOrEqual(rampFrames - 1);
    expect((frames[dropIndex]?.timeS as number) - ramp.length / SAMPLE_RATE).toBeLessThan(0.3);
  });

  test('brightness is high for noise and low for a bass tone', () => {
    const noise = analyzeSignal(whiteNoise(0.1, 0.5, SAMPLE_RATE), 1, { sampleRate: SAMPLE_RATE });
    const bass = analyzeSignal(sine(80, 0.5, 0.5, SAMPLE_RATE), 1, { sampleRate: SAMPLE_RATE });
    expect(noise[noise.length - 1]?.brightness).toBeGreaterThan(0.8);
    expect(bass[bass.length - 1]?.brightness).toBeLessThan(0.3);
  });

  test('brightnessOf maps 20 Hz to 0 and Nyquist to 1', () => {
    expect(brightnessOf(20, 22050)).toBe(0);
    expect(brightnessOf(22050, 22050)).toBeCloseTo(1, 12);
    expect(brightnessOf(0, 22050)).toBe(0);
  });
});
