/**
 * Configuration of the log aggregator: defaults, limits, and the environment
 * variables that override them under pm2.
 */
import { VjError } from '@vj/bus';
import { DEFAULT_QUEUE_SIZE } from './intake/intake';
import { DEFAULT_BUFFER_SIZE } from './store/ring-buffer';

/** Settings that set_config may change at run time. */
export interface LogsConfig extends Record<string, unknown> {
  /** Records kept in memory for `query`. */
  buffer_size: number;
  /** Size at which `aggregated.log` is rotated, in bytes. */
  max_file_bytes: number;
  /** Log files kept, `aggregated.log` included. */
  max_files: number;
  /** Records each worker may have waiting between two 100 ms drains before its oldest are dropped. */
  queue_size: number;
}

/** Default configuration: 2,000 records in memory, 10 MiB files, 5 files, 1,000 queued records per worker. */
export const LOGS_CONFIG_DEFAULTS: Readonly<LogsConfig> = Object.freeze({
  buffer_size: DEFAULT_BUFFER_SIZE,
  max_file_bytes: 10 * 1024 * 1024,
  max_files: 5,
  queue_size: DEFAULT_QUEUE_SIZE,
});

/** Allowed range and environment variable of each key. */
const LIMITS: Readonly<
  Record<keyof LogsConfig, { min: number; max: number; unit: string; variable: string }>
> = {
  buffer_size: { min: 1, max: 1_000_000, unit: 'records', variable: 'VJ_LOGS_BUFFER_SIZE' },
  max_file_bytes: { min: 1024, max: 1024 ** 3, unit: 'bytes', variable: 'VJ_LOGS_MAX_FILE_BYTES' },
  max_files: { min: 2, max: 100, unit: 'files', variable: 'VJ_LOGS_MAX_FILES' },
  queue_size: { min: 1, max: 1_000_000, unit: 'records', variable: 'VJ_LOGS_QUEUE_SIZE' },
};

/** Returns true when `key` is a configuration key with a value in range, else the reason. */
export function checkLogsConfig(key: string, value: unknown): true | string {
  const limits = LIMITS[key as keyof LogsConfig];
  if (limits === undefined) return `unknown key; known keys: ${Object.keys(LIMITS).join(', ')}`;
  if (Number.isInteger(value) && (value as number) >= limits.min && (value as number) <= limits.max)
    return true;
  return `expected an integer from ${limits.min} to ${limits.max} ${limits.unit}, received ${JSON.stringify(value)}`;
}

/**
 * Merges the defaults, `config` and the VJ_LOGS_* environment variables (which win) and checks the result.
 *
 * @throws VjError VJ_LOGS_INVALID_OPTIONS naming the key or variable, its value and the allowed range.
 */
export function resolveLogsConfig(
  config: Partial<LogsConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): LogsConfig {
  const resolved: LogsConfig = { ...LOGS_CONFIG_DEFAULTS, ...config };
  for (const [key, limits] of Object.entries(LIMITS)) {
    const fromEnv = env[limits.variable];
    const value = fromEnv === undefined || fromEnv === '' ? resolved[key] : Number(fromEnv);
    const verdict = checkLogsConfig(key, value);
    if (verdict !== true) {
      const source =
        fromEnv === undefined || fromEnv === '' ? `Option ${key}` : `Variable ${limits.variable}`;
      throw new VjError('VJ_LOGS_INVALID_OPTIONS', `${source} of the log aggregator is invalid: ${verdict}`, {
        option: key,
        value,
        shortMessage: `invalid ${key}`,
      });
    }
    resolved[key] = value;
  }
  return resolved;
}
