/**
 * Registry entries: checking what a service registers, building the entry
 * written to the file, and judging an entry's health. The types are public
 * through the package index, and the functions are internal to the registry.
 */
import { readFileSync } from 'node:fs';
import { VjError } from '../errors';
import {
  DEFAULT_SERVICE_HOST,
  type RegistryEntry,
  type RegistryFile,
  type ServicePorts,
  type ServiceStatus,
  ServiceStatuses,
} from './schema';

/** Service description that register and heartbeat write into the service's entry. */
export interface ServiceRegistration {
  /** Process id of the service. */
  pid: number;
  /** Command (ZMQ REP) and telemetry (ZMQ PUB) ports, each 1–65535 and different. */
  ports: ServicePorts;
  /** JSON object for clients. Default: the current entry's metadata if it has the same pid, else {}. */
  metadata?: Record<string, unknown>;
  /** Lifecycle state. Default: running. */
  status?: ServiceStatus;
  /** Bind address of the ports. Default: 127.0.0.1. */
  host?: string;
  /** Unix time in seconds when the process started, so an entry restored after loss keeps it. Default: the current entry's if it has the same pid, else now. */
  startedAt?: number;
}

/** Health of a service as judged from its registry entry. */
export type ServiceHealth = 'healthy' | 'stale' | 'crashed' | 'stopped' | 'missing';

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Checks a service name and registration before anything is written.
 *
 * Throws VJ_REGISTRY_INVALID_ENTRY naming the invalid field and its value.
 */
export function validateRegistration(name: string, registration: ServiceRegistration): void {
  // "__proto__" matches the pattern but would set the prototype of the
  // services object instead of adding an entry.
  if (typeof name !== 'string' || !NAME_PATTERN.test(name) || name === '__proto__') {
    throw invalidEntry(
      name,
      'name',
      name,
      "1 to 64 characters from A-Z, a-z, 0-9, '_', '.' and '-', not __proto__",
    );
  }
  if (!Number.isSafeInteger(registration.pid) || registration.pid < 1) {
    throw invalidEntry(name, 'pid', registration.pid, 'a positive integer process id');
  }

  const ports = registration.ports as Partial<ServicePorts> | undefined;
  for (const kind of ['command', 'telemetry'] as const) {
    const port = ports?.[kind];
    if (!Number.isInteger(port) || (port as number) < 1 || (port as number) > 65535) {
      throw invalidEntry(name, `${kind} port`, port, 'an integer from 1 to 65535');
    }
  }
  if (ports?.command === ports?.telemetry) {
    throw invalidEntry(name, 'telemetry port', ports?.telemetry, 'a port different from the command port');
  }

  if (registration.status !== undefined && !ServiceStatuses.includes(registration.status)) {
    throw invalidEntry(name, 'status', registration.status, `one of ${ServiceStatuses.join(', ')}`);
  }
  if (
    registration.host !== undefined &&
    (typeof registration.host !== 'string' || registration.host === '')
  ) {
    throw invalidEntry(name, 'host', registration.host, 'a non-empty address such as 127.0.0.1');
  }
  const { metadata } = registration;
  if (
    metadata !== undefined &&
    (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
  ) {
    throw invalidEntry(name, 'metadata', metadata, 'a JSON object');
  }
  if (metadata !== undefined && !isJsonSerializable(metadata)) {
    throw invalidEntry(name, 'metadata', metadata, 'a JSON object without BigInt values or cycles');
  }
  const { startedAt } = registration;
  if (startedAt !== undefined && !(Number.isFinite(startedAt) && startedAt > 0)) {
    throw invalidEntry(name, 'startedAt', startedAt, 'Unix time in seconds, a positive number');
  }
}

function invalidEntry(service: unknown, field: string, received: unknown, expected: string): VjError {
  const subject = field === 'name' ? 'Service name' : `The ${field} of service ${describeValue(service)}`;
  return new VjError(
    'VJ_REGISTRY_INVALID_ENTRY',
    `${subject} is invalid: expected ${expected}, received ${describeValue(received)}`,
    { service, field, received, shortMessage: `invalid ${field} for registry` },
  );
}

function isJsonSerializable(value: unknown): boolean {
  try {
    JSON.stringify(value);
    return true;
  } catch {
    // JSON.stringify throws for BigInt values, cycles and toJSON methods that throw.
    return false;
  }
}

/**
 * Builds the full entry written by register and by a restoring heartbeat.
 * Unknown fields of `current` are kept. Its metadata and started_at are kept
 * only when it has the same pid, because otherwise they describe another process.
 */
export function buildEntry(
  registration: ServiceRegistration,
  current: RegistryEntry | undefined,
  nowMs: number,
): RegistryEntry {
  const samePid = current?.pid === registration.pid;
  return {
    ...current,
    pid: registration.pid,
    status: registration.status ?? 'running',
    heartbeat_at: nowMs / 1000,
    ports: { command: registration.ports.command, telemetry: registration.ports.telemetry },
    metadata: { ...(registration.metadata ?? (samePid ? current?.metadata : undefined) ?? {}) },
    host: registration.host ?? DEFAULT_SERVICE_HOST,
    started_at: registration.startedAt ?? (samePid ? current?.started_at : undefined) ?? nowMs / 1000,
  };
}

/** Returns the entry of `name`, or undefined when `services` has no own entry of that name. */
export function entryOf(services: RegistryFile['services'], name: string): RegistryEntry | undefined {
  // hasOwn, so that names such as "constructor" do not find Object.prototype members.
  return Object.hasOwn(services, name) ? services[name] : undefined;
}

/** Returns the health of an existing entry at time `nowMs` (Unix ms). */
export function healthOf(
  entry: RegistryEntry,
  nowMs: number,
  staleAfterMs: number,
): Exclude<ServiceHealth, 'missing'> {
  if (entry.status === 'crashed') return 'crashed';
  if (entry.status === 'stopped') return 'stopped';
  return nowMs - entry.heartbeat_at * 1000 > staleAfterMs ? 'stale' : 'healthy';
}

/**
 * Tells whether a process with `pid` runs on this machine. A zombie, a process
 * that has exited but that its parent has not reaped yet, counts as dead: on
 * Linux signal 0 still reaches it, so its state is read from /proc.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    // Signal 0 checks existence and permission without sending anything.
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch (error) {
    // ESRCH: no such process. EPERM means it exists but belongs to another
    // user, and any other error is no proof of death, so both count as alive.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Reads the state letter of /proc/<pid>/stat; false where /proc is missing (macOS) or unreadable. */
function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // The command name in brackets may contain spaces, so the state is the first field after its ')'.
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
}

const PREVIEW_LENGTH = 80;

/**
 * Renders a received value for an error message: strings quoted, other
 * values as JSON, cut at 80 characters. Values that JSON cannot represent
 * fall back to String().
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  const text = isJsonSerializable(value) ? (JSON.stringify(value) ?? String(value)) : String(value);
  return text.length > PREVIEW_LENGTH ? `${text.slice(0, PREVIEW_LENGTH)}…` : text;
}
