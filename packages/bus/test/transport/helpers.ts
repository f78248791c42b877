/** Endpoints for transport tests, one per protocol, each unique within the run. */
import os from 'node:os';
import path from 'node:path';

let counter = 0;

/** Protocols every transport test runs over. */
export const PROTOCOLS = ['tcp', 'ipc', 'inproc'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/**
 * Returns an endpoint to bind for `protocol`. TCP uses ZeroMQ's wildcard port on
 * loopback, so the OS picks a free port; read the bound one from `.endpoint`.
 */
export function endpointFor(protocol: Protocol): string {
  counter++;
  const tag = `${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}`;
  if (protocol === 'tcp') return 'tcp://127.0.0.1:*';
  if (protocol === 'ipc') return `ipc://${path.join(os.tmpdir(), `vj-test-${tag}.sock`)}`;
  return `inproc://vj-test-${tag}`;
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` every 10 ms until it is true, failing with `message` after `timeoutMs`. */
export async function until(predicate: () => boolean, message: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${message}`);
    await delay(10);
  }
}
