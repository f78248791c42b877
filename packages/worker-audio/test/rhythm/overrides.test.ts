import { beatTimes, clickGrid, newTracker, renderClicks, run, type TimedFrame, whiteNoise } from './signals';

const CLICKS_120 = clickGrid(120, 0.1, 16);
const CLICK_TIMES = CLICKS_120.map((click) => click.timeS);

/** Returns the signed distance from `timeS` to the nearest click: positive when the beat comes after the click. */
function offsetToClick(timeS: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const clickS of CLICK_TIMES) {
    if (Math.abs(timeS - clickS) < Math.abs(best)) {
      best = timeS - clickS;
    }
  }
  return best;
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function lastBefore(frames: readonly TimedFrame[], timeS: number): TimedFrame {
  return frames.filter((frame) => frame.timeS < timeS).at(-1) as TimedFrame;
}

describe('RhythmTracker overrides', () => {
  test('double and halve scale tempo', () => {
    const tracker = newTracker({ bpmRange: [40, 300] });
    const frames = run(tracker, renderClicks(CLICKS_120, 16), {
      onFrame: (frame) => {
        if (Math.abs(frame.timeS - 5) < 0.006) tracker.double();
        if (Math.abs(frame.timeS - 8) < 0.006) tracker.release();
        if (Math.abs(frame.timeS - 11) < 0.006) tracker.halve();
      },
    });
    expect(lastBefore(frames, 5).bpm).toBeCloseTo(120, 0);
    expect(lastBefore(frames, 8).bpm).toBeCloseTo(240, 0);
    expect(lastBefore(frames, 8).override).toBe('octave');
    expect(lastBefore(frames, 11).bpm).toBeCloseTo(120, 0);
    expect(lastBefore(frames, 11).override).toBe('none');
    expect(frames.at(-1)?.bpm).toBeCloseTo(60, 0);
    const beats = beatTimes(frames);
    expect(beats.filter((timeS) => timeS > 5.5 && timeS < 7.5)).toHaveLength(8);
    expect(beats.filter((timeS) => timeS > 12 && timeS < 16)).toHaveLength(4);
  });

  test('octave outside bpmRange is rejected', () => {
    const tracker = newTracker();
    const results: boolean[] = [];
    const frames = run(tracker, renderClicks(CLICKS_120, 10), {
      onFrame: (frame) => {
        if (Math.abs(frame.timeS - 5) < 0.006) results.push(tracker.double());
        if (Math.abs(frame.timeS - 6) < 0.006) results.push(tracker.halve());
        if (Math.abs(frame.timeS - 7) < 0.006) results.push(tracker.halve());
      },
    });
    // 240 BPM and 30 BPM lie outside the default range of 60–200 BPM.
    expect(results).toEqual([false, true, false]);
    expect(lastBefore(frames, 6).bpm).toBeCloseTo(120, 0);
    expect(lastBefore(frames, 6).override).toBe('none');
    expect(frames.at(-1)?.bpm).toBeCloseTo(60, 0);
  });

  test('double without a tempo is rejected', () => {
    const tracker = newTracker();
    expect(tracker.double()).toBe(false);
    expect(tracker.halve()).toBe(false);
    expect(tracker.latest.override).toBe('none');
  });

  test('tap outside bpmRange folds by octaves', () => {
    const tracker = newTracker();
    // Taps 0.25 s apart ask for 240 BPM, above the default range of 60–200, so the tempo is 120.
    const frames = run(tracker, renderClicks([], 4), {
      onFrame: (frame) => {
        for (const tapS of [1, 1.25, 1.5, 1.75]) {
          if (Math.abs(frame.timeS - tapS) < 0.006) tracker.tap(tapS);
        }
      },
    });
    expect(frames.at(-1)?.bpm).toBeCloseTo(120, 0);
    expect(frames.at(-1)?.override).toBe('tap');
  });

  test('tap sets tempo and phase', () => {
    const tracker = newTracker();
    const tapsS = [2, 2.6, 3.2, 3.8];
    const frames = run(tracker, whiteNoise(0.05, 10), {
      onFrame: (frame) => {
        const tapS = tapsS.find((each) => frame.timeS >= each && frame.timeS - each < 512 / 44100);
        if (tapS !== undefined) tracker.tap(tapS);
      },
    });
    const last = frames.at(-1) as TimedFrame;
    expect(last.bpm).toBeCloseTo(100, 1);
    expect(last.bpmConfidence).toBe(1);
    expect(last.override).toBe('tap');
    const beats = beatTimes(frames).filter((timeS) => timeS > 4);
    expect(beats.length).toBeGreaterThanOrEqual(9);
    for (const beatS of beats) {
      // The grid of the taps continues: 3.8 s plus whole periods of 0.6 s, one or two hops late.
      const beatsAfterLastTap = (beatS - 3.8) / 0.6;
      expect(Math.abs(beatsAfterLastTap - Math.round(beatsAfterLastTap)) * 0.6).toBeLessThan(0.03);
    }
  });

  test('one tap alone changes nothing', () => {
    const tracker = newTracker();
    const frames = run(tracker, whiteNoise(0.05, 4), {
      onFrame: (frame) => {
        if (Math.abs(frame.timeS - 2) < 0.006) tracker.tap(frame.timeS);
      },
    });
    expect(frames.at(-1)?.bpm).toBe(0);
    expect(frames.at(-1)?.override).toBe('none');
  });

  test('nudge shifts beats by milliseconds', () => {
    const tracker = newTracker();
    const frames = run(tracker, renderClicks(CLICKS_120, 16), {
      onFrame: (frame) => {
        if (Math.abs(frame.timeS - 8) < 0.006) tracker.nudge(60);
      },
    });
    const beats = beatTimes(frames);
    const before = mean(beats.filter((timeS) => timeS > 4 && timeS < 8).map(offsetToClick));
    const after = mean(beats.filter((timeS) => timeS > 10).map(offsetToClick));
    expect(after - before).toBeGreaterThan(0.045);
    expect(after - before).toBeLessThan(0.075);
    expect(frames.at(-1)?.override).toBe('nudge');
  });

  test('resync makes the nearest beat beat 1', () => {
    const tracker = newTracker();
    let resyncS = 0;
    const frames = run(tracker, renderClicks(CLICKS_120, 16), {
      onFrame: (frame) => {
        if (frame.isBeat && frame.timeS > 7 && resyncS === 0) {
          tracker.resync();
          resyncS = frame.timeS;
        }
      },
    });
    const beats = frames.filter((frame) => frame.isBeat && frame.timeS >= resyncS);
    expect(beats.length).toBeGreaterThan(8);
    beats.forEach((frame, index) => {
      // The resync frame was already returned with its old bar beat; the beats after it count 2, 3, 4, 1.
      if (index > 0) expect(frame.barBeat).toBe((index % 4) + 1);
    });
    expect(frames.at(-1)?.override).toBe('resync');
    expect(frames.at(-1)?.downbeatKnown).toBe(true);
  });

  test('reset forgets tempo, clock and overrides', () => {
    const tracker = newTracker();
    run(tracker, renderClicks(CLICKS_120, 8));
    tracker.double();
    tracker.reset();
    const frames = run(tracker, renderClicks(CLICKS_120, 1));
    expect(frames.at(-1)?.bpm).toBe(0);
    expect(frames.at(-1)?.locked).toBe(false);
    expect(frames.at(-1)?.override).toBe('none');
  });
});
