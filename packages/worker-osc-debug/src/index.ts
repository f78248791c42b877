/** @vj/worker-osc-debug: the public door. Names are listed one by one so ESM callers can import them. */
export {
  type AddressStatistics,
  AddressStats,
  RATE_WINDOW_S,
  type StatsSnapshot,
} from './capture/address-stats';
export {
  type Arrival,
  type CapturedEntry,
  type CapturedMalformed,
  type CapturedMessage,
  type JsonArg,
  type JsonArgValue,
  toCapturedEntries,
  toJsonArgs,
} from './capture/entry';
export {
  checkForwardTarget,
  FORWARD_ERROR_LOG_INTERVAL_MS,
  type ForwardCounts,
  type ForwardErrorHandler,
  UdpForwarder,
} from './capture/forwarder';
export { type AddressMatcher, compileAddressPattern, matchAddress } from './capture/glob';
export { DEFAULT_RING_CAPACITY, RingBuffer } from './capture/ring-buffer';
export { type DatagramHandler, type PortStatus, UdpPorts } from './capture/udp-ports';
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
export {
  MAX_BATCH_ENTRIES,
  MESSAGES_INTERVAL_MS,
  OSC_DEBUG_DEFAULTS,
  type OscDebugConfig,
  OscDebugWorker,
  STATS_INTERVAL_MS,
} from './osc-debug-worker';
