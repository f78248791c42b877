/**
 * Conversion of MPRIS values, as dbus-next returns them, into plain values.
 * MPRIS 2.2 (the Player interface): `Metadata` is `a{sv}`, `xesam:artist`
 * is an array of strings, `mpris:length` and `Position` are int64
 * microseconds, which dbus-next returns as BigInt.
 */
import type { PlaybackStatus } from '@vj/bus';
import type { TrackMetadata } from '../player-report';

/** Well-known bus names of MPRIS players start with this. */
export const MPRIS_PREFIX = 'org.mpris.MediaPlayer2.';
/** Object path of every MPRIS player. */
export const MPRIS_PATH = '/org/mpris/MediaPlayer2';
/** Interface of the playback properties. */
export const PLAYER_INTERFACE = 'org.mpris.MediaPlayer2.Player';
// MPRIS reserves this track id for "no track".
const NO_TRACK_ID = '/org/mpris/MediaPlayer2/TrackList/NoTrack';

/** Removes dbus-next `Variant` wrappers, recursively. */
export function unwrapVariant(value: unknown): unknown {
  if (isVariant(value)) return unwrapVariant(value.value);
  if (Array.isArray(value)) return value.map(unwrapVariant);
  return value;
}

/**
 * Reads an MPRIS `Metadata` dictionary. Empty strings, empty artist lists, a
 * length of 0 and the NoTrack id become absent fields.
 *
 * @example
 * toTrackMetadata({ 'xesam:artist': new Variant('as', ['A', 'B']) }); // { artist: 'A, B' }
 */
export function toTrackMetadata(metadata: unknown): TrackMetadata {
  const entries = unwrapVariant(metadata);
  if (entries === null || typeof entries !== 'object') return {};

  const fields = entries as Record<string, unknown>;
  const track: TrackMetadata = {};
  const artist = artistText(unwrapVariant(fields['xesam:artist']));
  if (artist !== undefined) track.artist = artist;
  const title = nonEmptyText(unwrapVariant(fields['xesam:title']));
  if (title !== undefined) track.title = title;
  const album = nonEmptyText(unwrapVariant(fields['xesam:album']));
  if (album !== undefined) track.album = album;
  const lengthUs = toMicroseconds(unwrapVariant(fields['mpris:length']));
  if (lengthUs !== undefined && lengthUs > 0) track.durationS = lengthUs / 1e6;
  const trackId = nonEmptyText(unwrapVariant(fields['mpris:trackid']));
  if (trackId !== undefined && trackId !== NO_TRACK_ID) track.trackId = trackId;
  const artUrl = nonEmptyText(unwrapVariant(fields['mpris:artUrl']));
  if (artUrl !== undefined) track.artUrl = artUrl;
  const url = nonEmptyText(unwrapVariant(fields['xesam:url']));
  if (url !== undefined) track.url = url;
  return track;
}

/** Reads `PlaybackStatus` (`Playing`, `Paused`, `Stopped`); anything else is stopped. */
export function toPlaybackStatus(value: unknown): PlaybackStatus {
  const status = unwrapVariant(value);
  if (status === 'Playing') return 'playing';
  if (status === 'Paused') return 'paused';
  return 'stopped';
}

/** Reads an int64 or double count of microseconds; undefined when it is neither. */
export function toMicroseconds(value: unknown): number | undefined {
  const raw = unwrapVariant(value);
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw === 'number' && Number.isFinite(raw)) return raw;
  return undefined;
}

/** Tells whether a track has any field at all. */
export function hasAnyField(track: TrackMetadata): boolean {
  return Object.keys(track).length > 0;
}

function artistText(value: unknown): string | undefined {
  if (typeof value === 'string') return nonEmptyText(value);
  if (!Array.isArray(value)) return undefined;

  const names = value.filter((name): name is string => typeof name === 'string' && name.trim() !== '');
  return names.length === 0 ? undefined : names.join(', ');
}

function nonEmptyText(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function isVariant(value: unknown): value is { signature: string; value: unknown } {
  return (
    value !== null &&
    typeof value === 'object' &&
    'signature' in value &&
    'value' in value &&
    typeof (value as { signature: unknown }).signature === 'string'
  );
}
