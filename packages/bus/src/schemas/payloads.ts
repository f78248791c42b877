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
});
export type AudioFeatures = Static<typeof AudioFeatures>;

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
export const LogRecordValidator = TypeCompiler.Compile(LogRecord);
export const WorkerStateValidator = TypeCompiler.Compile(WorkerState);
export const ExampleTickValidator = TypeCompiler.Compile(ExampleTick);
