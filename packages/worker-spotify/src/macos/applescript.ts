/**
 * The AppleScript that reads Spotify or Music on macOS, run by osascript.
 *
 * The script returns one line of fields separated by ASCII 31 (unit
 * separator), and the worker builds JSON in Node with JSON.stringify.
 * AppleScript has no JSON encoder, and escaping quotes, backslashes and
 * control characters by hand in AppleScript is slow and easy to get wrong.
 * A separator needs no escaping: the script replaces ASCII 30 and 31 inside
 * a field with a space, and every other character reaches Node unchanged,
 * newlines and non-Latin text included.
 */

/** macOS applications that the osascript backend reads. */
export type MacApp = 'Spotify' | 'Music';

/** First field of every line the script returns, so that stray output is recognized. */
export const OUTPUT_MARKER = 'vj-now-playing';
/** Separator of the fields in the script's output: ASCII 31, the unit separator. */
export const FIELD_SEPARATOR = '\u001f';
/** Time that the player may take to reply to the script's Apple events, in s. */
export const APPLE_EVENT_TIMEOUT_S = 3;

interface AppTerms {
  /** Expression for the track id, in the application's terms. */
  trackId: string;
  /** Expression for the cover art URL, or `missing value` when the application has none. */
  artUrl: string;
  /** Factor from the application's `duration` to milliseconds: Spotify counts ms, Music counts s. */
  durationToMs: number;
}

const TERMS: Readonly<Record<MacApp, AppTerms>> = {
  Spotify: { trackId: 'id of currentTrack', artUrl: 'artwork url of currentTrack', durationToMs: 1 },
  Music: { trackId: 'persistent ID of currentTrack', artUrl: 'missing value', durationToMs: 1000 },
};

/**
 * Builds the now-playing script for `app`. The script checks
 * `application "<app>" is running`, which does not launch the application,
 * before the first `tell application "<app>"`, so polling never starts the
 * player. It returns `not_running`, `no_track` with the player state, or
 * `track` with state, artist, title, album, duration (ms), position (ms),
 * track id and art URL; a missing value becomes an empty field.
 *
 * @example
 * spawn('osascript').stdin.end(nowPlayingScript('Spotify'));
 */
export function nowPlayingScript(app: MacApp): string {
  const terms = TERMS[app];
  return `-- Now-playing reader of @vj/worker-spotify for ${app}.
on run
\tset fieldSeparator to character id 31
\tif not (application "${app}" is running) then return "${OUTPUT_MARKER}" & fieldSeparator & "not_running"
\twith timeout of ${APPLE_EVENT_TIMEOUT_S} seconds
\t\ttell application "${app}"
\t\t\tset playerState to player state as text
\t\t\ttry
\t\t\t\tset currentTrack to current track
\t\t\t\tset trackId to ${terms.trackId}
\t\t\ton error
\t\t\t\treturn "${OUTPUT_MARKER}" & fieldSeparator & "no_track" & fieldSeparator & playerState
\t\t\tend try
\t\t\tif trackId is missing value or trackId is "" then return "${OUTPUT_MARKER}" & fieldSeparator & "no_track" & fieldSeparator & playerState
\t\t\tset trackArtist to artist of currentTrack
\t\t\tset trackTitle to name of currentTrack
\t\t\tset trackAlbum to album of currentTrack
\t\t\tset trackDuration to duration of currentTrack
\t\t\tset trackArtUrl to ${terms.artUrl}
\t\t\tset playerPosition to player position
\t\tend tell
\tend timeout
\tset fields to {"${OUTPUT_MARKER}", "track", playerState, my clean(trackArtist), my clean(trackTitle), my clean(trackAlbum), my milliseconds(trackDuration, ${terms.durationToMs}), my milliseconds(playerPosition, 1000), my clean(trackId), my clean(trackArtUrl)}
\tset AppleScript's text item delimiters to fieldSeparator
\tset output to fields as text
\tset AppleScript's text item delimiters to ""
\treturn output
end run

-- Text of a value with the separators ASCII 30 and 31 replaced by spaces; "" for missing value.
on clean(value)
\tif value is missing value then return ""
\tset AppleScript's text item delimiters to {character id 30, character id 31}
\tset parts to text items of (value as text)
\tset AppleScript's text item delimiters to " "
\tset cleaned to parts as text
\tset AppleScript's text item delimiters to ""
\treturn cleaned
end clean

-- Whole milliseconds as text, so that no locale's decimal separator reaches the output; "" when unknown.
on milliseconds(value, factor)
\tif value is missing value then return ""
\ttry
\t\treturn ((value * factor) as integer) as text
\ton error
\t\treturn ""
\tend try
end milliseconds
`;
}
