/**
 * Error codes of @vj/worker-spotify, one place for all of them. Each code
 * names an area and a problem, and a retired code is never reused. A player
 * that cannot be read is a state (`availability` in `spotify.state`), not a
 * thrown error: these codes travel in the logs and in command replies.
 */
export const SpotifyErrorCodes = {
  /** No D-Bus session bus could be reached: DBUS_SESSION_BUS_ADDRESS is unset or invalid, or its socket refused the connection. */
  VJ_SPOTIFY_NO_SESSION_BUS: 'VJ_SPOTIFY_NO_SESSION_BUS',
  /** A D-Bus call to the bus or to an MPRIS player failed or timed out. */
  VJ_SPOTIFY_DBUS_CALL_FAILED: 'VJ_SPOTIFY_DBUS_CALL_FAILED',
  /** macOS denied the Automation permission to send Apple events to the player (AppleScript error -1743). */
  VJ_SPOTIFY_NOT_AUTHORIZED: 'VJ_SPOTIFY_NOT_AUTHORIZED',
  /** osascript is not on PATH, so the macOS backend cannot run. */
  VJ_SPOTIFY_OSASCRIPT_MISSING: 'VJ_SPOTIFY_OSASCRIPT_MISSING',
  /** osascript exited with an AppleScript error that has no state of its own, or did not finish in time. */
  VJ_SPOTIFY_OSASCRIPT_FAILED: 'VJ_SPOTIFY_OSASCRIPT_FAILED',
  /** osascript printed something that is not the output of the now-playing script. */
  VJ_SPOTIFY_OSASCRIPT_OUTPUT_INVALID: 'VJ_SPOTIFY_OSASCRIPT_OUTPUT_INVALID',
  /** Sending OSC to a target failed; the other targets and the bus are not affected. */
  VJ_SPOTIFY_OSC_SEND_FAILED: 'VJ_SPOTIFY_OSC_SEND_FAILED',
} as const;

export type SpotifyErrorCode = keyof typeof SpotifyErrorCodes;
