import type { FrameFeatures } from '../../src/analysis/types';
import { analyzeSignal } from './helpers/run';
import { type ClipEntry, readClip, readManifest } from './helpers/wav';

/** Tolerance of the tempo check: 4 % of the truth or of twice or half of it, as the development set is scored. */
const TEMPO_TOLERANCE = 0.04;
/** An onset counts for a beat when it lies this close to it (the rock chart sits 35 ms early). */
const BEAT_TOLERANCE_S = 0.07;

const clips = readManifest();
const analysed = new Map<string, FrameFeatures[]>();

function framesOf(clip: ClipEntry): FrameFeatures[] {
  const cached = analysed.get(clip.name);
  if (cached) {
    return cached;
  }
  const wav = readClip(clip.name);
  const frames = analyzeSignal(wav.samples, wav.channels, { sampleRate: wav.sampleRate });
  analysed.set(clip.name, frames);
  return frames;
}

const steadyClips = clips.filter((clip) => clip.tempo_stable && clip.ground_truth_bpm !== null);
const negativeClips = clips.filter(
  (clip) => clip.category === 'negative-speech' || clip.category === 'test-tone',
);

describe('development clips', () => {
  test('manifest lists steady clips and negative clips', () => {
    expect(steadyClips.length).toBeGreaterThanOrEqual(8);
    expect(negativeClips).toHaveLength(2);
  });

  test.each(steadyClips.map((clip) => [clip.name, clip] as const))(
    '%s reads its tempo or an octave of it',
    (_name, clip) => {
      const last = framesOf(clip).at(-1) as FrameFeatures;
      const truth = clip.ground_truth_bpm as number;
      const error = Math.min(
        ...[truth, truth * 2, truth / 2].map((candidate) => Math.abs(last.bpm / candidate - 1)),
      );
      expect(error).toBeLessThan(TEMPO_TOLERANCE);
      expect(last.bpmConfidence).toBeGreaterThan(0.5);
    },
  );

  test.each(steadyClips.map((clip) => [clip.name, clip] as const))(
    '%s has an onset near most beats',
    (_name, clip) => {
      const onsetsS = framesOf(clip)
        .filter((frame) => frame.isOnset)
        .map((frame) => frame.timeS);
      const beatsS = clip.ground_truth_beats_s ?? [];
      const found = beatsS.filter((beatS) =>
        onsetsS.some((onsetS) => Math.abs(onsetS - beatS) <= BEAT_TOLERANCE_S),
      );
      expect(beatsS.length).toBeGreaterThan(10);
      expect(found.length / beatsS.length).toBeGreaterThan(0.75);
    },
  );

  test.each(steadyClips.map((clip) => [clip.name, clip] as const))(
    '%s moves its band levels within 0–1',
    (_name, clip) => {
      const frames = framesOf(clip);
      for (let band = 0; band < 7; band++) {
        const levels = frames.map((frame) => frame.bands[band] as number);
        expect(Math.min(...levels)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...levels)).toBeLessThanOrEqual(1);
      }
      // Bass and mid carry the beat and the melody in every steady clip, so they must swing rather than sit still.
      for (const band of [1, 3]) {
        const levels = frames.slice(100).map((frame) => frame.bands[band] as number);
        expect(Math.max(...levels) - Math.min(...levels)).toBeGreaterThan(0.3);
      }
    },
  );

  test.each(negativeClips.map((clip) => [clip.name, clip] as const))(
    '%s gives low tempo confidence',
    (_name, clip) => {
      const frames = framesOf(clip);
      // The estimate has settled after 10 s, and it must stay unconvincing for the rest of the clip.
      const settled = frames.filter((frame) => frame.timeS > 10);
      expect(Math.max(...settled.map((frame) => frame.bpmConfidence))).toBeLessThan(0.35);
    },
  );
});
