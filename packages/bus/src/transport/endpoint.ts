/**
 * Endpoint strings and socket binding with errors a user can act on.
 */
import type { Socket } from 'zeromq';
import { VjError } from '../errors';

/** Address that workers bind when none is configured: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';

/**
 * Builds a ZeroMQ TCP endpoint; IPv6 hosts are bracketed.
 *
 * @example
 * tcpEndpoint('127.0.0.1', 5001) // 'tcp://127.0.0.1:5001'
 */
export function tcpEndpoint(host: string, port: number): string {
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `tcp://${bracketed}:${port}`;
}

/**
 * Binds `socket` to `endpoint`, turning zeromq's errno errors into VjErrors.
 *
 * @throws VjError VJ_BUS_PORT_IN_USE when another process has bound the address.
 * @throws VjError VJ_BUS_BIND_FAILED for any other bind failure.
 */
export async function bindSocket(socket: Socket, endpoint: string, role: string): Promise<void> {
  try {
    await socket.bind(endpoint);
  } catch (cause) {
    throw bindError(cause, endpoint, role);
  }
}

function bindError(cause: unknown, endpoint: string, role: string): VjError {
  const code = (cause as { code?: string }).code;
  if (code === 'EADDRINUSE') {
    return new VjError(
      'VJ_BUS_PORT_IN_USE',
      `The ${role} address ${endpoint} is already in use; stop the process that holds it (see \`ss -ltnp\` or \`lsof -i\`) or configure another port`,
      { cause, endpoint, role, shortMessage: `${endpoint} already in use` },
    );
  }
  return new VjError(
    'VJ_BUS_BIND_FAILED',
    `Binding the ${role} socket to ${endpoint} failed (${(cause as Error).message}); check the host and port in the configuration`,
    { cause, endpoint, role, shortMessage: `cannot bind ${endpoint}` },
  );
}
