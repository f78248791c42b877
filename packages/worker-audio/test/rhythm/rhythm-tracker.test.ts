import { RhythmTracker } from '../../src/rhythm/rhythm-tracker';
import {
  beatTimes,
  clickGrid,
  distanceToNearest,
  newTracker,
  renderClicks,
  run,
  type TimedFrame,
  whiteNoise,
} from './signals';

/** The beat of a click lands in the frame whose hop contains the click or in the next one: up to two hops (23 ms) late. */
const BEAT_LATENESS_S = 0.03;

function bpmAt(frames: readonly TimedFrame[], timeS: number): number {
  return frames.find((frame) => frame.timeS >= timeS)?.bpm ?? Number.NaN;
}

function isNear(bpm: number, truth: number, tolerance: number): boolean {
  return Math.abs(bpm / truth - 1) <= tolerance;
}

describe('RhythmTracker tempo', () => {
  test('click track at 128 BPM locks within 3 s', () => {
    const frames = run(newTracker(), renderClicks(clickGrid(128, 0.1, 12), 12));
    const lockS = frames.find((frame) => frame.locked)?.timeS ?? Number.POSITIVE_INFINITY;
    expect(lockS).toBeLessThan(3);
    for (const frame of frames.filter((each) => each.timeS >= 3)) {
      expect(isNear(frame.bpm, 128, 0.01)).toBe(true);
    }
    expect(frames.at(-1)?.bpmConfidence).toBeGreaterThan(0.8);
  });

  test.each([90, 120, 150, 175])('click track at %i BPM reads tempo', (bpm) => {
    const frames = run(newTracker(), renderClicks(clickGrid(bpm, 0.1, 10), 10));
    expect(isNear(frames.at(-1)?.bpm ?? 0, bpm, 0.01)).toBe(true);
  });

  test('click track at 48 kHz reads tempo', () => {
    const tracker = new RhythmTracker({ sampleRate: 48000, hopSize: 480, windowSize: 2048 });
    const frames = run(tracker, renderClicks(clickGrid(128, 0.1, 10), 10, 48000), { sampleRate: 48000 });
    expect(isNear(frames.at(-1)?.bpm ?? 0, 128, 0.01)).toBe(true);
    const clickTimes = clickGrid(128, 0.1, 10).map((click) => click.timeS);
    for (const beatS of beatTimes(frames).filter((timeS) => timeS > 4)) {
      // A 2048-sample window lets a click peak the flux up to about 40 ms after it.
      expect(distanceToNearest(beatS, clickTimes)).toBeLessThanOrEqual(0.05);
    }
  });

  test('tempo reports no estimate before it locks', () => {
    const frames = run(newTracker(), renderClicks(clickGrid(128, 0.1, 1), 1));
    expect(frames.at(-1)?.bpm).toBe(0);
    expect(frames.at(-1)?.bpmConfidence).toBe(0);
    expect(frames.some((frame) => frame.isBeat)).toBe(false);
  });

  test('white noise gives no estimate and no beats', () => {
    const frames = run(newTracker(), whiteNoise(0.2, 12));
    expect(Math.max(...frames.map((frame) => frame.bpmConfidence))).toBeLessThan(0.3);
    expect(frames.filter((frame) => frame.isBeat).length).toBeLessThan(2);
  });

  test('steady tone gives no estimate', () => {
    const samples = new Float32Array(10 * 44100);
    for (let n = 0; n < samples.length; n++) {
      samples[n] = 0.5 * Math.sin((2 * Math.PI * 440 * n) / 44100);
    }
    const frames = run(newTracker(), samples);
    expect(frames.every((frame) => frame.bpm === 0 && frame.bpmConfidence === 0)).toBe(true);
  });

  test('tempo holds through a 3 s break', () => {
    const clicks = [...clickGrid(128, 0.1, 10), ...clickGrid(128, 13.1 + 60 / 128 / 2, 18)];
    const frames = run(newTracker(), renderClicks(clicks, 18));
    for (const frame of frames.filter((each) => each.timeS >= 3)) {
      expect(isNear(frame.bpm, 128, 0.02)).toBe(true);
    }
    const beatsInBreak = beatTimes(frames).filter((timeS) => timeS > 10.5 && timeS < 13);
    expect(beatsInBreak.length).toBeGreaterThanOrEqual(4);
  });

  test('tempo released after hold time', () => {
    const frames = run(newTracker({ holdS: 2 }), renderClicks(clickGrid(128, 0.1, 8), 14));
    expect(bpmAt(frames, 7)).toBeGreaterThan(0);
    expect(frames.at(-1)?.bpm).toBe(0);
    expect(frames.at(-1)?.bpmConfidence).toBe(0);
    expect(beatTimes(frames).filter((timeS) => timeS > 13)).toHaveLength(0);
  });

  test('joined click tracks re-lock within 4 s', () => {
    const clicks = [...clickGrid(120, 0.1, 12), ...clickGrid(150, 12, 24)];
    const frames = run(newTracker(), renderClicks(clicks, 24));
    expect(isNear(bpmAt(frames, 11.5), 120, 0.02)).toBe(true);
    const relockS = frames.find((frame) => frame.timeS > 12 && isNear(frame.bpm, 150, 0.02))?.timeS ?? 99;
    expect(relockS - 12).toBeLessThan(4);
    for (const frame of frames.filter((each) => each.timeS >= relockS)) {
      expect(isNear(frame.bpm, 150, 0.02)).toBe(true);
    }
  });

  test('lock mode delays a tempo jump', () => {
    const clicks = [...clickGrid(120, 0.1, 12), ...clickGrid(150, 12, 24)];
    const samples = renderClicks(clicks, 24);
    const held = run(newTracker({ lockHoldS: 8 }), samples);
    const free = run(newTracker({ lockMode: false }), samples);
    const firstNewS = (frames: TimedFrame[]): number =>
      frames.find((frame) => frame.timeS > 12 && isNear(frame.bpm, 150, 0.02))?.timeS ?? 99;
    expect(firstNewS(held) - firstNewS(free)).toBeGreaterThan(5);
  });

  test('bpmRange keeps the tempo inside it', () => {
    const frames = run(newTracker({ bpmRange: [60, 100] }), renderClicks(clickGrid(128, 0.1, 10), 10));
    expect(isNear(frames.at(-1)?.bpm ?? 0, 64, 0.02)).toBe(true);
  });

  test('configure with a new range searches again', () => {
    const tracker = newTracker();
    let configuredAtS = 0;
    const frames = run(tracker, renderClicks(clickGrid(128, 0.1, 16), 16), {
      onFrame: (frame) => {
        if (configuredAtS === 0 && frame.timeS > 6) {
          tracker.configure({ bpmRange: [60, 100] });
          configuredAtS = frame.timeS;
        }
      },
    });
    expect(isNear(bpmAt(frames, configuredAtS - 0.1), 128, 0.01)).toBe(true);
    expect(frames.find((frame) => frame.timeS > configuredAtS)?.bpm).toBe(0);
    expect(isNear(frames.at(-1)?.bpm ?? 0, 64, 0.02)).toBe(true);
  });

  test('slow range tracks 45 BPM beats', () => {
    const clicks = clickGrid(45, 0.1, 30);
    const frames = run(
      newTracker({ bpmRange: [30, 60], preferredBpmRange: [40, 60] }),
      renderClicks(clicks, 30),
    );
    expect(isNear(frames.at(-1)?.bpm ?? 0, 45, 0.02)).toBe(true);
    const beats = beatTimes(frames).filter((timeS) => timeS > 15);
    expect(beats.length).toBeGreaterThan(8);
    for (const beatS of beats) {
      expect(
        distanceToNearest(
          beatS,
          clicks.map((click) => click.timeS),
        ),
      ).toBeLessThanOrEqual(BEAT_LATENESS_S);
    }
  });

  test('alternative octave is half or double the tempo', () => {
    const frames = run(newTracker(), renderClicks(clickGrid(128, 0.1, 10), 10));
    const last = frames.at(-1) as TimedFrame;
    expect([last.bpm / 2, last.bpm * 2].some((octave) => isNear(last.bpmAlt, octave, 0.001))).toBe(true);
    expect(last.bpmAltConfidence).toBeGreaterThanOrEqual(0);
    expect(last.bpmAltConfidence).toBeLessThan(last.bpmConfidence);
  });
});

