/**
 * Player reports, which backends send about the player they follow, and the
 * Backend interface. The worker turns reports into `spotify.state`.
 */
import type { NowPlayingAvailability, PlaybackStatus } from '@vj/bus';

/** Track metadata as a player gives it; a field the player left empty is absent. */
export interface TrackMetadata {
  artist?: string;
  title?: string;
  album?: string;
  /** Track length in seconds. */
  durationS?: number;
  /** `mpris:trackid` or the player's own id (a Spotify URI, a Music persistent ID). */
  trackId?: string;
  artUrl?: string;
  /** Location of the media (`xesam:url`); used to tell tracks apart, not published. */
  url?: string;
}

/** One observation of the followed player, or of why there is none. */
export interface PlayerReport {
  availability: NowPlayingAvailability;
  /** One sentence on what to do when `availability` is not `ok`, else null. */
  hint: string | null;
  /** Error code from errors.ts behind an `error`, `no_session_bus` or `not_authorized` state. */
  code?: string;
  /** Player name, e.g. `spotify`, `mpv`, `Spotify`, `Music`. */
  player: string | null;
  status: PlaybackStatus;
  metadata: TrackMetadata;
  /** Position in seconds at `observedAtMs`, or null when the player gives none. */
  positionS: number | null;
  /** `performance.now()` when the position was read, in ms. */
  observedAtMs: number;
  /** Playback rate, 1 at normal speed. */
  rate: number;
}

/** Receives every report of a backend. */
export type ReportListener = (report: PlayerReport) => void;

/** A player seen by a backend, as `list_players` returns it. */
export interface PlayerListing {
  name: string;
  status: PlaybackStatus;
  selected: boolean;
}

/** A source of player reports: MPRIS on Linux, osascript on macOS. */
export interface Backend {
  readonly kind: 'mpris' | 'osascript' | 'none';
  /** Starts following the player; never rejects, since an unreachable player is a reported state. */
  start(): Promise<void>;
  /** Stops following and releases sockets, timers and child processes. */
  stop(): Promise<void>;
  /** Players currently known to the backend. */
  players(): PlayerListing[];
}

/** Report of a state without a player, such as `no_session_bus`. */
export function unavailableReport(
  availability: NowPlayingAvailability,
  hint: string | null,
  code?: string,
): PlayerReport {
  const report: PlayerReport = {
    availability,
    hint,
    player: null,
    status: 'stopped',
    metadata: {},
    positionS: null,
    observedAtMs: performance.now(),
    rate: 1,
  };
  if (code !== undefined) report.code = code;
  return report;
}
