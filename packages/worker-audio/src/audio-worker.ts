/**
 * AudioWorker: reads audio from a device, a file, stdin or the demo loop,
 * analyses it frame by frame, sends each frame over OSC and publishes
 * features, beats and statistics on the bus.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type AudioStats, type InputStatus, Topics, VjError, Worker, type WorkerOptions } from '@vj/bus';
import { Analyzer } from './analysis/analyzer';
import type { AnalysisChanges } from './analysis/config';
import { HopSplitter } from './analysis/hop-splitter';
import type { FrameFeatures } from './analysis/types';
import {
  type AudioConfig,
  checkAudioConfig,
  checkAudioConfigKey,
  DEFAULT_AUDIO_CONFIG,
  REOPEN_KEYS,
} from './audio-config';
import { loadAddressMap } from './output/address-map';
import { frameMessages } from './output/osc-messages';
import { OscSender } from './output/osc-sender';
import type { RhythmOverrides } from './rhythm/rhythm-tracker';
import { clearSettings, loadSettings, SETTINGS_FILE, saveSettings } from './settings-file';
import { createSource, type SourceChoice } from './source-factory';
import { listInputDevices } from './sources/device-list';
import { saveDeviceChoice, selectDevice } from './sources/device-select';
import type { AudioBlock, AudioSource, SourceStatus } from './sources/source';
import { TimingWindow } from './stats/timing-window';
import { beatPayload, featuresPayload } from './telemetry';

/** Registry name and default ports of the audio analyser. */
export const AUDIO_DEFAULTS = { name: 'audio_analyzer', commandPort: 5001, telemetryPort: 5002 } as const;

/** Options of the worker: the bus options plus where the input comes from. */
export interface AudioWorkerOptions extends Omit<Partial<WorkerOptions<AudioConfig>>, 'config'> {
  /** Settings; the ones left out take their defaults. */
  config?: Partial<AudioConfig>;
  /** Readable for the `stdin` source; default process.stdin. */
  stdin?: NodeJS.ReadableStream;
  /** Environment for device scans (ALSA_CONFIG_PATH and so on); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Applies the settings saved by set_config in an earlier run (default true). */
  restoreSettings?: boolean;
}

const SILENT_DBFS = -120;
/** Largest phase shift in milliseconds that one `nudge` command may request. */
const MAX_NUDGE_MS = 1000;

/** Per-second counters behind `audio.stats`. */
interface SecondCounters {
  frames: number;
  peakDbfs: number;
  status: InputStatus;
}

/**
 * The audio analyser worker.
 *
 * @example
 * await new AudioWorker({ config: { source: 'file', file: 'set.wav' } }).run();
 */
export class AudioWorker extends Worker<AudioConfig> {
  private readonly sender: OscSender;
  private readonly stdin: NodeJS.ReadableStream | undefined;
  private readonly env: NodeJS.ProcessEnv;
  private source: AudioSource | undefined;
  private choice: SourceChoice | undefined;
  private analyzer: Analyzer | undefined;
  private splitter: HopSplitter | undefined;
  private sourceStatus: SourceStatus = 'no_input';
  private latest: FrameFeatures | undefined;
  /** Keys changed at run time, as saved in SETTINGS_FILE. */
  private saved: Partial<AudioConfig> = {};
  private saving: Promise<void> = Promise.resolve();
  /** Error message of the last failed open, cleared when an input opens; shown in get_state. */
  private sourceError: string | null = null;
  private features: AudioConfig['features'];
  // Source changes run one after another, so two quick set_config calls cannot open two inputs.
  private reopening: Promise<void> = Promise.resolve();

  private totalFrames = 0;
  private droppedBlocks = 0;
  private onsetSincePublish = false;
  private fluxSincePublish = 0;
  private lastPublishMs = Number.NEGATIVE_INFINITY;
  private second: SecondCounters = { frames: 0, peakDbfs: SILENT_DBFS, status: 'silent' };
  private readonly captureAge = new TimingWindow();
  private readonly analysisTime = new TimingWindow();
  private readonly sendTime = new TimingWindow();

