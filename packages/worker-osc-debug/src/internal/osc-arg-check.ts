/**
 * Checks of the values given to the encoder, which is an edge of the program:
 * a value that its OSC type cannot carry throws VJ_OSC_INVALID_ARGUMENT
 * before any byte is written.
 *
 * @internal
 */
import { VjError } from '@vj/bus';
import { OscErrorCodes } from '../errors';
import type { OscArg } from '../osc/types';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT32_MAX = 2 ** 32 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Returns the type tags of `args` without the leading ','. @internal */
export function typeTagsOf(args: readonly OscArg[]): string {
  let tags = '';
  for (const arg of args) tags += arg.type === 'array' ? `[${typeTagsOf(arg.value)}]` : arg.type;
  return tags;
}

/** Throws VJ_OSC_INVALID_ARGUMENT unless `arg` can be encoded; `index` and `address` go into the message. @internal */
export function checkArg(arg: OscArg, index: number, address: string): void {
  const expected = expectationFailed(arg);
  if (expected === undefined) return;

  const received = describeValue(arg?.value);
  throw new VjError(
    OscErrorCodes.VJ_OSC_INVALID_ARGUMENT,
    `OSC argument ${index} of ${address} with type ${JSON.stringify(arg?.type)} is invalid: expected ${expected}, received ${received}.`,
    { address, index, type: arg?.type, shortMessage: `invalid OSC argument ${index} of ${address}` },
  );
}

// Returns what was expected when `arg` is invalid, else undefined.
function expectationFailed(arg: OscArg): string | undefined {
  const value: unknown = arg?.value;
  switch (arg?.type) {
    case 'i':
      return isIntegerIn(value, INT32_MIN, INT32_MAX)
        ? undefined
        : `an integer from ${INT32_MIN} to ${INT32_MAX}`;
    case 'f':
    case 'd':
      return typeof value === 'number' ? undefined : 'a number';
    case 's':
    case 'S':
      return typeof value === 'string' && !value.includes('\0') ? undefined : 'a string without NUL';
    case 'b':
      return value instanceof Uint8Array ? undefined : 'a Uint8Array or Buffer';
    case 'h':
      return typeof value === 'bigint' && value >= INT64_MIN && value <= INT64_MAX
        ? undefined
        : `a bigint from ${INT64_MIN} to ${INT64_MAX}`;
    case 't':
      return isTimeTag(value)
        ? undefined
        : 'a time tag whose seconds and fraction are integers from 0 to 4294967295';
    case 'c':
      return typeof value === 'string' && value.length === 1 && value.charCodeAt(0) <= 0x7f
        ? undefined
        : 'one ASCII character';
    case 'r':
      return hasBytes(value, ['red', 'green', 'blue', 'alpha'])
        ? undefined
        : 'red, green, blue and alpha from 0 to 255';
    case 'm':
      return hasBytes(value, ['port', 'status', 'data1', 'data2'])
        ? undefined
        : 'port, status, data1 and data2 from 0 to 255';
    case 'T':
    case 'F':
    case 'N':
    case 'I':
      return undefined;
    case 'array':
      return checkArray(value);
    default:
      return 'one of the types i f s S b h t d c r m T F N I array';
  }
}

function checkArray(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'an array of arguments';
  for (const element of value as OscArg[]) {
    const expected = expectationFailed(element);
    if (expected !== undefined) return `array elements of the right type (${expected})`;
  }
  return undefined;
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function isTimeTag(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { seconds, fraction } = value as { seconds?: unknown; fraction?: unknown };
  return isIntegerIn(seconds, 0, UINT32_MAX) && isIntegerIn(fraction, 0, UINT32_MAX);
}

function hasBytes(value: unknown, keys: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) return false;
  return keys.every((key) => isIntegerIn((value as Record<string, unknown>)[key], 0, 255));
}

function describeValue(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `${value.constructor.name} of ${value.length} bytes`;
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) {
    return String(value);
  }
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
