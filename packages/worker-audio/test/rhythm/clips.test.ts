import { beatFMeasure } from '../../src/rhythm/evaluation/scoring';
import { readClip, readManifest } from '../analysis/helpers/wav';
import { beatTimes, newTracker, run, type TimedFrame } from './signals';

const clips = readManifest();

function mono(name: string): Float32Array {
  const wav = readClip(name);
  const frames = wav.samples.length / wav.channels;
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let channel = 0; channel < wav.channels; channel++) {
      sum += wav.samples[i * wav.channels + channel] as number;
    }
    samples[i] = sum / wav.channels;
  }
  return samples;
}

function isNear(bpm: number, truth: number): boolean {
  return Math.abs(bpm / truth - 1) <= 0.04;
}

describe('RhythmTracker on real clips', () => {
  test('dance clip reaches its tempo and beats', () => {
    const clip = clips.find((each) => each.name === 'xm-house-145bpm.wav');
    const frames = run(newTracker(), mono('xm-house-145bpm.wav'));
    const truth = clip?.ground_truth_bpm as number;
    for (const frame of frames.filter((each) => each.timeS > 6)) {
      expect(isNear(frame.bpm, truth)).toBe(true);
    }
    expect(beatFMeasure(beatTimes(frames), clip?.ground_truth_beats_s ?? [])).toBeGreaterThan(0.8);
  });

  test('swung clip beats on the quarter notes', () => {
    // Its off-beat, two thirds into each beat, is louder than the beat, so the clock locks on the off-beat
    // first and moves to the beat once the swing has shown for a few seconds.
    const clip = clips.find((each) => each.name === 'midi-boogie-swing-120bpm.wav');
    const frames = run(newTracker(), mono('midi-boogie-swing-120bpm.wav'));
    const fromS = 15;
    const beats = beatTimes(frames).filter((timeS) => timeS >= fromS);
    const truth = (clip?.ground_truth_beats_s ?? []).filter((timeS) => timeS >= fromS);
    expect(beats.length).toBeGreaterThan(20);
    expect(beatFMeasure(beats, truth)).toBeGreaterThan(0.9);
  });

  test('chiptune clip reports no 4/3 tempo first', () => {
    // Its intro repeats a figure at 4/3 of the tempo, which the autocorrelation favoured while its long lags
    // had seen fewer products than its short ones.
    const frames = run(newTracker(), mono('s3m-chiptune-125bpm.wav'));
    const reported = frames.filter((frame) => frame.bpm > 0);
    expect(reported.length).toBeGreaterThan(0);
    expect(reported[0]?.timeS).toBeLessThan(4);
    for (const frame of reported) {
      expect(Math.abs(frame.bpm / 125 - 1)).toBeLessThan(0.02);
    }
  });

  test('speech gives no confident tempo', () => {
    const frames = run(newTracker(), mono('speech-negative.wav'));
    expect(Math.max(...frames.map((frame) => frame.bpmConfidence))).toBeLessThan(0.3);
    const durationS = (frames.at(-1) as TimedFrame).timeS;
    expect(beatTimes(frames).length / durationS).toBeLessThan(0.1);
  });

  test('joined clip re-locks within 4 s', () => {
    const first = mono('s3m-electro-125bpm.wav').subarray(0, 12 * 44100);
    const second = mono('xm-house-145bpm.wav').subarray(0, 12 * 44100);
    const joined = new Float32Array(first.length + second.length);
    joined.set(first);
    joined.set(second, first.length);
    const frames = run(newTracker(), joined);
    expect(isNear((frames.find((frame) => frame.timeS >= 11.9) as TimedFrame).bpm, 125)).toBe(true);
    const settled = frames.filter((frame) => frame.timeS >= 16);
    expect(settled.length).toBeGreaterThan(100);
    for (const frame of settled) {
      expect(isNear(frame.bpm, 145)).toBe(true);
    }
  });
});
