/**
 * The service registry: `$VJ_HOME/registry.json`, through which workers
 * announce their ports and liveness and clients find them.
 */
import { EventEmitter } from 'node:events';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { VjError } from '../errors';
import {
  emptyRegistry,
  ensureRegistryFolder,
  moveCorruptFile,
  readRegistryFile,
  writeRegistryFile,
} from './file';
import { withRegistryLock } from './lock';
import {
  DEFAULT_SERVICE_HOST,
  type RegistryEntry,
  type RegistryFile,
  type ServicePorts,
  type ServiceStatus,
  ServiceStatuses,
} from './schema';

/** Options of a Registry. Every field is optional and has a default. */
export type RegistryOptions = Partial<ResolvedRegistryOptions>;

/** Registry options after defaults are applied. */
export interface ResolvedRegistryOptions {
  /** Folder of registry.json. Default: Registry.defaultHome(), i.e. $VJ_HOME or ~/.vj. */
  vjHome: string;
  /** Time in ms without a heartbeat after which a service is stale. Default: 15000. */
  staleAfterMs: number;
  /** Maximum time in ms that a write waits for the registry lock. Default: 5000. */
  lockTimeoutMs: number;
  /** Clock that returns the current Unix time in ms. Tests replace it to move time. Default: Date.now. */
  now: () => number;
}

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
}

/** Health of a service as judged from its registry entry. */
export type ServiceHealth = 'healthy' | 'stale' | 'crashed' | 'stopped' | 'missing';

/** Payload of the `corrupt` event. */
export interface RegistryCorruptEvent {
  /** Path of registry.json. */
  path: string;
  /** Path of the backup that a writer moved the corrupt file to, or null when a reader only saw it. */
  backupPath: string | null;
  /** VJ_REGISTRY_CORRUPT error with the parse or schema problem. */
  error: VjError;
}

/** Events of a Registry. */
export interface RegistryEvents {
  corrupt: [event: RegistryCorruptEvent];
}

/**
 * Reads and updates the service registry shared by all vj processes of a user.
 *
 * Writes (register, heartbeat, unregister, cleanupStale) take a lock folder
 * beside the file and replace the file atomically, so concurrent writers in
 * different processes lose no update. Reads (list, get, health) take no lock.
 *
 * A corrupt file (invalid JSON or wrong shape) never makes a method throw.
 * A writer moves it to `registry.json.corrupt-<unix ms>`, keeps the 3 newest
 * such backups, and continues from an empty registry. Workers then re-appear
 * on their next heartbeat. Both readers and writers emit `corrupt`, a reader
 * once per corrupt version of the file.
 *
 * @example
 * const registry = new Registry();
 * registry.on('corrupt', ({ error, backupPath }) => log.warn({ err: error, backupPath }, 'registry file corrupt'));
 * const ports = { command: 5001, telemetry: 5002 };
 * await registry.register('audio_analyzer', { pid: process.pid, ports });
 * const timer = setInterval(() => {
 *   registry.heartbeat('audio_analyzer', { pid: process.pid, ports }).catch((error) => log.error({ err: error }, 'heartbeat failed'));
 * }, 5000);
 * const running = await registry.list(); // { audio_analyzer: { pid, status: 'running', ports, ... } }
 * clearInterval(timer);
 * await registry.unregister('audio_analyzer', { pid: process.pid });
 */
export class Registry extends EventEmitter<RegistryEvents> {
  /** Absolute path of registry.json. */
  readonly path: string;

  private readonly options: Readonly<ResolvedRegistryOptions>;
  private lastReportedCorruptFileId: string | undefined;

  /**
   * Creates a registry handle. Nothing is read or written until a method is called.
   *
   * Throws VJ_REGISTRY_INVALID_OPTIONS when an option has the wrong type or range.
   */
  constructor(options: RegistryOptions = {}) {
    super();
    this.options = resolveOptions(options);
    this.path = join(this.options.vjHome, 'registry.json');
  }

  /** Returns $VJ_HOME as an absolute path when it is set and not empty, else ~/.vj. */
  static defaultHome(): string {
    const fromEnvironment = process.env.VJ_HOME;
    if (fromEnvironment !== undefined && fromEnvironment !== '') return resolve(fromEnvironment);
    return join(homedir(), '.vj');
  }

  /**
   * Writes the full entry of `name` with heartbeat_at set to now, replacing
   * any entry of that name. Fields of the old entry that vj does not know are
   * kept. Returns the entry written.
   *
   * Throws VJ_REGISTRY_INVALID_ENTRY for an invalid name, pid, port, status,
   * host or metadata. Throws VJ_REGISTRY_LOCK_TIMEOUT, VJ_REGISTRY_LOCK_LOST
   * or VJ_REGISTRY_IO_FAILED when the write fails.
   */
  async register(name: string, registration: ServiceRegistration): Promise<RegistryEntry> {
    validateRegistration(name, registration);
    return this.update((services) => {
      const entry = buildEntry(registration, entryOf(services, name), this.options.now());
      services[name] = entry;
      return { changed: true, result: { ...entry } };
    });
  }

