/**
 * Error codes of @vj/worker-osc-debug, one place for all of them. Each code
 * names an area and a problem, and a retired code is never reused. Errors are
 * thrown as `VjError` from @vj/bus with one of these codes. Decoding never
 * throws: a bad packet is returned as a `malformed` result instead.
 */
export const OscErrorCodes = {
  /** An argument given to the encoder has a value that its OSC type cannot carry; the message names the argument's index, type and value. */
  VJ_OSC_INVALID_ARGUMENT: 'VJ_OSC_INVALID_ARGUMENT',
  /** An address given to the encoder does not start with '/' or contains a NUL character. */
  VJ_OSC_INVALID_ADDRESS: 'VJ_OSC_INVALID_ADDRESS',
  /** A bundle element given to the encoder is empty or its size is not a multiple of 4 bytes. */
  VJ_OSC_INVALID_BUNDLE_ELEMENT: 'VJ_OSC_INVALID_BUNDLE_ELEMENT',
  /** An OSC address pattern has an unclosed '[' or '{'; the message names the pattern. */
  VJ_OSC_INVALID_PATTERN: 'VJ_OSC_INVALID_PATTERN',
  /** A UDP port that the debug worker should listen on is already in use by another socket. */
  VJ_OSC_PORT_IN_USE: 'VJ_OSC_PORT_IN_USE',
  /** A UDP port could not be bound for a reason other than being in use, such as a host address that this machine does not have. */
  VJ_OSC_BIND_FAILED: 'VJ_OSC_BIND_FAILED',
  /** An environment variable read by src/main.ts (VJ_OSC_HOST, VJ_OSC_PORTS or VJ_OSC_FORWARD) has a value of the wrong form. */
  VJ_OSC_INVALID_ENV: 'VJ_OSC_INVALID_ENV',
} as const;

export type OscErrorCode = keyof typeof OscErrorCodes;
