import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocatePortsFrom, type PortRange } from './internal/port-allocator';

// 20000-29999 lies below Linux's default ephemeral range (32768-60999, see
// /proc/sys/net/ipv4/ip_local_port_range), so the kernel does not pick these
// ports for outgoing connections, and it stays clear of vj's default ports
// (5000-5099 for the bus, 9000-9001 for OSC).
const FIRST_PORT = 20000;
const LAST_PORT = 29999;

/**
 * Allocates one port on 127.0.0.1 that no other test of this machine has been
 * given recently.
 *
 * All Jest workers and all packages that test in parallel share one sequence,
 * kept in `os.tmpdir()/vj-test-ports/state.json` under a lock, from 20000 to
 * 29999 and then wrapping. A port repeats only after 10,000 candidates. Each
 * candidate is bound briefly over TCP and UDP and skipped when either bind
 * fails. Between the check and the test's own bind another process may still
 * take the port, which is unlikely but possible.
 *
 * Throws an Error when the lock stays held for about 18 s or no port in the
 * range is free.
 *
 * @example
 * const port = await allocatePort();
 * await socket.bind(`tcp://127.0.0.1:${port}`);
 */
export async function allocatePort(): Promise<number> {
  const [port] = await allocatePortsFrom(defaultRange(), 1);
  return port as number;
}

/**
 * Allocates `count` distinct ports under one lock, as {@link allocatePort} does
 * for one. Throws a RangeError when `count` is not an integer from 1 to 10,000.
 *
 * @example
 * const [command, telemetry] = await allocatePorts(2);
 */
export function allocatePorts(count: number): Promise<number[]> {
  return allocatePortsFrom(defaultRange(), count);
}

// NOTE: the state folder is created with mode 0700 and shared by name, so a
// second user on the same machine gets EACCES; a private TMPDIR avoids that.
function defaultRange(): PortRange {
  return { stateDir: join(tmpdir(), 'vj-test-ports'), firstPort: FIRST_PORT, lastPort: LAST_PORT };
}
