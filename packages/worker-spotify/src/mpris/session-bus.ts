/**
 * Connection to the D-Bus session bus with dbus-next, with the two things
 * dbus-next 0.10.2 leaves out: a connect timeout, and notice of a bus that
 * goes away.
 */
import type { EventEmitter } from 'node:events';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { VjError } from '@vj/bus';
import { type MessageBus, sessionBus } from 'dbus-next';

/** Time that connecting and the `Hello` handshake may take, in ms. */
export const CONNECT_TIMEOUT_MS = 5000;

/** Remedy shown whenever the session bus cannot be reached. */
export const SESSION_BUS_HINT =
  'start a D-Bus session (dbus-run-session, or log in to a desktop session) or set DBUS_SESSION_BUS_ADDRESS to its address';

/** A connected bus and a way to learn when it closes. */
export interface SessionBusConnection {
  bus: MessageBus;
  /** Calls `listener` once when the connection closes or fails. */
  onClose(listener: (error: Error | undefined) => void): void;
  /** Calls `listener` for each 'error' of dbus-next that does not close the connection, such as a failed AddMatch. */
  onError(listener: (error: Error) => void): void;
  /** Disconnects; no close listener runs afterwards. */
  close(): void;
}

/**
 * Returns the session bus address from `env`: DBUS_SESSION_BUS_ADDRESS, else
 * `unix:path=$XDG_RUNTIME_DIR/bus` when that socket exists (systemd user
 * sessions put the bus there, and sd-bus looks there too), else undefined.
 *
 * @example
 * resolveSessionBusAddress({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/tmp/bus.sock' }); // 'unix:path=/tmp/bus.sock'
 */
export function resolveSessionBusAddress(env: NodeJS.ProcessEnv): string | undefined {
  const address = env.DBUS_SESSION_BUS_ADDRESS;
  if (address !== undefined && address.trim() !== '') return address;

  const runtimeDir = env.XDG_RUNTIME_DIR;
  if (runtimeDir === undefined || runtimeDir === '') return undefined;
  const socketPath = join(runtimeDir, 'bus');
  try {
    return statSync(socketPath).isSocket() ? `unix:path=${socketPath}` : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EACCES') return undefined;
    throw error;
  }
}

/**
 * Connects to the session bus at `address`, which must be given: dbus-next
 * would otherwise guess one from X11 or ~/.dbus, and the worker connects only
 * to the bus that resolveSessionBusAddress found in its environment.
 *
 * @throws VjError VJ_SPOTIFY_NO_SESSION_BUS when the address is missing or invalid, the socket refuses, or the handshake times out.
 */
export async function connectSessionBus(address: string | undefined): Promise<SessionBusConnection> {
  if (address === undefined || address.trim() === '') {
    throw noSessionBus(
      'DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus does not exist',
      address,
    );
  }

  let bus: MessageBus;
  try {
    bus = sessionBus({ busAddress: address });
  } catch (error) {
    throw noSessionBus(`DBUS_SESSION_BUS_ADDRESS "${address}" is not a usable D-Bus address`, address, error);
  }

  const closeListeners: Array<(error: Error | undefined) => void> = [];
  let closed = false;
  const fireClose = (error: Error | undefined): void => {
    if (closed) return;
    closed = true;
    for (const listener of closeListeners.splice(0)) listener(error);
  };
  // An 'error' listener must always be present: dbus-next emits stream and
  // call failures as 'error' events, and an unheard one would crash the process.
  let onOtherError: (error: Error) => void = () => {};
  bus.on('error', (error: Error) => {
    if (isConnectionError(error)) fireClose(error);
    else onOtherError(error);
  });
  // NOTE: `_connection.stream` is private to dbus-next 0.10.2, which emits no public
  // event when the daemon closes the socket. Without it a dead bus is noticed only
  // at the next call, so a dbus-next upgrade must keep this stream reachable.
  const stream = (bus as unknown as { _connection?: { stream?: EventEmitter } })._connection?.stream;
  stream?.once('close', () => fireClose(undefined));

  try {
    await waitForConnect(bus);
  } catch (error) {
    closed = true;
    bus.disconnect();
    throw noSessionBus(`The D-Bus session bus at ${address} could not be reached`, address, error);
  }

  return {
    bus,
    onClose(listener) {
      if (!closed) closeListeners.push(listener);
    },
    onError(listener) {
      onOtherError = listener;
    },
    close() {
      closed = true;
      closeListeners.length = 0;
      bus.disconnect();
    },
  };
}

/**
 * Resolves with the value of `promise`, or rejects with
 * VJ_SPOTIFY_DBUS_CALL_FAILED after `timeoutMs`, since dbus-next never settles
 * a call whose reply is lost with a closed connection.
 */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, call: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new VjError(
            'VJ_SPOTIFY_DBUS_CALL_FAILED',
            `D-Bus call ${call} got no reply within ${timeoutMs} ms`,
            {
              call,
              timeoutMs,
              shortMessage: `${call} timed out`,
            },
          ),
        ),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Socket errors carry an errno code; dbus-next reports writes after the socket closed with this text.
function isConnectionError(error: Error): boolean {
  return typeof (error as NodeJS.ErrnoException).code === 'string' || error.message.includes('closed stream');
}

function waitForConnect(bus: MessageBus): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanUp();
      reject(new Error(`no Hello reply within ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    const onConnect = (): void => {
      cleanUp();
      resolve();
    };
    const onError = (error: Error): void => {
      cleanUp();
      reject(error);
    };
    const cleanUp = (): void => {
      clearTimeout(timer);
      bus.removeListener('connect', onConnect);
      bus.removeListener('error', onError);
    };
    bus.on('connect', onConnect);
    bus.on('error', onError);
  });
}

function noSessionBus(problem: string, address: string | undefined, cause?: unknown): VjError {
  const detail = cause instanceof Error ? ` (${cause.message})` : '';
  return new VjError('VJ_SPOTIFY_NO_SESSION_BUS', `${problem}${detail}; ${SESSION_BUS_HINT}`, {
    address: address ?? null,
    cause,
    shortMessage: 'no D-Bus session bus',
  });
}
