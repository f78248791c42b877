/** @vj/worker-spotify: the public door. Names are listed one by one so ESM callers can import them. */
export { createBackend, resolveBackendKind } from './backends';
export { checkSpotifyConfig, parseOscTarget, SPOTIFY_DEFAULTS, type SpotifyConfig } from './config';
export { type SpotifyErrorCode, SpotifyErrorCodes } from './errors';
export {
  APPLE_EVENT_TIMEOUT_S,
  FIELD_SEPARATOR,
  type MacApp,
  nowPlayingScript,
  OUTPUT_MARKER,
} from './macos/applescript';
export {
  OSASCRIPT_TIMEOUT_MS,
  OsascriptBackend,
  type OsascriptBackendOptions,
} from './macos/osascript-backend';
export {
  AppleScriptErrors,
  classifyFailure,
  type OsascriptReading,
  parseScriptOutput,
} from './macos/osascript-output';
export { toMicroseconds, toPlaybackStatus, toTrackMetadata, unwrapVariant } from './mpris/metadata';
export {
  CALL_TIMEOUT_MS,
  MprisBackend,
  type MprisBackendOptions,
  RECONNECT_DELAYS_MS,
} from './mpris/mpris-backend';
export { type PlayerCandidate, selectPlayer } from './mpris/select-player';
export { connectSessionBus, resolveSessionBusAddress, SESSION_BUS_HINT } from './mpris/session-bus';
export { NowPlayingTracker, SEEK_THRESHOLD_S, type TrackerUpdate } from './now-playing-tracker';
export { OSC_ERROR_LOG_INTERVAL_MS, OscOutput } from './osc/osc-output';
export type { Backend, PlayerListing, PlayerReport, ReportListener, TrackMetadata } from './player-report';
export { PUBLISH_INTERVAL_MS, SpotifyWorker, type SpotifyWorkerOptions } from './spotify-worker';
