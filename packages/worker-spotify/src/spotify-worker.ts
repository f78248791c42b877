/**
 * SpotifyWorker: reports what the media player plays. It publishes
 * `spotify.state` on every change and every second while playing, returns the
 * latest state from `get_state`, and optionally sends it over OSC.
 */
import { type NowPlaying, Topics, Worker, type WorkerOptions } from '@vj/bus';
import { createBackend } from './backends';
import { checkSpotifyConfig, SPOTIFY_DEFAULTS, type SpotifyConfig } from './config';
import { MprisBackend } from './mpris/mpris-backend';
import { NowPlayingTracker } from './now-playing-tracker';
import { OscOutput } from './osc/osc-output';
import type { Backend, PlayerReport } from './player-report';

/** Interval of `spotify.state` while playing, in ms. */
export const PUBLISH_INTERVAL_MS = 1000;
/**
 * Interval of `spotify.state` while not playing, in ms, so that a subscriber
 * or OSC receiver that starts late learns the state without waiting for a change.
 */
export const IDLE_PUBLISH_INTERVAL_MS = 5000;

/** Options of a SpotifyWorker: the Worker options, all with defaults, plus what tests replace. */
export interface SpotifyWorkerOptions extends Partial<Omit<WorkerOptions<SpotifyConfig>, 'config'>> {
  /** Initial configuration; keys left out take their SPOTIFY_DEFAULTS value. */
  config?: Partial<SpotifyConfig>;
  /** Environment of the backends: DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR and PATH (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Platform that `backend: auto` decides by (default process.platform). */
  platform?: NodeJS.Platform;
  /** Delays between session bus reconnects, in ms; the last one repeats. */
  reconnectDelaysMs?: readonly number[];
}

// Availabilities that need a person; the others are ordinary states of a player.
const WARN_AVAILABILITIES = new Set(['not_authorized', 'no_session_bus', 'not_supported', 'error']);

/**
 * The now-playing worker (registry name `spotify_monitor`). Commands besides
 * the built-in ones: `list_players`.
 *
 * @example
 * await new SpotifyWorker().run();
 */
export class SpotifyWorker extends Worker<SpotifyConfig> {
  private readonly tracker = new NowPlayingTracker('none');
  private readonly osc: OscOutput;
  private readonly env: NodeJS.ProcessEnv;
  private readonly platform: NodeJS.Platform;
  private readonly reconnectDelaysMs: readonly number[] | undefined;
  private backend: Backend | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private loggedAvailability = '';
  // Backend changes run one after another, so two quick set_config calls cannot run two backends.
  private backendChange: Promise<void> = Promise.resolve();

  constructor(options: SpotifyWorkerOptions = {}) {
    const { env, platform, reconnectDelaysMs, ...workerOptions } = options;
    const config: SpotifyConfig = {
      ...SPOTIFY_DEFAULTS.config,
      osc_targets: [...SPOTIFY_DEFAULTS.config.osc_targets],
      ...workerOptions.config,
    };
    super({ ...SPOTIFY_DEFAULTS, ...workerOptions, config });
    this.env = env ?? process.env;
    this.platform = platform ?? process.platform;
    this.reconnectDelaysMs = reconnectDelaysMs;
    this.osc = new OscOutput(this.log);
    this.command('list_players', () => ({
      backend: this.backend?.kind ?? 'none',
      players: this.backend?.players() ?? [],
    }));
  }

  /** Returns the latest state, with the position extrapolated to now. */
  nowPlaying(): NowPlaying {
    return this.tracker.snapshot();
  }

  /** Resolves once the backend changes requested so far have been applied. */
  backendSettled(): Promise<void> {
    return this.backendChange;
  }