  constructor(options: AudioWorkerOptions = {}) {
    const { stdin, env, restoreSettings: _restore, ...workerOptions } = options;
    const given: Partial<AudioConfig> = workerOptions.config ?? {};
    const config: AudioConfig = structuredClone({
      ...DEFAULT_AUDIO_CONFIG,
      ...given,
      features: { ...DEFAULT_AUDIO_CONFIG.features, ...given.features },
    });
    const problems = checkAudioConfig(config);
    if (problems.length > 0) {
      throw new VjError(
        'VJ_AUDIO_INVALID_CONFIG',
        `Invalid audio analyser settings: ${problems.join('; ')}`,
        {
          problems,
          shortMessage: 'invalid audio settings',
        },
      );
    }
    super({ ...AUDIO_DEFAULTS, ...workerOptions, config });
    this.stdin = stdin;
    this.env = env ?? process.env;
    if (options.restoreSettings !== false) this.restoreSettings();
    this.sender = new OscSender(this.log, this.config.osc_bundle);
    this.features = { ...this.config.features };
    this.command('list_devices', () => this.listDevices());
    this.command('set_device', (payload) => this.setDevice(payload));
    this.command('get_features', () => ({ frame: this.latest ?? null }));
    this.command('tap', () => this.override('tap', (rhythm) => rhythm.tap()));
    this.command('double', () => this.override('double', (rhythm) => octaveRejection(rhythm, 2)));
    this.command('halve', () => this.override('halve', (rhythm) => octaveRejection(rhythm, 0.5)));
    this.command('nudge', (payload) => this.nudge(payload));
    this.command('resync', () => this.override('resync', (rhythm) => rhythm.resync()));
    this.command('release', () => this.override('release', (rhythm) => rhythm.release()));
    this.command('forget_settings', () => this.forgetSettings());
  }

  /** Folder of the registry, the saved device choice and the saved settings. */
  private get vjHome(): string {
    return path.dirname(this.registry.path);
  }

  /** Applies the settings saved by earlier set_config calls over the start-up ones. */
  private restoreSettings(): void {
    const { settings, problems } = loadSettings(this.vjHome);
    for (const problem of problems) this.log.error({ problem }, problem);
    if (Object.keys(settings).length === 0) return;

    const restored: AudioConfig = {
      ...this.config,
      ...settings,
      features: { ...this.config.features, ...settings.features },
    };
    const conflicts = checkAudioConfig(restored);
    if (conflicts.length > 0) {
      this.log.error(
        { conflicts },
        `saved settings ignored because together they are invalid: ${conflicts.join('; ')}`,
      );
      return;
    }
    this.config = restored;
    this.saved = { ...settings };
    this.log.info(
      { keys: Object.keys(settings), file: path.join(this.vjHome, SETTINGS_FILE) },
      'restored the settings saved by set_config; forget_settings removes them',
    );
  }

  /** Saves the keys changed at run time, so that a restart keeps them. */
  private persist(changes: Partial<AudioConfig>): void {
    this.saved = { ...this.saved, ...changes };
    const snapshot = structuredClone(this.saved);
    this.saving = this.saving
      .then(() => saveSettings(this.vjHome, snapshot))
      .catch((error: unknown) => {
        this.log.error(
          { err: error, file: path.join(this.vjHome, SETTINGS_FILE) },
          'settings could not be saved; they last until the worker stops',
        );
      });
  }

  private async forgetSettings(): Promise<Record<string, unknown>> {
    const forgotten = Object.keys(this.saved);
    this.saved = {};
    await this.saving;
    await clearSettings(this.vjHome);
    this.log.info(
      { forgotten },
      'saved settings forgotten; the current settings last until the worker stops',
    );
    return { forgotten };
  }

  protected override async onStart(): Promise<void> {
    this.sender.setTargets(this.config.osc_targets);
    this.every(1000, () => this.publishStats());
    await this.openSource();
  }

  protected override async onStop(): Promise<void> {
    await this.reopening;
    await this.saving;
    await this.closeSource();
    await this.sender.close();
  }

  protected override describeState(): Record<string, unknown> {
    return {
      source: this.source === undefined ? null : { ...this.source.info(), status: this.sourceStatus },
      source_reason: this.choice?.reason ?? null,
      source_error: this.sourceError,
      input_status: this.inputStatus(),
      frames: this.totalFrames,
      dropped_blocks: this.droppedBlocks,
      osc: this.sender.stats(),
    };
  }

