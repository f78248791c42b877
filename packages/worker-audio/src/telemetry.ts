/**
 * Bus payloads of the analyser: `audio.features` decimated to the telemetry
 * rate, with onsets in between carried over so that none is lost, and
 * `audio.beat` for each tracked beat.
 */
import type { AudioBeat, AudioFeatures, InputStatus } from '@vj/bus';
import type { FrameFeatures } from './analysis/types';

const clampUnit = (value: number): number => Math.min(1, Math.max(0, value));
const round = (value: number, digits = 4): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};
const units = (values: readonly number[]): number[] => values.map((value) => round(clampUnit(value)));

/**
 * Builds the `audio.features` payload of a frame. `onsetSincePublish` and
 * `fluxPeak` cover the frames skipped since the last payload, because the
 * telemetry rate (30 Hz) is lower than the frame rate (about 90 Hz).
 */
export function featuresPayload(
  frame: FrameFeatures,
  inputStatus: InputStatus,
  onsetSincePublish: boolean,
  fluxPeak: number,
): AudioFeatures {
  return {
    bands: units(frame.bands),
    rms: round(clampUnit(frame.rms)),
    spectrum: units(frame.spectrum),
    is_onset: onsetSincePublish,
    flux: round(clampUnit(fluxPeak)),
    bpm: round(Math.max(0, frame.bpm), 2),
    bpm_confidence: round(clampUnit(frame.bpmConfidence)),
    pitch_hz: round(Math.max(0, frame.pitchHz), 2),
    pitch_confidence: round(clampUnit(frame.pitchConfidence)),
    centroid_hz: round(Math.max(0, frame.centroidHz), 1),
    frame: frame.frame,
    time_s: round(Math.max(0, frame.timeS), 4),
    hits: units(frame.hits),
    presence: units(frame.presence),
    brightness: round(clampUnit(frame.brightness)),
    loudness_momentary_lufs: round(frame.loudnessMomentaryLufs, 2),
    loudness_short_term_lufs: round(frame.loudnessShortTermLufs, 2),
    is_buildup: frame.isBuildup,
    is_drop: frame.isDrop,
    energy_trend: round(Math.max(-1, Math.min(1, frame.energyTrend))),
    input_peak_dbfs: round(frame.inputPeakDbfs, 2),
    input_status: inputStatus,
    bar_beat: frame.barBeat,
    downbeat_known: frame.downbeatKnown,
    beat_override: frame.beatOverride,
  };
}

/**
 * Builds the `audio.beat` payload of the beat checked in `frame` (one with
 * `beatChecked` set): the beat's frame and time, with the tempo and phase of
 * the frame that finished its onset check, up to about 50 ms later.
 */
export function beatPayload(frame: FrameFeatures): AudioBeat {
  return {
    frame: Math.max(0, frame.checkedBeatFrame),
    time_s: round(Math.max(0, frame.checkedBeatTimeS), 4),
    flux: round(clampUnit(frame.flux)),
    bpm: round(Math.max(0, frame.bpm), 2),
    bpm_confidence: round(clampUnit(frame.bpmConfidence)),
    phase: round(clampUnit(frame.beatPhase)),
    predicted: frame.beatPredicted,
    bar_beat: Math.max(1, frame.checkedBarBeat),
  };
}
