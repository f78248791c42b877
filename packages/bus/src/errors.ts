/**
 * Error codes of @vj/bus, one place for all of them. Each code names an area
 * and a problem; a retired code is never reused. The package README has a
 * Code | Meaning | What to do table that a test keeps in step with this map.
 */
export const BusErrorCodes = {
  /** A frame was not valid UTF-8 JSON. */
  VJ_BUS_INVALID_JSON: 'VJ_BUS_INVALID_JSON',
  /** A message was valid JSON but did not match its schema. */
  VJ_BUS_INVALID_MESSAGE: 'VJ_BUS_INVALID_MESSAGE',
  /** A command name has no handler on the receiving worker. */
  VJ_BUS_UNKNOWN_COMMAND: 'VJ_BUS_UNKNOWN_COMMAND',
  /** A command's payload has a missing or invalid field; the caller must fix it. */
  VJ_BUS_INVALID_PAYLOAD: 'VJ_BUS_INVALID_PAYLOAD',
  /** A command handler threw or rejected. */
  VJ_BUS_HANDLER_FAILED: 'VJ_BUS_HANDLER_FAILED',
  /** No response arrived within the request timeout. */
  VJ_BUS_REQUEST_TIMEOUT: 'VJ_BUS_REQUEST_TIMEOUT',
  /** A worker replied with status "error". */
  VJ_BUS_COMMAND_FAILED: 'VJ_BUS_COMMAND_FAILED',
  /** A port to bind is already used by another process. */
  VJ_BUS_PORT_IN_USE: 'VJ_BUS_PORT_IN_USE',
  /** Binding or connecting a socket failed for another reason. */
  VJ_BUS_BIND_FAILED: 'VJ_BUS_BIND_FAILED',
  /** A socket, client or worker was used after close. */
  VJ_BUS_CLOSED: 'VJ_BUS_CLOSED',
  /** A worker name is not in the registry. */
  VJ_BUS_WORKER_NOT_FOUND: 'VJ_BUS_WORKER_NOT_FOUND',
  /** A set_config key was rejected by the worker. */
  VJ_BUS_CONFIG_REJECTED: 'VJ_BUS_CONFIG_REJECTED',
  /** The registry lock could not be taken in time. */
  VJ_REGISTRY_LOCK_TIMEOUT: 'VJ_REGISTRY_LOCK_TIMEOUT',
  /** The registry file is not valid JSON or does not match the registry schema. */
  VJ_REGISTRY_CORRUPT: 'VJ_REGISTRY_CORRUPT',
  /** Reading or writing the registry file or its folder failed. */
  VJ_REGISTRY_IO_FAILED: 'VJ_REGISTRY_IO_FAILED',
  /** A service name or entry given to the registry is invalid. */
  VJ_REGISTRY_INVALID_ENTRY: 'VJ_REGISTRY_INVALID_ENTRY',
  /** The registry lock was lost before the write, so the write was not made. */
  VJ_REGISTRY_LOCK_LOST: 'VJ_REGISTRY_LOCK_LOST',
  /** Registry options (folder, timeouts, clock) are invalid. */
  VJ_REGISTRY_INVALID_OPTIONS: 'VJ_REGISTRY_INVALID_OPTIONS',
  /** Worker options or configuration are invalid. */
  VJ_WORKER_INVALID_OPTIONS: 'VJ_WORKER_INVALID_OPTIONS',
  /** Another live process is registered under the worker's name, so this one did not start. */
  VJ_WORKER_NAME_IN_USE: 'VJ_WORKER_NAME_IN_USE',
} as const;

export type BusErrorCode = keyof typeof BusErrorCodes;

/** Context fields that any VjError may carry beside its code. */
export interface VjErrorFields {
  /** The original error, when this one wraps another. */
  cause?: unknown;
  /** One line for the console status bar; defaults to the message. */
  shortMessage?: string;
  /** Any further context: service, address, port, timeoutMs, path and so on. */
  [field: string]: unknown;
}

/**
 * Error of the vj toolkit. `code` is stable and documented; `message` is one
 * sentence that names the value and the remedy; `shortMessage` fits a status
 * line; other fields carry context.
 *
 * @example
 * throw new VjError('VJ_BUS_PORT_IN_USE', 'Port 5001 on 127.0.0.1 is already in use; stop the other process or set another port', { port: 5001 });
 */
export class VjError extends Error {
  readonly code: string;
  readonly shortMessage: string;
  readonly fields: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, fields: VjErrorFields = {}) {
    const { cause, shortMessage, ...rest } = fields;
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'VjError';
    this.code = code;
    this.shortMessage = shortMessage ?? message;
    this.fields = rest;
  }

  /** Plain object for logs and JSON responses. */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, ...this.fields };
  }
}

/** Tells whether `error` is a VjError, optionally with the given code. */
export function isVjError(error: unknown, code?: string): error is VjError {
  return error instanceof VjError && (code === undefined || error.code === code);
}