  /**
   * Records a heartbeat of `name`. When the entry is running under the same
   * pid and `status` is running or omitted, only heartbeat_at (and metadata,
   * when given) changes. Otherwise the full entry is written as by register.
   * `restored` is true when that happened because the entry was missing,
   * marked crashed, or had another pid, which is how a worker whose entry
   * was lost comes back.
   *
   * Throws the same codes as register.
   */
  async heartbeat(name: string, registration: ServiceRegistration): Promise<{ restored: boolean }> {
    validateRegistration(name, registration);
    return this.update((services) => {
      const current = entryOf(services, name);
      const nowMs = this.options.now();
      const requestedStatus = registration.status ?? 'running';

      if (
        current?.pid === registration.pid &&
        current.status === 'running' &&
        requestedStatus === 'running'
      ) {
        current.heartbeat_at = nowMs / 1000;
        if (registration.metadata !== undefined) current.metadata = { ...registration.metadata };
        return { changed: true, result: { restored: false } };
      }

      const restored =
        current === undefined || current.status === 'crashed' || current.pid !== registration.pid;
      services[name] = buildEntry(registration, current, nowMs);
      return { changed: true, result: { restored } };
    });
  }

  /**
   * Removes the entry of `name`. With `pid`, removes it only while the entry
   * still has that pid, so an old process cannot remove its restarted
   * successor. Returns whether an entry was removed.
   *
   * Throws VJ_REGISTRY_LOCK_TIMEOUT, VJ_REGISTRY_LOCK_LOST or VJ_REGISTRY_IO_FAILED.
   */
  async unregister(name: string, options: { pid?: number } = {}): Promise<boolean> {
    return this.update((services) => {
      const current = entryOf(services, name);
      if (current === undefined) return { changed: false, result: false };
      if (options.pid !== undefined && current.pid !== options.pid) return { changed: false, result: false };

      delete services[name];
      return { changed: true, result: true };
    });
  }

  /**
   * Returns the services by name, without taking the lock. By default leaves
   * out entries that are crashed, stopped, or stale (no heartbeat for
   * staleAfterMs). With `includeStale: true` it returns every entry.
   *
   * Throws VJ_REGISTRY_IO_FAILED when the file exists but cannot be read.
   */
  async list(options: { includeStale?: boolean } = {}): Promise<Record<string, RegistryEntry>> {
    const services = await this.readServices();
    if (options.includeStale === true) return services;

    const nowMs = this.options.now();
    const live: Record<string, RegistryEntry> = {};
    for (const [name, entry] of Object.entries(services)) {
      if (healthOf(entry, nowMs, this.options.staleAfterMs) === 'healthy') live[name] = entry;
    }
    return live;
  }

  /**
   * Returns the entry of `name` whatever its status, or undefined when there
   * is none. Takes no lock. Throws VJ_REGISTRY_IO_FAILED as list does.
   */
  async get(name: string): Promise<RegistryEntry | undefined> {
    return entryOf(await this.readServices(), name);
  }

  /**
   * Returns the health of `name`: missing without an entry, crashed or
   * stopped by its status, stale without a heartbeat for staleAfterMs, else
   * healthy. Takes no lock. Throws VJ_REGISTRY_IO_FAILED as list does.
   */
  async health(name: string): Promise<ServiceHealth> {
    const entry = await this.get(name);
    if (entry === undefined) return 'missing';
    return healthOf(entry, this.options.now(), this.options.staleAfterMs);
  }

  /**
   * Marks as crashed every entry, other than crashed or stopped ones, whose
   * heartbeat is older than staleAfterMs or whose pid no longer exists on
   * this machine. Returns the names it marked.
   *
   * Throws VJ_REGISTRY_LOCK_TIMEOUT, VJ_REGISTRY_LOCK_LOST or VJ_REGISTRY_IO_FAILED.
   */
  async cleanupStale(): Promise<string[]> {
    return this.update((services) => {
      const nowMs = this.options.now();
      const marked: string[] = [];
      for (const [name, entry] of Object.entries(services)) {
        if (entry.status === 'crashed' || entry.status === 'stopped') continue;
        if (healthOf(entry, nowMs, this.options.staleAfterMs) === 'healthy' && isProcessAlive(entry.pid))
          continue;

        entry.status = 'crashed';
        marked.push(name);
      }
      return { changed: marked.length > 0, result: marked };
    });
  }

