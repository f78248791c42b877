/** Audio feature frames that the benchmarks publish. */
import type { AudioFeatures } from '../../src/schemas/payloads';

/** An AudioFeatures payload with the optional send-time stamp of the latency benchmark. */
export type StampedAudioFeatures = AudioFeatures & { sent_at_ms?: number };

/**
 * Builds `count` different 7-band frames with random levels. Values are
 * doubles such as 0.7183920461, so the JSON has the length that a float32
 * analyser output printed as a double has (about 1.1 KB per message).
 */
export function makeAudioFrames(count: number): StampedAudioFeatures[] {
  const frames: StampedAudioFeatures[] = [];
  for (let i = 0; i < count; i++) {
    frames.push({
      bands: Array.from({ length: 7 }, () => Math.random()),
      rms: Math.random(),
      spectrum: Array.from({ length: 32 }, () => Math.random()),
      is_onset: i % 8 === 0,
      flux: Math.random(),
      bpm: 120 + Math.random() * 10,
      bpm_confidence: Math.random(),
      pitch_hz: 440 * (1 + Math.random()),
      pitch_confidence: Math.random(),
      centroid_hz: 500 + Math.random() * 4000,
      frame: i,
    });
  }
  return frames;
}
