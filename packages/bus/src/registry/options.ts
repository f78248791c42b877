/**
 * Options of the Registry: their defaults, checks and the default folder.
 * The types are public through the package index, and the functions are
 * internal to the registry.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { VjError } from '../errors';
import { describeValue } from './entry';

/** Options of a Registry. Every field is optional and has a default. */
export type RegistryOptions = Partial<ResolvedRegistryOptions>;

/** Registry options after defaults are applied. */
export interface ResolvedRegistryOptions {
  /** Folder of registry.json. Default: Registry.defaultHome(), i.e. $VJ_HOME or ~/.vj. */
  vjHome: string;
  /** Time in ms without a heartbeat after which a service is stale. Default: 15000. */
  staleAfterMs: number;
  /** Maximum time in ms that a write waits for the registry lock. Default: 5000. */
  lockTimeoutMs: number;
  /** Clock that returns the current Unix time in ms. Tests replace it to move time. Default: Date.now. */
  now: () => number;
}

/** Returns $VJ_HOME as an absolute path when it is set and not empty, else ~/.vj. */
export function defaultVjHome(): string {
  const fromEnvironment = process.env.VJ_HOME;
  if (fromEnvironment !== undefined && fromEnvironment !== '') return resolve(fromEnvironment);
  return join(homedir(), '.vj');
}

/**
 * Merges `options` over the defaults, checks them and returns them frozen,
 * with vjHome made absolute.
 *
 * Throws VJ_REGISTRY_INVALID_OPTIONS naming the first invalid option.
 */
export function resolveRegistryOptions(options: RegistryOptions): Readonly<ResolvedRegistryOptions> {
  const resolved: ResolvedRegistryOptions = {
    vjHome: defaultVjHome(),
    staleAfterMs: 15_000,
    lockTimeoutMs: 5_000,
    now: Date.now,
    ...definedFields(options),
  };

  if (typeof resolved.vjHome !== 'string' || resolved.vjHome === '') {
    throw invalidOption('vjHome', resolved.vjHome, 'a non-empty folder path');
  }
  if (!(Number.isFinite(resolved.staleAfterMs) && resolved.staleAfterMs > 0)) {
    throw invalidOption('staleAfterMs', resolved.staleAfterMs, 'a positive number of milliseconds');
  }
  if (!(Number.isFinite(resolved.lockTimeoutMs) && resolved.lockTimeoutMs >= 0)) {
    throw invalidOption('lockTimeoutMs', resolved.lockTimeoutMs, 'a number of milliseconds, 0 or more');
  }
  if (typeof resolved.now !== 'function') {
    throw invalidOption('now', resolved.now, 'a function returning Unix time in ms');
  }
  return Object.freeze({ ...resolved, vjHome: resolve(resolved.vjHome) });
}

function definedFields(options: RegistryOptions): RegistryOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function invalidOption(option: string, received: unknown, expected: string): VjError {
  return new VjError(
    'VJ_REGISTRY_INVALID_OPTIONS',
    `Registry option ${option} is invalid: expected ${expected}, received ${describeValue(received)}`,
    { option, received, shortMessage: `invalid registry option ${option}` },
  );
}