  protected override checkConfig(key: string, value: unknown): true | string {
    const verdict = checkAudioConfigKey(key, value);
    if (verdict !== true) return verdict;
    if (key === 'hop_size' && (value as number) > this.config.window_size) {
      return `hop_size ${JSON.stringify(value)} is larger than window_size ${this.config.window_size}; use a hop up to the window size`;
    }
    if (key === 'window_size' && (value as number) < this.config.hop_size) {
      return `window_size ${JSON.stringify(value)} is smaller than hop_size ${this.config.hop_size}; lower hop_size first`;
    }
    if (key === 'file' && typeof value === 'string' && !existsSync(value)) {
      return `no file at ${JSON.stringify(value)} (a relative path starts at ${process.cwd()}); check the path`;
    }
    if (key === 'osc_targets') {
      // Read the address maps now, so that a bad file is rejected before anything changes.
      for (const target of value as AudioConfig['osc_targets']) {
        if (typeof target.address_map !== 'string') continue;
        try {
          loadAddressMap(target.address_map);
        } catch (error) {
          return (error as Error).message;
        }
      }
    }
    return true;
  }

  protected override onConfigChanged(changes: Partial<AudioConfig>): void {
    if (changes.features !== undefined) {
      // set_config may name only some switches; the others keep their values.
      this.config.features = { ...this.features, ...changes.features };
      changes.features = this.config.features;
    }
    this.features = { ...this.config.features };
    this.persist(changes);
    if (changes.osc_targets !== undefined) this.sender.setTargets(changes.osc_targets);
    if (changes.osc_bundle !== undefined) this.sender.setBundle(changes.osc_bundle);
    this.analyzer?.reconfigure(analysisChanges(changes));
    if (Object.keys(changes).some((key) => REOPEN_KEYS.has(key))) {
      this.log.info({ changes: Object.keys(changes) }, 'settings changed that need the input reopened');
      this.reopen();
    }
  }

  /** Closes the input and opens it again with the current settings; failures are logged. */
  private reopen(): void {
    this.reopening = this.reopening.then(async () => {
      await this.closeSource();
      await this.openSource();
    });
  }

  private async openSource(): Promise<void> {
    let choice: SourceChoice;
    try {
      choice = await createSource(this.config, {
        vjHome: this.vjHome,
        stdin: this.stdin,
        env: this.env,
        log: this.log,
      });
    } catch (error) {
      this.log.error({ err: error }, 'audio input could not be chosen; no input until the settings change');
      this.sourceStatus = 'no_input';
      this.sourceError = (error as Error).message;
      return;
    }
    this.choice = choice;
    const source = choice.source;
    this.source = source;
    this.sourceStatus = 'no_input';
    source.on('block', (block) => this.onBlock(block));
    source.on('status', (status, reason) => this.onSourceStatus(status, reason));
    source.on('error', (error) => this.log.warn({ err: error, code: error.code }, 'audio input error'));
    if (choice.isFallback) this.log.warn({ reason: choice.reason }, choice.reason);
    else this.log.info({ kind: source.kind, reason: choice.reason }, 'audio input chosen');

    try {
      await source.start();
    } catch (error) {
      this.log.error(
        { err: error, kind: source.kind },
        'audio input could not be opened; no input until the settings change',
      );
      this.sourceStatus = 'no_input';
      this.sourceError = (error as Error).message;
      return;
    }
    this.sourceError = null;
    const info = source.info();
    this.analyzer = new Analyzer({
      sampleRate: info.sampleRate,
      windowSize: this.config.window_size,
      hopSize: this.config.hop_size,
      ...analysisChanges(this.config),
    });
    this.splitter = new HopSplitter(this.config.hop_size);
    this.log.info(
      {
        kind: info.kind,
        description: info.description,
        sampleRate: info.sampleRate,
        channels: info.channels,
      },
      'audio input open',
    );
  }

  private async closeSource(): Promise<void> {
    const source = this.source;
    this.source = undefined;
    this.analyzer = undefined;
    this.splitter = undefined;
    this.sourceStatus = 'no_input';
    if (source === undefined) return;
    source.removeAllListeners('block');
    try {
      await source.stop();
      this.log.info({ kind: source.kind }, 'audio input closed');
    } catch (error) {
      this.log.error({ err: error, kind: source.kind }, 'audio input did not close cleanly');
    }
  }

  private onSourceStatus(status: SourceStatus, reason: string | undefined): void {
    this.sourceStatus = status;
    if (status === 'open') this.log.info({ status }, 'audio input delivering');
    else this.log.warn({ status, reason }, reason ?? `audio input ${status}`);
  }

