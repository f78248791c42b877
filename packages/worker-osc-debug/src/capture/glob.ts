import { VjError } from '@vj/bus';

/** OSC address pattern compiled once, to test many addresses against it. */
export interface AddressMatcher {
  /** The pattern as given. */
  readonly pattern: string;
  /** Returns true when `address` matches the pattern. */
  test(address: string): boolean;
}

// Characters that a RegExp treats as syntax and an OSC address may contain literally.
const REGEXP_SYNTAX = /[\\^$.*+?()[\]{}|/-]/g;
const MAX_CACHED_PATTERNS = 100;
const cache = new Map<string, AddressMatcher>();

/**
 * Compiles an OSC address pattern: `?` matches one character and `*` zero or
 * more, neither of them crossing a `/`, because OSC 1.0 matches each part of
 * the address separately. `[abc]`, `[a-z]` and `[!a]` match one character of
 * a set, a range or outside a set, and `{foo,bar}` matches one of the listed
 * strings. The OSC 1.1 wildcard `//` matches a `/` with any number of whole
 * address parts before it, none included, so `//beat` matches `/beat` and
 * `/audio/beat`, and `/audio//*` matches every address under `/audio`. Every
 * other character matches itself.
 *
 * @throws VjError VJ_OSC_INVALID_PATTERN when a `[` or `{` is not closed.
 * @example
 * compileAddressPattern('/layer/[0-9]/{opacity,speed}').test('/layer/1/opacity'); // true
 */
export function compileAddressPattern(pattern: string): AddressMatcher {
  const regexp = new RegExp(`^${translate(pattern)}$`);
  return { pattern, test: (address) => regexp.test(address) };
}

/**
 * Returns true when `address` matches the OSC address `pattern` (see
 * compileAddressPattern for the syntax). Up to
 * 100 compiled patterns are cached, and the cache is emptied when it fills.
 *
 * @throws VjError VJ_OSC_INVALID_PATTERN when a `[` or `{` is not closed.
 * @example
 * matchAddress('/audio/*', '/audio/beat'); // true
 */
export function matchAddress(pattern: string, address: string): boolean {
  let matcher = cache.get(pattern);
  if (matcher === undefined) {
    matcher = compileAddressPattern(pattern);
    if (cache.size >= MAX_CACHED_PATTERNS) cache.clear();
    cache.set(pattern, matcher);
  }
  return matcher.test(address);
}

function translate(pattern: string): string {
  let source = '';
  let i = 0;
  while (i < pattern.length) {
    const char = pattern[i] as string;
    if (char === '/' && pattern[i + 1] === '/') {
      // A repetition starts at a "/" and cannot contain another, so an address
      // splits into parts in one way only, and matching one "//" tries each
      // number of parts once.
      source += '(?:/[^/]*)*/';
      i += 2;
    } else if (char === '?') {
      source += '[^/]';
      i++;
    } else if (char === '*') {
      source += '[^/]*';
      i++;
    } else if (char === '[') {
      const close = closingIndex(pattern, i, ']');
      source += translateSet(pattern.slice(i + 1, close));
      i = close + 1;
    } else if (char === '{') {
      const close = closingIndex(pattern, i, '}');
      const choices = pattern
        .slice(i + 1, close)
        .split(',')
        .map(escapeRegExp);
      source += `(?:${choices.join('|')})`;
      i = close + 1;
    } else {
      source += escapeRegExp(char);
      i++;
    }
  }
  return source;
}

function closingIndex(pattern: string, open: number, closer: string): number {
  const close = pattern.indexOf(closer, open + 1);
  if (close !== -1) return close;

  const opener = pattern[open];
  throw new VjError(
    'VJ_OSC_INVALID_PATTERN',
    `OSC address pattern "${pattern}" has a "${opener}" at index ${open} that is never closed by "${closer}"; close it, or remove it to match the character literally`,
    { pattern, index: open, shortMessage: `invalid OSC pattern ${pattern}` },
  );
}

// Builds a RegExp class from the inside of "[...]": a leading "!" negates it
// (OSC 1.0), a "-" between two characters is a range, and any other "-" is literal.
function translateSet(inside: string): string {
  const negated = inside.startsWith('!');
  const body = negated ? inside.slice(1) : inside;
  let members = '';
  for (let i = 0; i < body.length; i++) {
    const char = body[i] as string;
    const isRange = char === '-' && i > 0 && i < body.length - 1;
    members += isRange ? '-' : escapeRegExp(char);
  }
  // A negated set still must not cross a "/", as "?" does not.
  return negated ? `[^/${members}]` : `[${members}]`;
}

function escapeRegExp(text: string): string {
  return text.replace(REGEXP_SYNTAX, '\\$&');
}
