import { createSocket } from 'node:dgram';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { lock } from 'proper-lockfile';

/**
 * Range, state folder and port check of a port allocator.
 * @internal
 */
export interface PortRange {
  /** Folder that holds `state.json` and its lock; every process that shares it shares the sequence. */
  stateDir: string;
  /** Lowest port handed out. */
  firstPort: number;
  /** Highest port handed out; after it the sequence wraps to `firstPort`. */
  lastPort: number;
  /** Check that a candidate port is free; {@link isPortFree} unless a test replaces it. */
  isFree?: (port: number) => Promise<boolean>;
}

/** Contents of `state.json`: the next port to try. */
interface PortState {
  next: number;
}

// The critical section holds the lock for a few milliseconds, so retries with a
// 5 to 200 ms backoff (100 retries) wait about 18 s in total. proper-lockfile refreshes
// the lock's mtime while it is held and treats a lock older than `stale` as left
// behind by a dead process.
const LOCK_OPTIONS = {
  stale: 5000,
  realpath: false,
  retries: { retries: 100, factor: 1.3, minTimeout: 5, maxTimeout: 200, randomize: true },
};

/**
 * Hands out `count` ports from `range`, continuing the sequence that every
 * process sharing `range.stateDir` advances under one lock.
 *
 * Each candidate is checked by binding it on 127.0.0.1 over TCP and UDP and
 * closing the sockets at once. A port that fails either bind is skipped and
 * not offered again until the sequence wraps. Because the sequence persists in
 * the state file, a port repeats only after `lastPort - firstPort + 1`
 * candidates have been tried by all processes together.
 *
 * Throws a RangeError when `count` is not an integer from 1 to the range size,
 * and an Error when the lock stays held by another process or no port in the
 * range can be bound.
 *
 * @example
 * const ports = await allocatePortsFrom({ stateDir, firstPort: 20000, lastPort: 29999 }, 2);
 * @internal
 */
export async function allocatePortsFrom(range: PortRange, count: number): Promise<number[]> {
  const size = range.lastPort - range.firstPort + 1;
  if (!Number.isInteger(count) || count < 1 || count > size) {
    throw new RangeError(`Port count must be an integer from 1 to ${size}, but received ${count}`);
  }

  const isFree = range.isFree ?? isPortFree;
  await mkdir(range.stateDir, { recursive: true, mode: 0o700 });
  const stateFile = join(range.stateDir, 'state.json');
  const release = await acquireLock(stateFile);
  try {
    const state = await readState(stateFile, range);
    const ports: number[] = [];
    let candidate = state.next;
    for (let tried = 0; ports.length < count; tried++) {
      if (tried === size) {
        throw new Error(
          `Ports ${range.firstPort}-${range.lastPort} are all in use on 127.0.0.1; stop the processes that hold them`,
        );
      }
      if (await isFree(candidate)) ports.push(candidate);
      candidate = candidate === range.lastPort ? range.firstPort : candidate + 1;
    }
    await writeState(stateFile, { next: candidate });
    return ports;
  } finally {
    await release();
  }
}

/**
 * Tells whether `port` can be bound on 127.0.0.1 over both TCP and UDP, by
 * binding and closing a socket of each kind.
 * @internal
 */
export async function isPortFree(port: number): Promise<boolean> {
  return (await canBindTcp(port)) && (await canBindUdp(port));
}

async function acquireLock(stateFile: string): Promise<() => Promise<void>> {
  const lockPath = `${stateFile}.lock`;
  try {
    return await lock(stateFile, { ...LOCK_OPTIONS, lockfilePath: lockPath });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    throw new Error(
      `Port allocator lock ${lockPath} stayed held by another process for about 18 s; delete it if no test is running`,
      { cause: error },
    );
  }
}

async function readState(stateFile: string, range: PortRange): Promise<PortState> {
  let text: string;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { next: range.firstPort };
    throw error;
  }

  // A state file from another range, or one that is not our JSON, restarts the
  // sequence: the bind check still keeps ports in use from being handed out.
  const next = parseNext(text);
  if (next === undefined || next < range.firstPort || next > range.lastPort) return { next: range.firstPort };
  return { next };
}

function parseNext(text: string): number | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
  const next = (parsed as Partial<PortState> | null)?.next;
  return Number.isInteger(next) ? next : undefined;
}

async function writeState(stateFile: string, state: PortState): Promise<void> {
  // Write then rename, so that a process killed mid-write leaves the old state
  // file intact instead of a truncated one.
  const temporaryFile = `${stateFile}.${process.pid}.tmp`;
  await writeFile(temporaryFile, `${JSON.stringify(state)}\n`);
  await rename(temporaryFile, stateFile);
}

function canBindTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

function canBindUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind({ port, address: '127.0.0.1', exclusive: true }, () => {
      socket.close(() => resolve(true));
    });
  });
}
