/**
 * The service registry: `$VJ_HOME/registry.json`, through which workers
 * announce their ports and liveness and clients find them.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { VjError } from '../errors';
import {
  buildEntry,
  entryOf,
  healthOf,
  isProcessAlive,
  type ServiceHealth,
  type ServiceRegistration,
  validateRegistration,
} from './entry';
import {
  emptyRegistry,
  ensureRegistryFolder,
  moveCorruptFile,
  readRegistryFile,
  writeRegistryFile,
} from './file';
import { withRegistryLock } from './lock';
import {
  defaultVjHome,
  type RegistryOptions,
  type ResolvedRegistryOptions,
  resolveRegistryOptions,
} from './options';
import type { RegistryEntry, RegistryFile } from './schema';

export type { ServiceHealth, ServiceRegistration } from './entry';
export type { RegistryOptions, ResolvedRegistryOptions } from './options';

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
    this.options = resolveRegistryOptions(options);
    this.path = join(this.options.vjHome, 'registry.json');
  }

  /** Returns $VJ_HOME as an absolute path when it is set and not empty, else ~/.vj. */
  static defaultHome(): string {
    return defaultVjHome();
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
   * staleAfterMs). With `includeStale: true` it returns every entry. A corrupt
   * file reads as empty, unless `rejectCorrupt: true`, which throws its
   * VJ_REGISTRY_CORRUPT error instead so a caller can keep its last good view.
   *
   * Throws VJ_REGISTRY_IO_FAILED when the file exists but cannot be read.
   */
  async list(
    options: { includeStale?: boolean; rejectCorrupt?: boolean } = {},
  ): Promise<Record<string, RegistryEntry>> {
    const services = await this.readServices(options.rejectCorrupt === true);
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
        const fresh = healthOf(entry, nowMs, this.options.staleAfterMs) === 'healthy';
        if (fresh && isProcessAlive(entry.pid)) continue;

        entry.status = 'crashed';
        marked.push(name);
      }
      return { changed: marked.length > 0, result: marked };
    });
  }

  /**
   * Runs a read-modify-write of the services under the lock. A corrupt file
   * is moved aside first, and `change` then starts from an empty registry.
   * The `corrupt` event is emitted after the lock is released, also when the
   * write that follows the move fails.
   */
  private async update<T>(
    change: (services: RegistryFile['services']) => { changed: boolean; result: T },
  ): Promise<T> {
    await ensureRegistryFolder(this.options.vjHome);
    let corruptEvent: RegistryCorruptEvent | undefined;

    try {
      return await withRegistryLock(this.path, this.options.lockTimeoutMs, async (lock) => {
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
    } finally {
      if (corruptEvent !== undefined) this.emit('corrupt', corruptEvent);
    }
  }

  private async readServices(rejectCorrupt = false): Promise<RegistryFile['services']> {
    const read = await readRegistryFile(this.path);
    if (read.ok) return read.file.services;

    // A console polling list() must not get one event per poll for the same
    // broken file, so each corrupt version is reported once per instance.
    if (read.fileId !== this.lastReportedCorruptFileId) {
      this.lastReportedCorruptFileId = read.fileId;
      this.emit('corrupt', { path: this.path, backupPath: null, error: read.error });
    }
    if (rejectCorrupt) throw read.error;
    return {};
  }
}
