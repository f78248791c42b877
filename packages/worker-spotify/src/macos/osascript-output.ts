/**
 * Reading what osascript printed: the fields of the now-playing script on
 * stdout, or an AppleScript error on stderr. osascript prints an error as
 * `<start>:<end>: execution error: <text> (<number>)` and exits with 1.
 */
import type { NowPlayingAvailability, PlaybackStatus } from '@vj/bus';
import { VjError } from '@vj/bus';
import type { TrackMetadata } from '../player-report';
import { APPLE_EVENT_TIMEOUT_S, FIELD_SEPARATOR, type MacApp, OUTPUT_MARKER } from './applescript';

/** Result of one run of the now-playing script. */
export interface OsascriptReading {
  availability: NowPlayingAvailability;
  hint: string | null;
  code?: string;
  status: PlaybackStatus;
  metadata: TrackMetadata;
  positionS: number | null;
}

/** AppleScript error numbers that have a state of their own. */
export const AppleScriptErrors = {
  /** The application quit between the `is running` check and the Apple event. */
  APPLICATION_NOT_RUNNING: -600,
  /** An object was not found; for `application "X"` it means X is not installed. */
  CANT_GET_OBJECT: -1728,
  /** The Apple event timed out. */
  EVENT_TIMED_OUT: -1712,
  /** The user has not allowed this process to send Apple events to the application. */
  NOT_AUTHORIZED: -1743,
} as const;

const TRACK_FIELDS = 8;

/**
 * Parses the output of the now-playing script run for `app`.
 *
 * @throws VjError VJ_SPOTIFY_OSASCRIPT_OUTPUT_INVALID when the output is not the script's line.
 * @example
 * parseScriptOutput('vj-now-playing\u001fnot_running\n', 'Spotify').availability; // 'not_running'
 */
export function parseScriptOutput(stdout: string, app: MacApp): OsascriptReading {
  // osascript ends its output with one newline; a title may contain newlines of its own.
  const line = stdout.endsWith('\n') ? stdout.slice(0, -1) : stdout;
  const [marker, kind, state, ...fields] = line.split(FIELD_SEPARATOR);
  if (marker !== OUTPUT_MARKER) throw invalidOutput(stdout, app);

  if (kind === 'not_running') {
    return unavailable('not_running', `${app} is not running; start it to show what it plays`);
  }
  if (kind === 'no_track' && state !== undefined) {
    return {
      availability: 'no_track',
      hint: `${app} has no current track; start playing something in ${app}`,
      status: toPlaybackStatus(state),
      metadata: {},
      positionS: null,
    };
  }
  if (kind !== 'track' || state === undefined || fields.length !== TRACK_FIELDS - 1) {
    throw invalidOutput(stdout, app);
  }

  const [artist, title, album, durationMs, positionMs, trackId, artUrl] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const metadata: TrackMetadata = {};
  if (artist.trim() !== '') metadata.artist = artist;
  if (title.trim() !== '') metadata.title = title;
  if (album.trim() !== '') metadata.album = album;
  const durationS = millisecondsToSeconds(durationMs);
  if (durationS !== null && durationS > 0) metadata.durationS = durationS;
  if (trackId.trim() !== '') metadata.trackId = trackId;
  if (artUrl.trim() !== '') metadata.artUrl = artUrl;
  return {
    availability: 'ok',
    hint: null,
    status: toPlaybackStatus(state),
    metadata,
    positionS: millisecondsToSeconds(positionMs),
  };
}

/**
 * Turns a failed osascript run (exit status other than 0) into a state, by the
 * AppleScript error number at the end of stderr.
 *
 * @example
 * classifyFailure('402:416: execution error: Not authorized to send Apple events to Spotify. (-1743)', 'Spotify').availability; // 'not_authorized'
 */
export function classifyFailure(stderr: string, app: MacApp): OsascriptReading {
  const text = stderr.trim();
  const number = Number(/\((-?\d+)\)$/.exec(text)?.[1]);

  if (number === AppleScriptErrors.NOT_AUTHORIZED) {
    return unavailable(
      'not_authorized',
      `macOS does not allow this process to control ${app}; allow it in System Settings > Privacy & Security > Automation (for the terminal, or for node under pm2), then restart the worker`,
      'VJ_SPOTIFY_NOT_AUTHORIZED',
    );
  }
  // NOTE: not run on a Mac here. Without Spotify installed, compiling its terms (`player state`) may fail
  // with -2741 instead of -1728, which would be reported as `error` rather than `not_installed`.
  if (number === AppleScriptErrors.CANT_GET_OBJECT && /Can[’']t get application/.test(text)) {
    return unavailable(
      'not_installed',
      `${app} is not installed; install it, or set macos_player to the player you use`,
    );
  }
  if (number === AppleScriptErrors.APPLICATION_NOT_RUNNING) {
    return unavailable('not_running', `${app} is not running; start it to show what it plays`);
  }
  if (number === AppleScriptErrors.EVENT_TIMED_OUT) {
    return unavailable(
      'error',
      `${app} did not answer within ${APPLE_EVENT_TIMEOUT_S} s (AppleScript error -1712); it may be busy or hung`,
      'VJ_SPOTIFY_OSASCRIPT_FAILED',
    );
  }
  const firstLine = text.split('\n')[0] || 'no message on stderr';
  return unavailable(
    'error',
    `osascript failed while reading ${app}: ${firstLine}`,
    'VJ_SPOTIFY_OSASCRIPT_FAILED',
  );
}

// Spotify: playing, paused, stopped. Music adds fast forwarding and rewinding, which move the position.
function toPlaybackStatus(state: string): PlaybackStatus {
  if (state === 'playing' || state === 'fast forwarding' || state === 'rewinding') return 'playing';
  if (state === 'paused') return 'paused';
  return 'stopped';
}

function millisecondsToSeconds(text: string): number | null {
  if (!/^-?\d+$/.test(text)) return null;
  return Math.max(0, Number(text)) / 1000;
}

function unavailable(availability: NowPlayingAvailability, hint: string, code?: string): OsascriptReading {
  const reading: OsascriptReading = { availability, hint, status: 'stopped', metadata: {}, positionS: null };
  if (code !== undefined) reading.code = code;
  return reading;
}

function invalidOutput(stdout: string, app: MacApp): VjError {
  const excerpt = stdout.slice(0, 200);
  return new VjError(
    'VJ_SPOTIFY_OSASCRIPT_OUTPUT_INVALID',
    `osascript printed ${JSON.stringify(excerpt)} for ${app}, expected a line starting with "${OUTPUT_MARKER}"; check that PATH finds the system osascript (/usr/bin/osascript)`,
    { app, stdout: excerpt, shortMessage: 'unexpected osascript output' },
  );
}
