/**
 * User address maps: a JSON file per OSC target that renames addresses,
 * drops them, or rescales their float arguments, so that a visual patch can
 * receive the analyser's values in the form it already expects.
 *
 * @example
 * // map.json: send levels as 0–127 under another name, and no spectrum
 * { "/audio/levels": { "address": "/layer1/levels", "scale": { "to": [0, 127] } },
 *   "/audio/spectrum": false }
 */
import { readFileSync } from 'node:fs';
import { VjError } from '@vj/bus';
import { OscAddresses, type OscMessage } from './osc-messages';

/** What happens to one address: dropped, or sent (renamed and rescaled as given). */
export type AddressRule =
  | false
  | { address: string; scale: { from: [number, number]; to: [number, number] } | null };

/** Rules by the analyser's address; an address without a rule is sent unchanged. */
export type AddressMap = ReadonlyMap<string, AddressRule>;

const KNOWN_ADDRESSES: ReadonlySet<string> = new Set(Object.values(OscAddresses));

function invalid(source: string, message: string): VjError {
  return new VjError('VJ_AUDIO_ADDRESS_MAP_INVALID', `Address map ${source}: ${message}`, {
    source,
    shortMessage: `invalid address map ${source}`,
  });
}

function readRange(source: string, key: string, field: string, value: unknown): [number, number] {
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !value.every((item) => typeof item === 'number' && Number.isFinite(item))
  ) {
    throw invalid(
      source,
      `"${key}".scale.${field} must be two finite numbers such as [0, 127], received ${JSON.stringify(value)}`,
    );
  }
  return [value[0], value[1]];
}

function readRule(source: string, key: string, value: unknown): AddressRule {
  if (value === false || value === null) return false;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(
      source,
      `"${key}" must be false (drop it) or an object with "address" and/or "scale", received ${JSON.stringify(value)}`,
    );
  }
  const rule = value as Record<string, unknown>;
  const unknownFields = Object.keys(rule).filter((field) => field !== 'address' && field !== 'scale');
  if (unknownFields.length > 0) {
    throw invalid(
      source,
      `"${key}" has unknown fields ${unknownFields.join(', ')}; use "address" and "scale"`,
    );
  }

  const address = rule.address ?? key;
  if (
    typeof address !== 'string' ||
    !address.startsWith('/') ||
    address.includes('\0') ||
    /\s/.test(address)
  ) {
    throw invalid(
      source,
      `"${key}".address must be an OSC address starting with "/" without spaces, received ${JSON.stringify(address)}`,
    );
  }

  if (rule.scale === undefined || rule.scale === null) return { address, scale: null };
  if (typeof rule.scale !== 'object' || Array.isArray(rule.scale)) {
    throw invalid(
      source,
      `"${key}".scale must be an object such as { "to": [0, 127] }, received ${JSON.stringify(rule.scale)}`,
    );
  }
  const scale = rule.scale as Record<string, unknown>;
  const from =
    scale.from === undefined ? ([0, 1] as [number, number]) : readRange(source, key, 'from', scale.from);
  const to = readRange(source, key, 'to', scale.to);
  if (from[0] === from[1])
    throw invalid(
      source,
      `"${key}".scale.from must be two different numbers, received ${JSON.stringify(from)}`,
    );
  return { address, scale: { from, to } };
}

/**
 * Parses an address map from its JSON object form.
 *
 * @param source Names the map in error messages, usually the file path.
 * @throws VjError VJ_AUDIO_ADDRESS_MAP_INVALID naming the key and the problem.
 */
export function parseAddressMap(json: unknown, source: string): AddressMap {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalid(
      source,
      `expected a JSON object keyed by address such as "/audio/levels", received ${JSON.stringify(json)}`,
    );
  }
  const map = new Map<string, AddressRule>();
  for (const [key, value] of Object.entries(json)) {
    if (!KNOWN_ADDRESSES.has(key)) {
      throw invalid(source, `unknown address "${key}"; known addresses: ${[...KNOWN_ADDRESSES].join(', ')}`);
    }
    map.set(key, readRule(source, key, value));
  }
  return map;
}

/**
 * Reads and parses an address map file.
 *
 * @throws VjError VJ_AUDIO_ADDRESS_MAP_UNREADABLE when the file cannot be read
 *   or is not JSON, VJ_AUDIO_ADDRESS_MAP_INVALID when its content is wrong.
 */
export function loadAddressMap(path: string): AddressMap {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new VjError(
      'VJ_AUDIO_ADDRESS_MAP_UNREADABLE',
      `Address map ${path} could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); check the path in the target's address_map`,
      { cause: error, path, shortMessage: `cannot read address map ${path}` },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new VjError(
      'VJ_AUDIO_ADDRESS_MAP_UNREADABLE',
      `Address map ${path} is not valid JSON (${(error as Error).message}); fix the file or remove address_map from the target`,
      { cause: error, path, shortMessage: `address map ${path} is not JSON` },
    );
  }
  return parseAddressMap(json, path);
}

/**
 * Applies a prefix and an address map to the messages of a frame. Returns new
 * messages; the input is not changed. The prefix goes in front of the mapped
 * address ("/vj" + "/audio/levels").
 */
export function applyAddressMap(
  messages: readonly OscMessage[],
  map: AddressMap,
  prefix: string,
): OscMessage[] {
  const result: OscMessage[] = [];
  for (const message of messages) {
    const rule = map.get(message.address);
    if (rule === false) continue;
    if (rule === undefined || rule.scale === null) {
      result.push({ address: prefix + (rule?.address ?? message.address), args: message.args });
      continue;
    }
    const { from, to } = rule.scale;
    const factor = (to[1] - to[0]) / (from[1] - from[0]);
    const args = message.args.map((arg) =>
      arg.type === 'f' ? { type: 'f' as const, value: to[0] + (arg.value - from[0]) * factor } : arg,
    );
    result.push({ address: prefix + rule.address, args });
  }
  return result;
}
