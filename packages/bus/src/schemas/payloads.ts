/**
 * Typed payloads carried inside telemetry and responses. Payload objects
 * accept extra fields, so a newer sender can add data without breaking an
 * older receiver; the fields listed here are required.
 */
import { type Static, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { LogLevels } from './topics';

/** Names of the 7 analysis bands, in the order of `AudioFeatures.bands`, with their edges in Hz. */
export const BandNames = ['sub_bass', 'bass', 'low_mid', 'mid', 'high_mid', 'presence', 'air'] as const;
export type BandName = (typeof BandNames)[number];
export const BandEdgesHz: Readonly<Record<BandName, readonly [number, number]>> = {
  sub_bass: [20, 60],
  bass: [60, 250],
  low_mid: [250, 500],
  mid: [500, 2000],
  high_mid: [2000, 4000],
  presence: [4000, 6000],
  air: [6000, 20000],
};

const Unit = Type.Number({ minimum: 0, maximum: 1 });

/** Input diagnostics, checked first when nothing moves: whether there is an input and whether it carries sound. */
export const InputStatus = Type.Union([
  Type.Literal('no_input'),
  Type.Literal('silent'),
  Type.Literal('signal'),
  Type.Literal('clipping'),
]);
export type InputStatus = Static<typeof InputStatus>;

/** The performer's override of the beat tracking in force. */
export const BeatOverride = Type.Union([
  Type.Literal('none'),
  Type.Literal('tap'),
  Type.Literal('octave'),
  Type.Literal('nudge'),
  Type.Literal('resync'),
]);
export type BeatOverride = Static<typeof BeatOverride>;

/** One analysis frame of the audio analyser, published on `audio.features`. */
export const AudioFeatures = Type.Object({
  /** Band levels 0–1 in the order of BandNames, exactly 7. */
  bands: Type.Array(Unit, { minItems: 7, maxItems: 7 }),
  /** Overall RMS level 0–1 of the mono mix. */
  rms: Unit,
  /** Log-spaced magnitude spectrum, 32 bins, 0–1. */
  spectrum: Type.Array(Unit, { minItems: 32, maxItems: 32 }),
  /** True when an onset was detected in this frame. */
  is_onset: Type.Boolean(),
  /** Spectral flux 0–1. */
  flux: Unit,
  /** Tempo in beats per minute, 0 when there is no estimate. */
  bpm: Type.Number({ minimum: 0 }),
  /** Confidence of the tempo estimate 0–1. */
  bpm_confidence: Unit,
  /** Fundamental frequency in Hz, 0 when none. */
  pitch_hz: Type.Number({ minimum: 0 }),
  /** Confidence of the pitch estimate 0–1. */
  pitch_confidence: Unit,
  /** Spectral centroid in Hz. */
  centroid_hz: Type.Number({ minimum: 0 }),
  /** Index of this analysis frame since the source opened. */
  frame: Type.Integer({ minimum: 0 }),
  // The fields below are optional so that frames of the original Python analyser still validate;
  // the TypeScript analyser always sends them.
  /** Time of the frame in seconds since the source opened. */
  time_s: Type.Optional(Type.Number({ minimum: 0 })),
  /** Fast envelope of each band 0–1: instant attack, short release. */
  hits: Type.Optional(Type.Array(Unit, { minItems: 7, maxItems: 7 })),
  /** Slow envelope of each band 0–1, over seconds. */
  presence: Type.Optional(Type.Array(Unit, { minItems: 7, maxItems: 7 })),
  /** Brightness 0–1: the spectral centroid on a logarithmic frequency axis. */
  brightness: Type.Optional(Unit),
  /** Momentary loudness (400 ms, ITU-R BS.1770 K-weighting) in LUFS; -120 for silence. */
  loudness_momentary_lufs: Type.Optional(Type.Number({ maximum: 20 })),
  /** Short-term loudness (3 s) in LUFS; -120 for silence. */
  loudness_short_term_lufs: Type.Optional(Type.Number({ maximum: 20 })),
  /** True while the energy rises steadily (a build-up). */
  is_buildup: Type.Optional(Type.Boolean()),
  /** True just after a drop. */
  is_drop: Type.Optional(Type.Boolean()),
  /** Energy trend -1…1: negative falling, positive rising. */
  energy_trend: Type.Optional(Type.Number({ minimum: -1, maximum: 1 })),
  /** Input peak level in dBFS before any gain; -120 for digital silence. */
  input_peak_dbfs: Type.Optional(Type.Number({ maximum: 20 })),
  /** Input diagnostics: no_input (nothing to read), silent (below the noise gate), signal or clipping. */
  input_status: Type.Optional(InputStatus),
  /** Position of the current beat in its bar, 1 to 16 (1 is the downbeat), 0 without a tempo. */
  bar_beat: Type.Optional(Type.Integer({ minimum: 0, maximum: 16 })),
  /** True when beat 1 of the bar comes from the music or the performer, false while the count runs from the lock. */
  downbeat_known: Type.Optional(Type.Boolean()),
  /** The performer's override in force: none (automatic), tap, octave (doubled or halved), nudge or resync. */
  beat_override: Type.Optional(BeatOverride),
});
export type AudioFeatures = Static<typeof AudioFeatures>;

/** An onset or beat of the audio analyser, published on `audio.beat` without waiting for the next features frame. */
export const AudioBeat = Type.Object({
  /** Index of the analysis frame of the beat. */
  frame: Type.Integer({ minimum: 0 }),
  /** Time of the beat in seconds since the source opened. */
  time_s: Type.Number({ minimum: 0 }),
  /** Spectral flux 0–1 at the onset. */
  flux: Unit,
  /** Tempo in BPM at the time of the beat, 0 when there is no estimate. */
  bpm: Type.Number({ minimum: 0 }),
  /** Confidence of the tempo 0–1. */
  bpm_confidence: Unit,
  /** Beat phase 0–1 when the event was sent, up to about 50 ms after the beat, once its onset check ended. */
  phase: Type.Optional(Unit),
  /** True when no onset backed the beat, so only the beat clock placed it. */
  predicted: Type.Optional(Type.Boolean()),
  /** Position of the beat in its bar, 1 to 16 (1 is the downbeat; 4-beat bars by default). */
  bar_beat: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
});
export type AudioBeat = Static<typeof AudioBeat>;

/** Percentiles of a latency or duration over the last second, in milliseconds. */
const Percentiles = Type.Object({
  p50: Type.Number({ minimum: 0 }),
  p99: Type.Number({ minimum: 0 }),
  max: Type.Number({ minimum: 0 }),
});

/** Health and timing of the audio analyser, published on `audio.stats` once a second. */
export const AudioStats = Type.Object({
  /** Analysis frames since the source opened. */
  frames: Type.Integer({ minimum: 0 }),
  /** Analysis frames per second over the last second. */
  frames_per_s: Type.Number({ minimum: 0 }),
  /** Blocks skipped since the source opened, because they were older than the latency limit when their turn came. */
  dropped_blocks: Type.Integer({ minimum: 0 }),
  /** Input peak level in dBFS over the last second. */
  input_peak_dbfs: Type.Number({ maximum: 20 }),
  input_status: InputStatus,
  /** The input: kind and a description for people. */
  source: Type.Object({ kind: Type.String(), description: Type.String() }),
  /** Age of each block when its analysis started: capture (or decode) to analysis. */
  capture_age_ms: Percentiles,
  /** Analysis time per frame. */
  analysis_ms: Percentiles,
  /** Time to encode and send the OSC datagrams of a frame. */
  send_ms: Percentiles,
  /** OSC datagrams sent and failed since the source opened, over all targets. */
  osc_sent: Type.Integer({ minimum: 0 }),
  osc_errors: Type.Integer({ minimum: 0 }),
});
export type AudioStats = Static<typeof AudioStats>;

/** A structured log record, published by each worker on `logs.<level>`. */
export const LogRecord = Type.Object({
  /** Wall-clock time, Unix seconds. */
  time: Type.Number(),
  /** Monotonic time in milliseconds since the process started. */
  mono_ms: Type.Number({ minimum: 0 }),
  /** Sequence number per worker process, starting at 1; a gap means lost records. */
  seq: Type.Integer({ minimum: 0 }),
  worker: Type.String({ minLength: 1 }),
  level: Type.Union(LogLevels.map((level) => Type.Literal(level))),
  msg: Type.String(),
  pid: Type.Integer({ minimum: 1 }),
  /** Structured fields of the record other than the ones above. */
  fields: Type.Record(Type.String(), Type.Unknown()),
});
export type LogRecord = Static<typeof LogRecord>;

/** Lifecycle state of a worker. */
export const WorkerStatus = Type.Union([
  Type.Literal('starting'),
  Type.Literal('running'),
  Type.Literal('stopping'),
  Type.Literal('stopped'),
  Type.Literal('crashed'),
]);
export type WorkerStatus = Static<typeof WorkerStatus>;

/** The result of `get_state` on any worker; `state` contains what the worker adds. */
export const WorkerState = Type.Object({
  name: Type.String({ minLength: 1 }),
  pid: Type.Integer({ minimum: 1 }),
  status: WorkerStatus,
  started_at: Type.Number(),
  uptime_s: Type.Number({ minimum: 0 }),
  ports: Type.Object({ command: Type.Integer(), telemetry: Type.Integer() }),
  config: Type.Record(Type.String(), Type.Unknown()),
  state: Type.Record(Type.String(), Type.Unknown()),
});
export type WorkerState = Static<typeof WorkerState>;

/** Payload of `example.tick`, published by the example worker. */
export const ExampleTick = Type.Object({
  count: Type.Integer({ minimum: 0 }),
  rate_hz: Type.Number({ exclusiveMinimum: 0 }),
});
export type ExampleTick = Static<typeof ExampleTick>;

export const AudioFeaturesValidator = TypeCompiler.Compile(AudioFeatures);
export const AudioBeatValidator = TypeCompiler.Compile(AudioBeat);
export const AudioStatsValidator = TypeCompiler.Compile(AudioStats);
export const LogRecordValidator = TypeCompiler.Compile(LogRecord);
export const WorkerStateValidator = TypeCompiler.Compile(WorkerState);
export const ExampleTickValidator = TypeCompiler.Compile(ExampleTick);
