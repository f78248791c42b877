/**
 * Error codes of @vj/console, one place for all of them. Each code names an
 * area and a problem, and a retired code is never reused. Errors are thrown
 * as `VjError` from @vj/bus with one of these codes.
 */
export const ConsoleErrorCodes = {
  /** An action that goes through the process manager was requested while it is not in the registry. */
  VJ_CONSOLE_NO_PROCESS_MANAGER: 'VJ_CONSOLE_NO_PROCESS_MANAGER',
  /** `list_devices` of the audio analyser returned something other than a list of devices. */
  VJ_CONSOLE_INVALID_DEVICE_LIST: 'VJ_CONSOLE_INVALID_DEVICE_LIST',
  /** The console was started without an interactive terminal on stdin and stdout. */
  VJ_CONSOLE_NOT_A_TTY: 'VJ_CONSOLE_NOT_A_TTY',
  /** `vj console` found no src/console/main.ts, or the module does not export runConsole. */
  VJ_CLI_CONSOLE_UNAVAILABLE: 'VJ_CLI_CONSOLE_UNAVAILABLE',
} as const;

export type ConsoleErrorCode = keyof typeof ConsoleErrorCodes;
