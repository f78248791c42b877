/**
 * The OSC address map of the audio analyser: which messages one analysis
 * frame becomes. The first six addresses are the original map that existing
 * visual patches use, except that `/audio/beat` now carries the tracked beat
 * and the raw onset flag moved to `/audio/onset`. docs/osc.md lists every
 * address with its types and ranges.
 */
import type { FrameFeatures } from '../analysis/types';

/** One typed OSC argument, in the form node-osc encodes. */
export type OscArgument =
  | { type: 'f'; value: number }
  | { type: 'i'; value: number }
  | { type: 's'; value: string };

/** One OSC message before any per-target prefix or address map. */
export interface OscMessage {
  address: string;
  args: OscArgument[];
}

/** Addresses of the analyser, without prefix. */
export const OscAddresses = {
  levels: '/audio/levels',
  spectrum: '/audio/spectrum',
  beat: '/audio/beat',
  bpm: '/audio/bpm',
  pitch: '/audio/pitch',
  structure: '/audio/structure',
  hits: '/audio/hits',
  presence: '/audio/presence',
  loudness: '/audio/loudness',
  onset: '/audio/onset',
  beatPhase: '/audio/beat_phase',
  bar: '/audio/bar',
  bpmAlt: '/audio/bpm_alt',
} as const;

function floats(values: readonly number[]): OscArgument[] {
  return values.map((value) => ({ type: 'f', value }));
}

function flag(value: boolean): OscArgument {
  return { type: 'i', value: value ? 1 : 0 };
}

/**
 * Builds the messages of one frame, in the order of OscAddresses. Floats are
 * typed explicitly, so a level of exactly 0 or 1 still goes out as a float
 * and not as an integer.
 */
export function frameMessages(frame: FrameFeatures): OscMessage[] {
  return [
    { address: OscAddresses.levels, args: floats([...frame.bands, frame.rms]) },
    { address: OscAddresses.spectrum, args: floats(frame.spectrum) },
    { address: OscAddresses.beat, args: [flag(frame.isBeat), { type: 'f', value: frame.flux }] },
    { address: OscAddresses.bpm, args: floats([frame.bpm, frame.bpmConfidence]) },
    { address: OscAddresses.pitch, args: floats([frame.pitchHz, frame.pitchConfidence]) },
    {
      address: OscAddresses.structure,
      args: [
        flag(frame.isBuildup),
        flag(frame.isDrop),
        { type: 'f', value: frame.energyTrend },
        { type: 'f', value: frame.brightness },
      ],
    },
    { address: OscAddresses.hits, args: floats(frame.hits) },
    { address: OscAddresses.presence, args: floats(frame.presence) },
    {
      address: OscAddresses.loudness,
      args: floats([frame.loudnessMomentaryLufs, frame.loudnessShortTermLufs]),
    },
    { address: OscAddresses.onset, args: [flag(frame.isOnset), { type: 'f', value: frame.flux }] },
    { address: OscAddresses.beatPhase, args: [{ type: 'f', value: frame.beatPhase }] },
    {
      address: OscAddresses.bar,
      args: [{ type: 'i', value: frame.barBeat }, flag(frame.downbeatKnown)],
    },
    { address: OscAddresses.bpmAlt, args: floats([frame.bpmAlt, frame.bpmAltConfidence]) },
  ];
}
