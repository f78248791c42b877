/**
 * Checks shared by the options of the file, stdin and demo sources. Each
 * failed check throws VJ_AUDIO_SOURCE_INVALID_OPTIONS naming the option.
 */
import { VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';

/** Frames per block when a source's options do not set `blockFrames`: about 11 ms at 44.1 kHz. */
export const DEFAULT_BLOCK_FRAMES = 512;
/** Smallest accepted `blockFrames`. */
export const MIN_BLOCK_FRAMES = 16;
/** Largest accepted `blockFrames`: about 1.4 s at 48 kHz. */
export const MAX_BLOCK_FRAMES = 65536;

/**
 * Returns `value` when it is an integer from `min` to `max`, else throws
 * VJ_AUDIO_SOURCE_INVALID_OPTIONS naming `source` and `option`.
 *
 * @example
 * const blockFrames = checkInteger('file', 'blockFrames', options.blockFrames ?? 512, 16, 65536);
 */
export function checkInteger(
  source: string,
  option: string,
  value: unknown,
  min: number,
  max: number,
): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  throw invalidOption(source, option, `an integer from ${min} to ${max}`, value);
}

/**
 * Returns `value` when it is a finite number from `min` to `max`, else throws
 * VJ_AUDIO_SOURCE_INVALID_OPTIONS naming `source` and `option`.
 */
export function checkNumber(
  source: string,
  option: string,
  value: unknown,
  min: number,
  max: number,
): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max) return value;
  throw invalidOption(source, option, `a number from ${min} to ${max}`, value);
}

/**
 * Returns `value` when it is one of `allowed`, else throws
 * VJ_AUDIO_SOURCE_INVALID_OPTIONS naming `source` and `option`.
 */
export function checkOneOf<T>(source: string, option: string, value: unknown, allowed: readonly T[]): T {
  if (allowed.includes(value as T)) return value as T;
  throw invalidOption(
    source,
    option,
    `one of ${allowed.map((item) => JSON.stringify(item)).join(', ')}`,
    value,
  );
}

/**
 * Builds the error for option `option` of the `source` source, which
 * expected `expected` but received `received`.
 */
export function invalidOption(source: string, option: string, expected: string, received: unknown): VjError {
  const shown = typeof received === 'string' ? JSON.stringify(received) : String(received);
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_SOURCE_INVALID_OPTIONS,
    `Option ${option} of the ${source} source must be ${expected}, but received ${shown}; fix the worker's source settings`,
    { source, option, received, shortMessage: `Invalid ${source} source option ${option}` },
  );
}