  protected override async onStart(): Promise<void> {
    this.configureOsc();
    await this.changeBackend();
    let ticks = 0;
    this.every(PUBLISH_INTERVAL_MS, () => {
      ticks++;
      const idleDue = ticks % (IDLE_PUBLISH_INTERVAL_MS / PUBLISH_INTERVAL_MS) === 0;
      if (this.tracker.playbackStatus === 'playing' || idleDue) this.publishState();
    });
  }

  protected override async onStop(): Promise<void> {
    await this.backendChange;
    await this.backend?.stop();
    this.backend = undefined;
    this.stopProgress();
    this.osc.close();
  }

  protected override describeState(): Record<string, unknown> {
    return { ...this.tracker.snapshot() };
  }

  protected override checkConfig(key: string, value: unknown): true | string {
    const verdict = checkSpotifyConfig(key, value);
    if (verdict !== undefined && verdict !== true) return verdict;
    return super.checkConfig(key, value);
  }

  protected override onConfigChanged(changes: Partial<SpotifyConfig>): void {
    if (changes.backend !== undefined) void this.changeBackend();
    if (changes.mpris_player !== undefined && this.backend instanceof MprisBackend) this.backend.reselect();
    if (
      changes.osc_enabled !== undefined ||
      changes.osc_targets !== undefined ||
      changes.osc_prefix !== undefined ||
      changes.osc_progress_hz !== undefined
    ) {
      this.configureOsc();
    }
  }

  private changeBackend(): Promise<void> {
    this.backendChange = this.backendChange.then(async () => {
      await this.backend?.stop();
      const backend = createBackend({
        config: () => this.config,
        onReport: (report) => {
          if (this.backend === backend) this.onReport(report);
        },
        log: this.log,
        env: this.env,
        platform: this.platform,
        ...(this.reconnectDelaysMs === undefined ? {} : { reconnectDelaysMs: this.reconnectDelaysMs }),
      });
      this.backend = backend;
      this.tracker.reset(backend.kind);
      this.log.info({ backend: backend.kind }, 'backend started');
      await backend.start();
    });
    return this.backendChange;
  }

  private onReport(report: PlayerReport): void {
    const update = this.tracker.apply(report);
    this.logAvailability(report);
    if (!update.changed) return;

    const state = this.tracker.snapshot();
    if (update.trackChanged) {
      this.log.info(
        {
          player: state.player,
          artist: state.artist,
          title: state.title,
          track_id: state.track_id,
          missing: state.missing,
        },
        'track changed',
      );
    }
    this.publishState(state);
  }

  private publishState(state: NowPlaying = this.tracker.snapshot()): void {
    this.publish(Topics.spotifyState, state);
    if (!this.config.osc_enabled) return;

    this.osc.sendTrack(state);
    this.osc.sendState(state);
  }

  // Logs each availability once when it begins, so a player that stays away never logs every poll.
  private logAvailability(report: PlayerReport): void {
    const key = `${report.availability}|${report.player}|${report.hint}`;
    if (key === this.loggedAvailability) return;

    this.loggedAvailability = key;
    const fields = {
      availability: report.availability,
      player: report.player,
      hint: report.hint,
      code: report.code,
    };
    if (WARN_AVAILABILITIES.has(report.availability)) this.log.warn(fields, 'player unavailable');
    else this.log.info(fields, 'player availability changed');
  }

  private configureOsc(): void {
    this.stopProgress();
    if (!this.config.osc_enabled) {
      this.osc.close();
      return;
    }

    this.osc.configure(this.config.osc_targets, this.config.osc_prefix);
    this.progressTimer = this.every(1000 / this.config.osc_progress_hz, () => {
      if (this.tracker.playbackStatus === 'playing') this.osc.sendProgress(this.tracker.snapshot());
    });
    this.log.info(
      { targets: this.config.osc_targets, prefix: this.config.osc_prefix },
      'osc output configured',
    );
  }

  private stopProgress(): void {
    if (this.progressTimer === undefined) return;
    this.cancel(this.progressTimer);
    this.progressTimer = undefined;
  }
}