  private onBlock(block: AudioBlock): void {
    const analyzer = this.analyzer;
    const splitter = this.splitter;
    if (analyzer === undefined || splitter === undefined) return;

    const ageMs = performance.now() - block.capturedAtMs;
    const realtime = this.source?.info().realtime ?? true;
    if (realtime && ageMs > this.config.max_latency_ms) {
      // A late block would make every output late; skipping it keeps the visuals live.
      this.droppedBlocks++;
      splitter.reset();
      return;
    }
    this.captureAge.add(Math.max(0, ageMs));
    splitter.push(block.samples, block.channels, (hop) => this.onHop(analyzer, hop));
  }

  private onHop(analyzer: Analyzer, hop: Float32Array): void {
    const started = performance.now();
    const frame = analyzer.process(hop);
    const analysed = performance.now();
    this.sender.sendFrame(frameMessages(frame));
    const sent = performance.now();
    this.analysisTime.add(analysed - started);
    this.sendTime.add(sent - analysed);

    this.latest = frame;
    this.totalFrames++;
    this.countSecond(frame);
    if (frame.isOnset) {
      this.onsetSincePublish = true;
    }
    if (frame.beatChecked) {
      this.publish(Topics.audioBeat, beatPayload(frame));
    }
    this.fluxSincePublish = Math.max(this.fluxSincePublish, frame.flux);
    if (sent - this.lastPublishMs >= 1000 / this.config.telemetry_hz) {
      this.lastPublishMs = sent;
      this.publish(
        Topics.audioFeatures,
        featuresPayload(frame, this.inputStatus(), this.onsetSincePublish, this.fluxSincePublish),
      );
      this.onsetSincePublish = false;
      this.fluxSincePublish = 0;
    }
  }

  private countSecond(frame: FrameFeatures): void {
    const second = this.second;
    second.frames++;
    second.peakDbfs = Math.max(second.peakDbfs, frame.inputPeakDbfs);
    if (frame.inputStatus === 'clipping' || (frame.inputStatus === 'signal' && second.status === 'silent')) {
      second.status = frame.inputStatus;
    }
  }

  /** Returns the input status to show now: no_input takes precedence over the last frame's status. */
  private inputStatus(): InputStatus {
    if (this.source === undefined || this.sourceStatus !== 'open') return 'no_input';
    return this.latest?.inputStatus ?? 'silent';
  }

  private publishStats(): void {
    const second = this.second;
    const info = this.source?.info();
    const targets = this.sender.stats();
    const stats: AudioStats = {
      frames: this.totalFrames,
      frames_per_s: second.frames,
      dropped_blocks: this.droppedBlocks,
      input_peak_dbfs: Math.round(second.peakDbfs * 100) / 100,
      input_status: this.source === undefined || this.sourceStatus !== 'open' ? 'no_input' : second.status,
      source: {
        kind: info?.kind ?? 'none',
        description: info?.description ?? this.choice?.reason ?? 'no input',
      },
      capture_age_ms: this.captureAge.summary(),
      analysis_ms: this.analysisTime.summary(),
      send_ms: this.sendTime.summary(),
      osc_sent: targets.reduce((sum, target) => sum + target.sent, 0),
      osc_errors: targets.reduce((sum, target) => sum + target.errors, 0),
    };
    this.publish(Topics.audioStats, stats);
    this.second = { frames: 0, peakDbfs: SILENT_DBFS, status: 'silent' };
    this.captureAge.reset();
    this.analysisTime.reset();
    this.sendTime.reset();
  }

  private async listDevices(): Promise<Record<string, unknown>> {
    const listing = await listInputDevices({ env: this.env, log: this.log });
    const current = this.source?.info().device;
    return {
      devices: listing.devices.map((device) => ({
        id: device.id,
        name: device.name,
        host_api: device.hostApi,
        max_input_channels: device.maxInputChannels,
        default_sample_rate: device.defaultSampleRate,
        is_default: device.isDefault,
        is_loopback: device.isLoopback,
        is_current:
          current !== undefined && current.name === device.name && current.hostApi === device.hostApi,
      })),
    };
  }

