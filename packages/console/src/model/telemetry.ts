/**
 * The latest telemetry per topic, as the console shows it. Each payload is
 * checked with its @vj/bus validator before it is stored. The bus client has
 * already validated it, so a failure here is only counted, and the previous
 * value stays.
 */
import {
  type AudioBeat,
  AudioBeatValidator,
  type AudioFeatures,
  AudioFeaturesValidator,
  type AudioStats,
  AudioStatsValidator,
  LogAlertValidator,
  LogRecordValidator,
  LogsAggregatedValidator,
  type NowPlaying,
  NowPlayingValidator,
  type OscCapturedEntry,
  OscMessagesValidator,
  type OscStats,
  OscStatsValidator,
  type Telemetry,
  Topics,
} from '@vj/bus';
import { fromAggregated, fromWorkerRecord, LogBuffer } from './log-buffer';

/** Part of the model that a message changed; screens re-render only for the parts they show. */
export type ChangeKind = 'workers' | 'events' | 'audio' | 'beat' | 'now_playing' | 'osc' | 'logs' | 'status';

/** A stored payload with the time it arrived, in Unix ms of this machine. */
export interface Received<T> {
  value: T;
  receivedAtMs: number;
}

/**
 * Returns the payload when it arrived at most `maxAgeMs` before `nowMs`, else
 * undefined, so that a screen never shows the last values of a worker that
 * stopped as if they were live.
 */
export function freshValue<T>(
  received: Received<T> | undefined,
  nowMs: number,
  maxAgeMs: number,
): T | undefined {
  if (received === undefined || nowMs - received.receivedAtMs > maxAgeMs) return undefined;
  return received.value;
}

/** Ages after which the overview treats telemetry as gone, in ms: a few of each topic's intervals. */
export const FRESH_FOR_MS = { audio: 2000, oscStats: 3500, nowPlaying: 15_000 } as const;

/** Captured OSC entries kept for the OSC screen, newest first. */
export const OSC_ENTRY_CAPACITY = 200;

/** Window of the error count on the overview, in ms. */
export const ERROR_WINDOW_MS = 60_000;

/**
 * Latest telemetry of every topic the console shows.
 *
 * @example
 * const state = new TelemetryState();
 * const kind = state.apply(message, Date.now(), true);
 */
export class TelemetryState {
  audio: Received<AudioFeatures> | undefined;
  beat: Received<AudioBeat> | undefined;
  /** Beats received since the console started. */
  beatCount = 0;
  audioStats: Received<AudioStats> | undefined;
  nowPlaying: Received<NowPlaying> | undefined;
  oscStats: Received<OscStats> | undefined;
  /** Captured OSC entries, newest first, at most OSC_ENTRY_CAPACITY. */
  readonly oscEntries: OscCapturedEntry[] = [];
  readonly logs = new LogBuffer();
  /** Payloads that failed their validator here, after passing the bus client. */
  invalidPayloads = 0;
  /** Arrival times (Unix ms) of error and fatal records within the last ERROR_WINDOW_MS. */
  private readonly errorTimesMs: number[] = [];

  /**
   * Stores one telemetry message and returns the part of the model it changed,
   * or undefined when the console does not show its topic. `aggregatorRuns`
   * is true when the log aggregator is in the registry. When it is, logs come
   * from `logs.aggregated` and errors from `logs.alert`, and the workers' own
   * `logs.<level>` records are skipped, because the aggregator repeats them.
   */
  apply(message: Telemetry, nowMs: number, aggregatorRuns: boolean): ChangeKind | undefined {
    const { topic, payload } = message;
    switch (topic) {
      case Topics.audioFeatures:
        if (!AudioFeaturesValidator.Check(payload)) return this.reject();
        this.audio = { value: payload, receivedAtMs: nowMs };
        return 'audio';
      case Topics.audioBeat:
        if (!AudioBeatValidator.Check(payload)) return this.reject();
        this.beat = { value: payload, receivedAtMs: nowMs };
        this.beatCount++;
        return 'beat';
      case Topics.audioStats:
        if (!AudioStatsValidator.Check(payload)) return this.reject();
        this.audioStats = { value: payload, receivedAtMs: nowMs };
        return 'audio';
      case Topics.spotifyState:
        if (!NowPlayingValidator.Check(payload)) return this.reject();
        this.nowPlaying = { value: payload, receivedAtMs: nowMs };
        return 'now_playing';
      case Topics.oscStats:
        if (!OscStatsValidator.Check(payload)) return this.reject();
        this.oscStats = { value: payload, receivedAtMs: nowMs };
        return 'osc';
      case Topics.oscMessages:
        if (!OscMessagesValidator.Check(payload)) return this.reject();
        this.oscEntries.unshift(...payload.messages);
        if (this.oscEntries.length > OSC_ENTRY_CAPACITY) this.oscEntries.length = OSC_ENTRY_CAPACITY;
        return 'osc';
      case Topics.logsAggregated:
        if (!LogsAggregatedValidator.Check(payload)) return this.reject();
        for (const record of payload.records) this.logs.push(fromAggregated(record));
        return 'logs';
      case Topics.logsAlert:
        if (!LogAlertValidator.Check(payload)) return this.reject();
        if (!aggregatorRuns) return undefined;
        // Alerts over the aggregator's rate limit arrive only as this count; each was an error too.
        for (let i = 0; i <= payload.suppressed; i++) this.countError(nowMs);
        return 'status';
      default:
        return this.applyWorkerLog(topic, payload, nowMs, aggregatorRuns);
    }
  }

  /** Error and fatal records in the last minute, as of `nowMs`. */
  errorsInLastMinute(nowMs: number): number {
    this.pruneErrors(nowMs);
    return this.errorTimesMs.length;
  }

  private applyWorkerLog(
    topic: string,
    payload: unknown,
    nowMs: number,
    aggregatorRuns: boolean,
  ): ChangeKind | undefined {
    if (!topic.startsWith('logs.') || aggregatorRuns) return undefined;
    if (!LogRecordValidator.Check(payload)) return this.reject();
    this.logs.push(fromWorkerRecord(payload));
    if (payload.level === 'error' || payload.level === 'fatal') this.countError(nowMs);
    return 'logs';
  }

  private reject(): undefined {
    this.invalidPayloads++;
    return undefined;
  }

  private countError(nowMs: number): void {
    this.errorTimesMs.push(nowMs);
    this.pruneErrors(nowMs);
  }

  private pruneErrors(nowMs: number): void {
    let expired = 0;
    while (expired < this.errorTimesMs.length && (this.errorTimesMs[expired] ?? 0) <= nowMs - ERROR_WINDOW_MS)
      expired++;
    if (expired > 0) this.errorTimesMs.splice(0, expired);
  }
}