describe('RhythmTracker beats', () => {
  test('beats land on the clicks', () => {
    const clicks = clickGrid(128, 0.1, 15);
    const frames = run(newTracker(), renderClicks(clicks, 15));
    const clickTimes = clicks.map((click) => click.timeS);
    const beats = beatTimes(frames).filter((timeS) => timeS > 4);
    expect(beats.length).toBeGreaterThan(20);
    for (const beatS of beats) {
      expect(distanceToNearest(beatS, clickTimes)).toBeLessThanOrEqual(BEAT_LATENESS_S);
    }
  });

  test('masked clicks get predicted beats', () => {
    // Every fourth click is missing from 6 s on.
    const clicks = clickGrid(128, 0.1, 15, (index) => index > 12 && index % 4 === 3);
    const grid = clickGrid(128, 0.1, 15).map((click) => click.timeS);
    const frames = run(newTracker(), renderClicks(clicks, 15));
    const missing = grid.filter((timeS) => timeS > 6 && !clicks.some((click) => click.timeS === timeS));
    expect(missing.length).toBeGreaterThan(3);
    const checks = frames.filter((frame) => frame.beatChecked && frame.checkedBeatTimeS > 6);
    for (const timeS of missing) {
      const check = checks.find((frame) => Math.abs(frame.checkedBeatTimeS - timeS) <= BEAT_LATENESS_S);
      expect(check?.predicted).toBe(true);
      // The check ends within the clock's lead plus two hops of the beat.
      expect((check?.timeS ?? 99) - (check?.checkedBeatTimeS ?? 0)).toBeLessThan(0.06);
    }
    const backed = checks.filter((frame) => !frame.predicted);
    expect(backed.length).toBeGreaterThan(missing.length);
  });

  test('beat phase ramps from 0 to 1 between beats', () => {
    const frames = run(newTracker(), renderClicks(clickGrid(120, 0.1, 10), 10));
    const locked = frames.filter((frame) => frame.timeS > 5);
    for (let i = 1; i < locked.length; i++) {
      const before = locked[i - 1] as TimedFrame;
      const now = locked[i] as TimedFrame;
      expect(now.beatPhase).toBeGreaterThanOrEqual(0);
      expect(now.beatPhase).toBeLessThan(1);
      if (!now.isBeat) {
        expect(now.beatPhase).toBeGreaterThan(before.beatPhase);
      }
    }
  });

  test('equal clicks leave downbeat unknown', () => {
    const frames = run(newTracker(), renderClicks(clickGrid(120, 0.1, 20), 20));
    const beats = frames.filter((frame) => frame.isBeat);
    expect(beats.length).toBeGreaterThan(30);
    expect(beats.some((frame) => frame.downbeatKnown)).toBe(false);
    for (let i = 1; i < beats.length; i++) {
      expect((beats[i] as TimedFrame).barBeat).toBe(((beats[i - 1] as TimedFrame).barBeat % 4) + 1);
    }
  });

  test.each([0, 1, 2, 3])('bar beat follows accents from click %i', (first) => {
    // Every fourth click is much louder: beat 1 of each bar.
    const clicks = clickGrid(120, 0.1, 20).map((click, index) => ({
      ...click,
      amplitude: index % 4 === first ? 0.9 : 0.2,
    }));
    const frames = run(newTracker(), renderClicks(clicks, 20));
    // Detection may move the downbeat once it has heard a few bars; from then on the count is regular.
    const beats = frames.filter((frame) => frame.isBeat && frame.timeS > 12);
    expect(beats.length).toBeGreaterThan(8);
    for (let i = 1; i < beats.length; i++) {
      expect((beats[i] as TimedFrame).barBeat).toBe(((beats[i - 1] as TimedFrame).barBeat % 4) + 1);
    }
    const downbeats = clicks.filter((_click, index) => index % 4 === first).map((click) => click.timeS);
    expect(beats.every((frame) => frame.downbeatKnown)).toBe(true);
    const late = beats.filter((frame) => frame.barBeat === 1);
    expect(late.length).toBeGreaterThan(0);
    for (const frame of late) {
      expect(distanceToNearest(frame.timeS, downbeats)).toBeLessThanOrEqual(BEAT_LATENESS_S);
    }
  });
});
