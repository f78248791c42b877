import type { DecodedTimeTag, OscTimeTag } from './types';

/** Seconds from the NTP epoch (1900-01-01 UTC) to the Unix epoch (1970-01-01 UTC). */
export const NTP_UNIX_OFFSET_SECONDS = 2_208_988_800;

const FRACTION_UNITS_PER_SECOND = 2 ** 32;

/**
 * Time tag 0x0000000000000001, which OSC 1.0 defines as "immediately".
 *
 * @example
 * encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [encodeMessage('/x', [])]);
 */
export const OSC_TIME_TAG_IMMEDIATELY: Readonly<OscTimeTag> = Object.freeze({ seconds: 0, fraction: 1 });

/**
 * Converts Unix time in seconds (fractions allowed) to an OSC time tag.
 * Times before 1900 or from 2036-02-07 on, where NTP era 0 ends, do not fit
 * in 32-bit seconds. The encoder rejects such a tag with VJ_OSC_INVALID_ARGUMENT.
 *
 * @example
 * timeTagFromUnixSeconds(Date.now() / 1000 + 0.5); // half a second from now
 */
export function timeTagFromUnixSeconds(unixSeconds: number): OscTimeTag {
  const whole = Math.floor(unixSeconds);
  const fraction = Math.min(
    Math.round((unixSeconds - whole) * FRACTION_UNITS_PER_SECOND),
    FRACTION_UNITS_PER_SECOND - 1,
  );
  return { seconds: whole + NTP_UNIX_OFFSET_SECONDS, fraction };
}

/**
 * Adds the Unix time and the "immediately" flag to a raw NTP pair.
 *
 * @example
 * toDecodedTimeTag({ seconds: 0, fraction: 1 }).immediately; // true
 */
export function toDecodedTimeTag(seconds: number, fraction: number): DecodedTimeTag {
  return {
    seconds,
    fraction,
    unixSeconds: seconds - NTP_UNIX_OFFSET_SECONDS + fraction / FRACTION_UNITS_PER_SECOND,
    immediately: seconds === 0 && fraction === 1,
  };
}
