/**
 * Choice and construction of the backend that the worker follows.
 */
import type { Worker } from '@vj/bus';
import type { SpotifyConfig } from './config';
import { OsascriptBackend } from './macos/osascript-backend';
import { MprisBackend } from './mpris/mpris-backend';
import { resolveSessionBusAddress } from './mpris/session-bus';
import { type Backend, type PlayerListing, type ReportListener, unavailableReport } from './player-report';

/** Worker callbacks and settings that a backend reads. */
export interface BackendContext {
  config: () => SpotifyConfig;
  onReport: ReportListener;
  log: Worker['log'];
  /** Environment: DBUS_SESSION_BUS_ADDRESS and XDG_RUNTIME_DIR for MPRIS, PATH for osascript. */
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  reconnectDelaysMs?: readonly number[];
}

/**
 * Resolves config `backend` for `platform`: `auto` is osascript on macOS, MPRIS
 * on Linux and the BSDs, and none elsewhere.
 *
 * @example
 * resolveBackendKind('auto', 'darwin'); // 'osascript'
 */
export function resolveBackendKind(
  setting: SpotifyConfig['backend'],
  platform: NodeJS.Platform,
): Backend['kind'] {
  if (setting !== 'auto') return setting;
  if (platform === 'darwin') return 'osascript';
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return 'mpris';
  return 'none';
}

/** Creates the backend that config `backend` names for the context's platform. */
export function createBackend(context: BackendContext): Backend {
  const kind = resolveBackendKind(context.config().backend, context.platform);
  if (kind === 'mpris') {
    const options = {
      busAddress: resolveSessionBusAddress(context.env),
      preferredPlayer: () => context.config().mpris_player,
      onReport: context.onReport,
      log: context.log,
    };
    return new MprisBackend(
      context.reconnectDelaysMs === undefined
        ? options
        : { ...options, reconnectDelaysMs: context.reconnectDelaysMs },
    );
  }
  if (kind === 'osascript') {
    return new OsascriptBackend({
      macosPlayer: () => context.config().macos_player,
      pollIntervalMs: () => context.config().poll_interval_ms,
      onReport: context.onReport,
      log: context.log,
      env: context.env,
    });
  }
  return new UnsupportedBackend(context.platform, context.onReport);
}

/** Stand-in on platforms without a backend: it reports `not_supported` once. */
class UnsupportedBackend implements Backend {
  readonly kind = 'none' as const;
  private readonly platform: NodeJS.Platform;
  private readonly onReport: ReportListener;

  constructor(platform: NodeJS.Platform, onReport: ReportListener) {
    this.platform = platform;
    this.onReport = onReport;
  }

  async start(): Promise<void> {
    this.onReport(
      unavailableReport(
        'not_supported',
        `No now-playing backend runs on ${this.platform}; the worker reads Spotify or Music on macOS and MPRIS players on Linux`,
      ),
    );
  }

  async stop(): Promise<void> {}

  players(): PlayerListing[] {
    return [];
  }
}
