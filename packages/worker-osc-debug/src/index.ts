/** @vj/worker-osc-debug: the public door. Names are listed one by one so ESM callers can import them. */
export { type OscErrorCode, OscErrorCodes } from './errors';
export { decodePacket } from './osc/decode';
export { encodeBundle, encodeMessage } from './osc/encode';
export {
  NTP_UNIX_OFFSET_SECONDS,
  OSC_TIME_TAG_IMMEDIATELY,
  timeTagFromUnixSeconds,
  toDecodedTimeTag,
} from './osc/timetag';
export type {
  DecodedArg,
  DecodedBundle,
  DecodedMessage,
  DecodedPacket,
  DecodedTimeTag,
  MalformedPacket,
  OscArg,
  OscColor,
  OscMidi,
  OscTimeTag,
} from './osc/types';