  /**
   * Applies a performer override to the beat tracking of the open input.
   * `apply` returns a string when it rejected the override: the reason sent
   * back. Overrides last until `release` or until the input is reopened.
   */
  private override(command: string, apply: (rhythm: RhythmOverrides) => unknown): Record<string, unknown> {
    const analyzer = this.analyzer;
    if (analyzer === undefined) {
      return { applied: false, reason: 'no audio input is open' };
    }
    const rejection = apply(analyzer.rhythmOverrides);
    if (typeof rejection === 'string') {
      this.log.info({ command, reason: rejection }, 'beat override not applied');
      return { applied: false, reason: rejection };
    }
    this.log.info({ command }, 'beat override applied');
    return { applied: true };
  }

  private nudge(payload: Record<string, unknown>): Record<string, unknown> {
    const ms = payload.ms;
    if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > MAX_NUDGE_MS) {
      throw new VjError(
        'VJ_BUS_INVALID_PAYLOAD',
        `nudge expects "ms" to be a number of milliseconds from -${MAX_NUDGE_MS} to ${MAX_NUDGE_MS}, received ${JSON.stringify(ms)}`,
        { field: 'ms', value: ms, shortMessage: 'invalid nudge' },
      );
    }
    return this.override('nudge', (rhythm) => rhythm.nudge(ms));
  }

  private async setDevice(payload: Record<string, unknown>): Promise<Record<string, unknown>> {
    const request = payload.device;
    if (
      !(typeof request === 'string' && request.length > 0) &&
      !(Number.isInteger(request) && (request as number) >= 0)
    ) {
      throw new VjError(
        'VJ_BUS_INVALID_PAYLOAD',
        `set_device expects "device" to be a device name or index from list_devices, received ${JSON.stringify(request)}`,
        { field: 'device', value: request },
      );
    }
    const listing = await listInputDevices({ env: this.env, log: this.log });
    const selection = selectDevice(listing.devices, request as string | number, undefined);
    if (selection.device === undefined) {
      throw new VjError('VJ_AUDIO_DEVICE_NOT_FOUND', selection.reason, {
        device: request,
        shortMessage: `no device ${JSON.stringify(request)}`,
      });
    }
    const device = selection.device;
    await saveDeviceChoice(this.vjHome, { hostApi: device.hostApi, name: device.name });
    this.config = { ...this.config, source: 'device', device: device.name };
    this.persist({ source: 'device', device: device.name });
    this.log.info({ device: device.name, hostApi: device.hostApi }, 'input device chosen');
    this.reopen();
    await this.reopening;
    return {
      device: { id: device.id, name: device.name, host_api: device.hostApi },
      status: this.sourceStatus,
    };
  }
}

/** Converts the analysis keys among the worker's settings to the analyser's names. */
function analysisChanges(config: Partial<AudioConfig>): AnalysisChanges {
  const changes: AnalysisChanges = {};
  if (config.smoothing !== undefined) changes.smoothing = config.smoothing;
  if (config.compression !== undefined) changes.compression = config.compression;
  if (config.band_gains !== undefined) changes.bandGains = [...config.band_gains];
  if (config.band_edges !== undefined)
    changes.bandEdgesHz = config.band_edges.map(([low, high]) => [low, high] as const);
  if (config.noise_gate_dbfs !== undefined) changes.noiseGateDbfs = config.noise_gate_dbfs;
  if (config.bpm_range !== undefined) changes.bpmRange = [config.bpm_range[0], config.bpm_range[1]];
  if (config.tempo_lock !== undefined) changes.tempoLock = config.tempo_lock;
  if (config.tempo_hold_s !== undefined) changes.tempoHoldS = config.tempo_hold_s;
  if (config.features !== undefined) changes.features = { ...config.features };
  return changes;
}

/**
 * Doubles (`ratio` 2) or halves (0.5) the tempo and returns undefined, or
 * returns why it did not: no tempo yet, or a result outside bpm_range.
 */
function octaveRejection(rhythm: RhythmOverrides, ratio: 2 | 0.5): string | undefined {
  const before = rhythm.bpm;
  const applied = ratio === 2 ? rhythm.double() : rhythm.halve();
  if (applied) {
    return undefined;
  }
  if (before === 0) {
    return 'there is no tempo yet; wait for one or tap it';
  }
  const [low, high] = rhythm.config.bpmRange;
  const after = before * ratio;
  if (after >= low && after <= high) {
    return `the tempo is already ${ratio === 2 ? '4 times' : 'a quarter of'} the tracked one, the furthest double and halve go; release to start again`;
  }
  return `${after.toFixed(1)} BPM is outside bpm_range [${low}, ${high}]; widen bpm_range to allow it`;
}
