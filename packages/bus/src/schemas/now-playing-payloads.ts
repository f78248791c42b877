/**
 * Payload of `spotify.state`: what the now-playing worker reports about the
 * media player. Every metadata field is nullable, because players often leave
 * fields empty (Spotify over MPRIS shows only the album during Spotify Connect
 * playback), and the worker reports a gap instead of inventing a value.
 */
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';

/** Whether a player could be read, and if not, why. */
export const NowPlayingAvailabilities = [
  /** A player was read and has a track. */
  'ok',
  /** A player was read but has no current track (Spotify just launched, say). */
  'no_track',
  /** No MPRIS player is on the session bus. */
  'no_player',
  /** The macOS player application is installed but not running. */
  'not_running',
  /** The macOS player application is not installed. */
  'not_installed',
  /** macOS denied the Automation permission to control the player. */
  'not_authorized',
  /** No D-Bus session bus could be reached. */
  'no_session_bus',
  /** The platform has no backend, or the configured backend cannot run here. */
  'not_supported',
  /** Reading the player failed for another reason; `hint` contains the error. */
  'error',
] as const;
export type NowPlayingAvailability = (typeof NowPlayingAvailabilities)[number];

/** Metadata fields that a player may leave empty, as listed in `NowPlaying.missing`. */
export const NowPlayingFields = ['artist', 'title', 'album', 'duration_s', 'track_id', 'art_url'] as const;
export type NowPlayingField = (typeof NowPlayingFields)[number];

function Nullable<T extends TSchema>(schema: T) {
  return Type.Union([schema, Type.Null()]);
}

/** Playback status as MPRIS and the macOS players report it. */
export const PlaybackStatus = Type.Union([
  Type.Literal('playing'),
  Type.Literal('paused'),
  Type.Literal('stopped'),
]);
export type PlaybackStatus = Static<typeof PlaybackStatus>;

/** The state of the media player, published on `spotify.state` and returned by `get_state`. */
export const NowPlaying = Type.Object({
  /** Backend that produced the state: MPRIS over D-Bus, osascript on macOS, or none. */
  backend: Type.Union([Type.Literal('mpris'), Type.Literal('osascript'), Type.Literal('none')]),
  availability: Type.Union(NowPlayingAvailabilities.map((value) => Type.Literal(value))),
  /** One sentence on what to do when `availability` is not `ok`, else null. */
  hint: Nullable(Type.String()),
  /** Player name: the MPRIS bus name without `org.mpris.MediaPlayer2.` (`spotify`, `mpv`), or the macOS application (`Spotify`, `Music`). */
  player: Nullable(Type.String()),
  status: PlaybackStatus,
  /** Artists joined with ", " (MPRIS sends a list). */
  artist: Nullable(Type.String()),
  title: Nullable(Type.String()),
  album: Nullable(Type.String()),
  /** Track length in seconds. */
  duration_s: Nullable(Type.Number({ minimum: 0 })),
  /** Playback position in seconds, extrapolated from the last report while playing. */
  position_s: Nullable(Type.Number({ minimum: 0 })),
  /** Player's track id: `mpris:trackid` (a D-Bus object path) or the Spotify URI. */
  track_id: Nullable(Type.String()),
  /** Cover art URL when the player gives one. */
  art_url: Nullable(Type.String()),
  /** Metadata fields that the player left empty for the current track. */
  missing: Type.Array(Type.Union(NowPlayingFields.map((field) => Type.Literal(field)))),
  /** Number of track changes seen since the worker started. */
  track_changes: Type.Integer({ minimum: 0 }),
  /** Wall-clock time of this state, Unix seconds. */
  updated_at: Type.Number(),
});
export type NowPlaying = Static<typeof NowPlaying>;

export const NowPlayingValidator = TypeCompiler.Compile(NowPlaying);
