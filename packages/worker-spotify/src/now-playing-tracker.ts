/**
 * NowPlayingTracker: turns backend reports into the `spotify.state` payload.
 * It decides what counts as a track change, keeps the fields of the current
 * track when a player sends them empty, and extrapolates the position.
 */
import type { NowPlaying, NowPlayingAvailability, NowPlayingField, PlaybackStatus } from '@vj/bus';
import type { PlayerReport, TrackMetadata } from './player-report';

/**
 * A reported position further than this from the extrapolated one counts as a
 * seek and is published at once, in seconds. Polled positions (osascript,
 * once a second) drift by a few tens of ms, so 1 s leaves a wide margin.
 */
export const SEEK_THRESHOLD_S = 1;

/** Result of applying one report. */
export interface TrackerUpdate {
  /** A field that subscribers receive changed, so the state should be published now. */
  changed: boolean;
  /** A new track started. */
  trackChanged: boolean;
}

interface Track {
  artist: string | null;
  title: string | null;
  album: string | null;
  durationS: number | null;
  trackId: string | null;
  artUrl: string | null;
  url: string | null;
}

const TAG_FIELDS = ['title', 'artist', 'album'] as const;

/**
 * Tracks the state of the followed player.
 *
 * @example
 * const tracker = new NowPlayingTracker('mpris');
 * if (tracker.apply(report).changed) publish(tracker.snapshot());
 */
export class NowPlayingTracker {
  private backend: NowPlaying['backend'];
  private availability: NowPlayingAvailability = 'no_player';
  private hint: string | null = null;
  private player: string | null = null;
  private status: PlaybackStatus = 'stopped';
  private track: Track | null = null;
  private trackChanges = 0;
  private positionS: number | null = null;
  private positionAtMs = 0;
  private rate = 1;

  constructor(backend: NowPlaying['backend']) {
    this.backend = backend;
  }

  /** Current playback status. */
  get playbackStatus(): PlaybackStatus {
    return this.status;
  }

  /** Forgets the player and starts over for another backend; the track change count is kept. */
  reset(backend: NowPlaying['backend']): void {
    this.backend = backend;
    this.availability = 'no_player';
    this.hint = null;
    this.player = null;
    this.status = 'stopped';
    this.track = null;
    this.positionS = null;
  }

  /** Applies one backend report and returns whether it changed the published state. */
  apply(report: PlayerReport): TrackerUpdate {
    const before = this.signature();
    const expectedS = this.positionAt(report.observedAtMs);

    let trackChanged = false;
    if (report.availability === 'ok') {
      const incoming = toTrack(report.metadata);
      if (this.track === null || isNewTrack(this.track, incoming)) {
        this.track = incoming;
        this.trackChanges++;
        trackChanged = true;
      } else {
        this.track = mergeSameTrack(this.track, incoming);
      }
    } else {
      this.track = null;
    }

    this.availability = report.availability;
    this.hint = report.hint;
    this.player = report.player;
    this.status = report.status;
    this.rate = report.rate;
    this.positionS = report.positionS;
    this.positionAtMs = report.observedAtMs;

    const seeked =
      !trackChanged &&
      expectedS !== null &&
      report.positionS !== null &&
      Math.abs(report.positionS - expectedS) > SEEK_THRESHOLD_S;
    return { changed: trackChanged || seeked || this.signature() !== before, trackChanged };
  }

  /** Builds the `spotify.state` payload at `nowMs` (`performance.now()`), with the position extrapolated. */
  snapshot(nowMs: number = performance.now()): NowPlaying {
    const track = this.track;
    return {
      backend: this.backend,
      availability: this.availability,
      hint: this.hint,
      player: this.player,
      status: this.status,
      artist: track?.artist ?? null,
      title: track?.title ?? null,
      album: track?.album ?? null,
      duration_s: track?.durationS ?? null,
      position_s: this.positionAt(nowMs),
      track_id: track?.trackId ?? null,
      art_url: track?.artUrl ?? null,
      missing: track === null ? [] : missingFields(track),
      track_changes: this.trackChanges,
      updated_at: Date.now() / 1000,
    };
  }

  private positionAt(nowMs: number): number | null {
    if (this.positionS === null) return null;

    const elapsedS = this.status === 'playing' ? ((nowMs - this.positionAtMs) / 1000) * this.rate : 0;
    const positionS = Math.max(0, this.positionS + elapsedS);
    const durationS = this.track?.durationS ?? null;
    const clampedS = durationS === null ? positionS : Math.min(positionS, durationS);
    return Math.round(clampedS * 1000) / 1000;
  }

  // Everything but the position and the time, which change on their own.
  private signature(): string {
    return JSON.stringify([
      this.backend,
      this.availability,
      this.hint,
      this.player,
      this.status,
      this.track,
      this.rate,
    ]);
  }
}

function toTrack(metadata: TrackMetadata): Track {
  return {
    artist: metadata.artist ?? null,
    title: metadata.title ?? null,
    album: metadata.album ?? null,
    durationS: metadata.durationS ?? null,
    trackId: metadata.trackId ?? null,
    artUrl: metadata.artUrl ?? null,
    url: metadata.url ?? null,
  };
}

/**
 * Tells whether `incoming` is another track than `current`. Different track
 * ids mark a new track. mpv numbers tracks by playlist position, so a
 * replaced playlist reuses `/0`: where both sides give a url, the url decides.
 * With the same id and no url, it is the same track. Without ids, a title,
 * artist or album that both sides give and that differs marks a new track.
 * An empty field never does, because players blank fields of a playing track,
 * and mpv first titles a file by its name and then by its tags.
 */
function isNewTrack(current: Track, incoming: Track): boolean {
  const bothIds = current.trackId !== null && incoming.trackId !== null;
  if (bothIds && current.trackId !== incoming.trackId) return true;
  if (current.url !== null && incoming.url !== null) return current.url !== incoming.url;
  if (bothIds) return false;

  return TAG_FIELDS.some((field) => {
    const before = current[field];
    const after = incoming[field];
    return before !== null && after !== null && before !== after;
  });
}

// Same track: a field the player sent empty keeps the value it had for this track.
function mergeSameTrack(current: Track, incoming: Track): Track {
  return {
    artist: incoming.artist ?? current.artist,
    title: incoming.title ?? current.title,
    album: incoming.album ?? current.album,
    durationS: incoming.durationS ?? current.durationS,
    trackId: incoming.trackId ?? current.trackId,
    artUrl: incoming.artUrl ?? current.artUrl,
    url: incoming.url ?? current.url,
  };
}

function missingFields(track: Track): NowPlayingField[] {
  const missing: NowPlayingField[] = [];
  if (track.artist === null) missing.push('artist');
  if (track.title === null) missing.push('title');
  if (track.album === null) missing.push('album');
  if (track.durationS === null) missing.push('duration_s');
  if (track.trackId === null) missing.push('track_id');
  if (track.artUrl === null) missing.push('art_url');
  return missing;
}
