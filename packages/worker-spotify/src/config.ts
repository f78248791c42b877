/**
 * Configuration of the now-playing worker: its keys, defaults and the checks
 * that set_config runs on each key.
 */

/** Settings that set_config may change at run time. */
export interface SpotifyConfig extends Record<string, unknown> {
  /** `auto` (MPRIS on Linux, osascript on macOS), `mpris` or `osascript`. */
  backend: 'auto' | 'mpris' | 'osascript';
  /** MPRIS player to prefer, the bus name without `org.mpris.MediaPlayer2.`; `''` prefers none. */
  mpris_player: string;
  /** macOS application to read: `spotify`, `music`, or `auto` (Spotify while it runs, else Music). */
  macos_player: 'auto' | 'spotify' | 'music';
  /** Interval between two osascript reads on macOS, in ms. */
  poll_interval_ms: number;
  /** Sends OSC when true. */
  osc_enabled: boolean;
  /** `host:port` targets of the OSC output, each an IPv4 address or `localhost`. */
  osc_targets: string[];
  /** Address prefix of the OSC output, e.g. `/spotify` for `/spotify/track`. */
  osc_prefix: string;
  /** Rate of `<prefix>/progress` while playing, in Hz. */
  osc_progress_hz: number;
}

/** Registry name, default ports and default configuration of the now-playing worker. */
export const SPOTIFY_DEFAULTS = {
  name: 'spotify_monitor',
  commandPort: 5021,
  telemetryPort: 5022,
  config: {
    backend: 'auto',
    mpris_player: 'spotify',
    macos_player: 'auto',
    poll_interval_ms: 1000,
    osc_enabled: false,
    osc_targets: ['127.0.0.1:9000'],
    osc_prefix: '/spotify',
    osc_progress_hz: 4,
  },
} as const;

const MIN_POLL_MS = 250;
const MAX_POLL_MS = 10_000;
const MIN_PROGRESS_HZ = 0.5;
const MAX_PROGRESS_HZ = 30;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
// OSC 1.0 reserves these characters for address patterns, so a prefix must not contain them.
const OSC_RESERVED = /[\s#*,?[\]{}]/;

/**
 * Checks one set_config key of the now-playing worker. Returns true, or the
 * reason to reject the value, or undefined for a key that it leaves to the base class.
 */
export function checkSpotifyConfig(key: string, value: unknown): true | string | undefined {
  switch (key) {
    case 'backend':
      return oneOf(value, ['auto', 'mpris', 'osascript']);
    case 'macos_player':
      return oneOf(value, ['auto', 'spotify', 'music']);
    case 'mpris_player':
      return typeof value === 'string' && !/[\s/]/.test(value)
        ? true
        : `expected a player name such as "spotify" or "", received ${JSON.stringify(value)}`;
    case 'poll_interval_ms':
      return inRange(value, MIN_POLL_MS, MAX_POLL_MS, 'ms');
    case 'osc_progress_hz':
      return inRange(value, MIN_PROGRESS_HZ, MAX_PROGRESS_HZ, 'Hz');
    case 'osc_targets':
      return checkOscTargets(value);
    case 'osc_prefix':
      return typeof value === 'string' &&
        /^\/[^/]/.test(value) &&
        !value.endsWith('/') &&
        !OSC_RESERVED.test(value)
        ? true
        : `expected an OSC address such as "/spotify", without a trailing "/" or any of " #*,?[]{}", received ${JSON.stringify(value)}`;
    default:
      return undefined;
  }
}

/**
 * Splits a `host:port` OSC target into its parts.
 *
 * @example
 * parseOscTarget('127.0.0.1:9000'); // { host: '127.0.0.1', port: 9000 }
 */
export function parseOscTarget(target: string): { host: string; port: number } | undefined {
  const colon = target.lastIndexOf(':');
  if (colon < 1) return undefined;

  const host = target.slice(0, colon);
  const port = Number(target.slice(colon + 1));
  if (!(host === 'localhost' || IPV4.test(host))) return undefined;
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host, port };
}

function checkOscTargets(value: unknown): true | string {
  if (!Array.isArray(value))
    return `expected a list of "host:port" strings, received ${JSON.stringify(value)}`;

  for (const target of value) {
    if (typeof target !== 'string' || parseOscTarget(target) === undefined) {
      return `expected "host:port" with an IPv4 address or localhost and a port from 1 to 65535, received ${JSON.stringify(target)}`;
    }
  }
  if (new Set(value).size !== value.length)
    return `expected distinct targets, received ${JSON.stringify(value)}`;
  return true;
}

function oneOf(value: unknown, allowed: readonly string[]): true | string {
  if (typeof value === 'string' && allowed.includes(value)) return true;
  return `expected one of ${allowed.map((item) => `"${item}"`).join(', ')}, received ${JSON.stringify(value)}`;
}

function inRange(value: unknown, min: number, max: number, unit: string): true | string {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return true;
  return `expected a number from ${min} to ${max} ${unit}, received ${JSON.stringify(value)}`;
}
