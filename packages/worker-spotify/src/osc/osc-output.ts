/**
 * OscOutput: sends the now-playing state to visual software over OSC/UDP with
 * node-osc, to every configured target.
 */
import type { NowPlaying, Worker } from '@vj/bus';
import { Client } from 'node-osc';
import { parseOscTarget } from '../config';

/** A failed send is logged at most once per target in this interval, in ms. */
export const OSC_ERROR_LOG_INTERVAL_MS = 10_000;

type OscArgument = { type: 'i' | 'f' | 's'; value: number | string };

/**
 * The OSC output, under the configured prefix (default `/spotify`).
 * `/track` carries [artist, title, album] as strings, with `""` for a missing field.
 * `/state` carries [is_playing (int 0/1), position_s (float), duration_s (float, 0 when unknown)].
 * `/progress` carries [position / duration] as a float 0–1, sent only when the duration is known.
 *
 * @example
 * const osc = new OscOutput(log);
 * osc.configure(['127.0.0.1:9000'], '/spotify');
 * osc.sendTrack(state);
 */
export class OscOutput {
  private readonly log: Worker['log'];
  private readonly clients = new Map<string, Client>();
  private readonly failures = new Map<string, { count: number; loggedAtMs: number }>();
  private prefix = '/spotify';

  constructor(log: Worker['log']) {
    this.log = log;
  }

  /** Targets that have a socket. */
  get targets(): string[] {
    return [...this.clients.keys()];
  }

  /** Opens a socket for each new target and closes those of removed targets; targets must be valid `host:port`. */
  configure(targets: readonly string[], prefix: string): void {
    this.prefix = prefix;
    for (const [target, client] of this.clients) {
      if (targets.includes(target)) continue;
      void client.close();
      this.clients.delete(target);
    }
    for (const target of targets) {
      if (this.clients.has(target)) continue;
      const parsed = parseOscTarget(target);
      if (parsed === undefined) continue;
      const client = new Client(parsed.host, parsed.port);
      client.on('error', (error: Error) => this.onSendFailed(target, error));
      this.clients.set(target, client);
    }
  }

  /** Sends `<prefix>/track` [artist, title, album]. */
  sendTrack(state: NowPlaying): void {
    this.send('/track', [text(state.artist), text(state.title), text(state.album)]);
  }

  /** Sends `<prefix>/state` [is_playing, position_s, duration_s]. */
  sendState(state: NowPlaying): void {
    this.send('/state', [
      { type: 'i', value: state.status === 'playing' ? 1 : 0 },
      // node-osc sends an integer-valued number as `i`, so floats are typed explicitly.
      { type: 'f', value: state.position_s ?? 0 },
      { type: 'f', value: state.duration_s ?? 0 },
    ]);
  }

  /** Sends `<prefix>/progress` [0–1] when the duration and position are known. */
  sendProgress(state: NowPlaying): void {
    if (state.duration_s === null || state.duration_s <= 0 || state.position_s === null) return;

    const progress = Math.min(1, Math.max(0, state.position_s / state.duration_s));
    this.send('/progress', [{ type: 'f', value: progress }]);
  }

  /** Closes every socket. */
  close(): void {
    for (const client of this.clients.values()) void client.close();
    this.clients.clear();
  }

  private send(suffix: string, args: OscArgument[]): void {
    const address = this.prefix + suffix;
    for (const [target, client] of this.clients) {
      client.send(address, ...args, (error: Error | null) => {
        if (error) this.onSendFailed(target, error);
      });
    }
  }

  private onSendFailed(target: string, error: Error): void {
    const failure = this.failures.get(target) ?? { count: 0, loggedAtMs: -Infinity };
    failure.count++;
    this.failures.set(target, failure);
    const nowMs = performance.now();
    if (nowMs - failure.loggedAtMs < OSC_ERROR_LOG_INTERVAL_MS) return;

    failure.loggedAtMs = nowMs;
    this.log.warn(
      { target, code: 'VJ_SPOTIFY_OSC_SEND_FAILED', error: error.message, failures: failure.count },
      'osc send failed',
    );
  }
}

// OSC 1.0 strings end at the first NUL, so a NUL inside a field is dropped.
function text(value: string | null): OscArgument {
  return { type: 's', value: (value ?? '').replaceAll('\u0000', '') };
}
