/**
 * OsascriptBackend: reads Spotify or Music on macOS by running the
 * now-playing AppleScript with osascript at a fixed interval. Reads never
 * overlap: the next one is scheduled when the previous one has finished.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { VjError, type Worker } from '@vj/bus';
import type { Backend, PlayerListing, ReportListener } from '../player-report';
import { type MacApp, nowPlayingScript } from './applescript';
import { classifyFailure, type OsascriptReading, parseScriptOutput } from './osascript-output';

/** Time after which a hung osascript is killed, in ms; above the script's own Apple event timeout. */
export const OSASCRIPT_TIMEOUT_MS = 5000;

/** Options of an OsascriptBackend. */
export interface OsascriptBackendOptions {
  /** Returns config `macos_player`, read at every poll. */
  macosPlayer: () => 'auto' | 'spotify' | 'music';
  /** Returns config `poll_interval_ms`, read at every poll. */
  pollIntervalMs: () => number;
  onReport: ReportListener;
  log: Worker['log'];
  /** Environment of osascript; its PATH decides which osascript runs. Default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The macOS backend.
 *
 * @example
 * const backend = new OsascriptBackend({ macosPlayer: () => 'auto', pollIntervalMs: () => 1000, onReport, log });
 * await backend.start();
 */
export class OsascriptBackend implements Backend {
  readonly kind = 'osascript' as const;
  private readonly options: OsascriptBackendOptions;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private child: ChildProcess | undefined;
  private polling: Promise<void> = Promise.resolve();
  private lastApp: MacApp | undefined;
  private lastStatus: OsascriptReading['status'] = 'stopped';

  constructor(options: OsascriptBackendOptions) {
    this.options = options;
  }

  /** Reads the player once, then keeps reading every `poll_interval_ms`. */
  async start(): Promise<void> {
    this.running = true;
    this.polling = this.poll();
    await this.polling;
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    this.child?.kill('SIGKILL');
    await this.polling;
  }

  players(): PlayerListing[] {
    if (this.lastApp === undefined) return [];
    return [{ name: this.lastApp, status: this.lastStatus, selected: true }];
  }

  private async poll(): Promise<void> {
    const [app, reading] = await this.readConfiguredPlayer();
    if (!this.running) return;

    this.lastApp = reading.availability === 'ok' || reading.availability === 'no_track' ? app : undefined;
    this.lastStatus = reading.status;
    const report = {
      availability: reading.availability,
      hint: reading.hint,
      player: app,
      status: reading.status,
      metadata: reading.metadata,
      positionS: reading.positionS,
      observedAtMs: performance.now(),
      rate: 1,
    };
    this.options.onReport(reading.code === undefined ? report : { ...report, code: reading.code });
    this.timer = setTimeout(() => {
      this.polling = this.poll();
    }, this.options.pollIntervalMs());
  }

  // In `auto`, Music is read only while Spotify is not running or not installed.
  private async readConfiguredPlayer(): Promise<[MacApp, OsascriptReading]> {
    const choice = this.options.macosPlayer();
    if (choice === 'music') return ['Music', await this.read('Music')];

    const spotify = await this.read('Spotify');
    if (choice === 'spotify' || !this.running) return ['Spotify', spotify];
    if (spotify.availability !== 'not_running' && spotify.availability !== 'not_installed') {
      return ['Spotify', spotify];
    }
    const music = await this.read('Music');
    return music.availability === 'not_running' ? ['Spotify', spotify] : ['Music', music];
  }

  private async read(app: MacApp): Promise<OsascriptReading> {
    try {
      const { code, stdout, stderr } = await this.runOsascript(nowPlayingScript(app));
      return code === 0 ? parseScriptOutput(stdout, app) : classifyFailure(stderr, app);
    } catch (error) {
      if (!(error instanceof VjError)) throw error;
      const availability = error.code === 'VJ_SPOTIFY_OSASCRIPT_MISSING' ? 'not_supported' : 'error';
      return {
        availability,
        hint: error.message,
        code: error.code,
        status: 'stopped',
        metadata: {},
        positionS: null,
      };
    }
  }

  /**
   * Runs osascript with `script` on stdin.
   *
   * @throws VjError VJ_SPOTIFY_OSASCRIPT_MISSING when osascript is not on PATH, VJ_SPOTIFY_OSASCRIPT_FAILED when it is killed after OSASCRIPT_TIMEOUT_MS.
   */
  private runOsascript(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn('osascript', [], { env: this.options.env ?? process.env, stdio: 'pipe' });
      this.child = child;
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, OSASCRIPT_TIMEOUT_MS);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
      });
      // osascript may exit before it reads all of stdin (EPIPE here), and its exit status reports why.
      child.stdin.on('error', () => {});
      child.stdin.end(script);

      child.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (error.code !== 'ENOENT') {
          reject(
            new VjError('VJ_SPOTIFY_OSASCRIPT_FAILED', `osascript could not be started: ${error.message}`, {
              cause: error,
              shortMessage: 'osascript failed to start',
            }),
          );
          return;
        }
        reject(
          new VjError(
            'VJ_SPOTIFY_OSASCRIPT_MISSING',
            'osascript was not found on PATH, so Spotify and Music cannot be read; the osascript backend runs only on macOS, so set backend to "auto" or "mpris" elsewhere',
            { cause: error, shortMessage: 'osascript not found' },
          ),
        );
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (this.child === child) this.child = undefined;
        if (timedOut) {
          reject(
            new VjError(
              'VJ_SPOTIFY_OSASCRIPT_FAILED',
              `osascript did not finish within ${OSASCRIPT_TIMEOUT_MS} ms and was killed; the player may be hung`,
              { timeoutMs: OSASCRIPT_TIMEOUT_MS, shortMessage: 'osascript timed out' },
            ),
          );
          return;
        }
        resolve({ code, stdout, stderr });
      });
    });
  }
}