  /**
   * Runs a read-modify-write of the services under the lock. A corrupt file
   * is moved aside first, and `change` then starts from an empty registry.
   * The `corrupt` event is emitted after the lock is released.
   */
  private async update<T>(
    change: (services: RegistryFile['services']) => { changed: boolean; result: T },
  ): Promise<T> {
    await ensureRegistryFolder(this.options.vjHome);
    let corruptEvent: RegistryCorruptEvent | undefined;

    const result = await withRegistryLock(this.path, this.options.lockTimeoutMs, async (lock) => {
      const read = await readRegistryFile(this.path);
      let file: RegistryFile;
      if (read.ok) {
        file = read.file;
      } else {
        const backupPath = await moveCorruptFile(this.path, this.options.now());
        corruptEvent = { path: this.path, backupPath, error: read.error };
        file = emptyRegistry();
      }

      const outcome = change(file.services);
      if (outcome.changed) {
        lock.assertHeld();
        await writeRegistryFile(this.path, file);
      }
      return outcome.result;
    });

    if (corruptEvent !== undefined) this.emit('corrupt', corruptEvent);
    return result;
  }

  private async readServices(): Promise<RegistryFile['services']> {
    const read = await readRegistryFile(this.path);
    if (read.ok) return read.file.services;

    // A console polling list() must not get one event per poll for the same
    // broken file, so each corrupt version is reported once per instance.
    if (read.fileId !== this.lastReportedCorruptFileId) {
      this.lastReportedCorruptFileId = read.fileId;
      this.emit('corrupt', { path: this.path, backupPath: null, error: read.error });
    }
    return {};
  }
}

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

function resolveOptions(options: RegistryOptions): Readonly<ResolvedRegistryOptions> {
  const resolved: ResolvedRegistryOptions = {
    vjHome: Registry.defaultHome(),
    staleAfterMs: 15_000,
    lockTimeoutMs: 5_000,
    now: Date.now,
    ...definedFields(options),
  };

  if (typeof resolved.vjHome !== 'string' || resolved.vjHome === '') {
    throw invalidOption('vjHome', resolved.vjHome, 'a non-empty folder path');
  }
  if (!(Number.isFinite(resolved.staleAfterMs) && resolved.staleAfterMs > 0)) {
    throw invalidOption('staleAfterMs', resolved.staleAfterMs, 'a positive number of milliseconds');
  }
  if (!(Number.isFinite(resolved.lockTimeoutMs) && resolved.lockTimeoutMs >= 0)) {
    throw invalidOption('lockTimeoutMs', resolved.lockTimeoutMs, 'a number of milliseconds, 0 or more');
  }
  if (typeof resolved.now !== 'function') {
    throw invalidOption('now', resolved.now, 'a function returning Unix time in ms');
  }
  return Object.freeze({ ...resolved, vjHome: resolve(resolved.vjHome) });
}

function definedFields(options: RegistryOptions): RegistryOptions {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

function invalidOption(option: string, received: unknown, expected: string): VjError {
  return new VjError(
    'VJ_REGISTRY_INVALID_OPTIONS',
    `Registry option ${option} is invalid: expected ${expected}, received ${describe(received)}`,
    { option, received, shortMessage: `invalid registry option ${option}` },
  );
}

function validateRegistration(name: string, registration: ServiceRegistration): void {
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
}

function invalidEntry(service: unknown, field: string, received: unknown, expected: string): VjError {
  const subject = field === 'name' ? 'Service name' : `The ${field} of service ${describe(service)}`;
  return new VjError(
    'VJ_REGISTRY_INVALID_ENTRY',
    `${subject} is invalid: expected ${expected}, received ${describe(received)}`,
    { service, field, received, shortMessage: `invalid ${field} for registry` },
  );
}

function buildEntry(
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
    started_at: (samePid ? current?.started_at : undefined) ?? nowMs / 1000,
  };
}

function entryOf(services: RegistryFile['services'], name: string): RegistryEntry | undefined {
  // hasOwn, so that names such as "constructor" do not find Object.prototype members.
  return Object.hasOwn(services, name) ? services[name] : undefined;
}

function healthOf(
  entry: RegistryEntry,
  nowMs: number,
  staleAfterMs: number,
): Exclude<ServiceHealth, 'missing'> {
  if (entry.status === 'crashed') return 'crashed';
  if (entry.status === 'stopped') return 'stopped';
  return nowMs - entry.heartbeat_at * 1000 > staleAfterMs ? 'stale' : 'healthy';
}

function isProcessAlive(pid: number): boolean {
  try {
    // Signal 0 checks existence and permission without sending anything.
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // ESRCH: no such process. EPERM means it exists but belongs to another
    // user, and any other error is no proof of death, so both count as alive.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  return JSON.stringify(value) ?? String(value);
}
