/**
 * Worker options: the public Partial shape, the resolved shape, and the one
 * place where defaults, environment variables and checks are merged.
 */
import { VjError } from '../errors';
import { DEFAULT_HOST } from '../transport/endpoint';

/** Options of a Worker; everything but `name` and the ports has a default. */
export interface WorkerOptions<Config extends Record<string, unknown> = Record<string, unknown>> {
  /** Registry name, e.g. `audio_analyzer`. */
  name: string;
  /** Command (REP) port; env `VJ_COMMAND_PORT` overrides it. */
  commandPort: number;
  /** Telemetry (PUB) port; env `VJ_TELEMETRY_PORT` overrides it. */
  telemetryPort: number;
  /** Address to bind (default 127.0.0.1); env `VJ_HOST` overrides it. */
  host?: string;
  /** Folder of the registry (default env `VJ_HOME`, else ~/.vj). */
  vjHome?: string;
  /** Interval between heartbeats, in ms (default 5000); env `VJ_HEARTBEAT_MS` overrides it. */
  heartbeatIntervalMs?: number;
  /** pino level (default info); env `VJ_LOG_LEVEL` overrides it. */
  logLevel?: string;
  /** Initial configuration; set_config may change its keys at run time. */
  config?: Config;
  /** Extra registry metadata, e.g. the package version. */
  metadata?: Record<string, unknown>;
  /** Install SIGTERM/SIGINT handlers and exit the process on shutdown (default true; tests turn it off). */
  manageProcess?: boolean;
  /** Destination of log lines besides the bus (default stdout). */
  logDestination?: NodeJS.WritableStream;
}

/** Worker options after defaults, environment and checks. */
export interface ResolvedWorkerOptions<Config extends Record<string, unknown> = Record<string, unknown>> {
  readonly name: string;
  readonly commandPort: number;
  readonly telemetryPort: number;
  readonly host: string;
  readonly vjHome: string | undefined;
  readonly heartbeatIntervalMs: number;
  readonly logLevel: string;
  readonly config: Config;
  readonly metadata: Record<string, unknown>;
  readonly manageProcess: boolean;
  readonly logDestination: NodeJS.WritableStream | undefined;
}

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);

/**
 * Merges defaults and environment variables into `options` and checks them.
 *
 * @throws VjError VJ_WORKER_INVALID_OPTIONS naming the value and the variable or option it came from.
 */
export function resolveWorkerOptions<Config extends Record<string, unknown>>(
  options: WorkerOptions<Config>,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedWorkerOptions<Config> {
  if (!NAME_PATTERN.test(options.name)) {
    throw invalidOption('name', options.name, '1 to 64 letters, digits, "_", "." or "-"');
  }

  const logLevel = env.VJ_LOG_LEVEL ?? options.logLevel ?? 'info';
  if (!LOG_LEVELS.has(logLevel)) throw invalidOption('VJ_LOG_LEVEL', logLevel, [...LOG_LEVELS].join(', '));

  const resolved: ResolvedWorkerOptions<Config> = {
    name: options.name,
    commandPort: portFrom('VJ_COMMAND_PORT', env.VJ_COMMAND_PORT, options.commandPort),
    telemetryPort: portFrom('VJ_TELEMETRY_PORT', env.VJ_TELEMETRY_PORT, options.telemetryPort),
    host: env.VJ_HOST ?? options.host ?? DEFAULT_HOST,
    vjHome: options.vjHome ?? env.VJ_HOME,
    heartbeatIntervalMs: intervalFrom(env.VJ_HEARTBEAT_MS, options.heartbeatIntervalMs ?? 5000),
    logLevel,
    config: { ...(options.config ?? ({} as Config)) },
    metadata: { ...(options.metadata ?? {}) },
    manageProcess: options.manageProcess ?? true,
    logDestination: options.logDestination,
  };
  if (resolved.commandPort === resolved.telemetryPort) {
    throw invalidOption('telemetryPort', resolved.telemetryPort, 'a port other than the command port');
  }
  return Object.freeze(resolved);
}

function portFrom(variable: string, fromEnv: string | undefined, fromOptions: number): number {
  const value = fromEnv === undefined ? fromOptions : Number(fromEnv);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw invalidOption(
      fromEnv === undefined ? variable.replace('VJ_', '').toLowerCase() : variable,
      fromEnv ?? fromOptions,
      'an integer port from 1 to 65535',
    );
  }
  return value;
}

function intervalFrom(fromEnv: string | undefined, fallback: number): number {
  const value = fromEnv === undefined ? fallback : Number(fromEnv);
  if (!Number.isFinite(value) || value < 50)
    throw invalidOption('VJ_HEARTBEAT_MS', fromEnv ?? fallback, 'a number of milliseconds of at least 50');
  return value;
}

function invalidOption(option: string, value: unknown, expected: string): VjError {
  return new VjError(
    'VJ_WORKER_INVALID_OPTIONS',
    `Worker option ${option} is ${JSON.stringify(value)}; expected ${expected}`,
    {
      option,
      value,
      shortMessage: `invalid ${option}`,
    },
  );
}
