/**
 * The process_manager worker: a Supervisor on the bus, with commands to
 * start, stop, restart and list the supervised workers.
 */
import path from 'node:path';
import { VjError, Worker, type WorkerOptions } from '@vj/bus';
import type { StartOptions } from 'pm2';
import { Pm2Adapter } from './pm2-adapter';
import type { RestartPolicyOptions } from './restart-policy';
import { Supervisor, type SupervisorOptions } from './supervisor';

/** File beside the registry in VJ_HOME that keeps the workers' restart times across restarts of the process manager. */
const RESTART_HISTORY_FILE = 'process-manager.restarts.json';

/** Registry name and default ports of the process manager. */
export const PROCESS_MANAGER_DEFAULTS = {
  name: 'process_manager',
  commandPort: 5000,
  telemetryPort: 5099,
} as const;

export interface ProcessManagerOptions extends Partial<WorkerOptions> {
  /** The apps to supervise, as defineEcosystem built them. */
  apps: StartOptions[];
  /** pm2's home folder (default env PM2_HOME, else ~/.pm2). */
  pm2Home?: string;
  restartPolicy?: RestartPolicyOptions;
  restartPolicies?: Record<string, RestartPolicyOptions>;
  hungAfterMs?: number;
  startTimeoutMs?: number;
  checkIntervalMs?: number;
}

/**
 * The process manager worker.
 *
 * @example
 * await new ProcessManagerWorker({ apps: ecosystem.apps }).run();
 */
export class ProcessManagerWorker extends Worker {
  private readonly settings: ProcessManagerOptions;
  private pm2: Pm2Adapter | undefined;
  private supervisor: Supervisor | undefined;

  constructor(options: ProcessManagerOptions) {
    const {
      apps: _apps,
      pm2Home: _pm2Home,
      restartPolicy: _policy,
      restartPolicies: _policies,
      hungAfterMs: _hung,
      startTimeoutMs: _start,
      checkIntervalMs: _check,
      ...workerOptions
    } = options;
    super({ ...PROCESS_MANAGER_DEFAULTS, ...workerOptions });
    this.settings = options;
    this.command('list_workers', async () => ({ workers: await this.supervised().listWorkers() }));
    this.command('start_worker', async (payload) => ({
      worker: await this.supervised().startWorker(workerName(payload)),
    }));
    this.command('stop_worker', async (payload) => ({
      worker: await this.supervised().stopWorker(workerName(payload)),
    }));
    this.command('restart_worker', async (payload) => ({
      worker: await this.supervised().restartWorker(workerName(payload)),
    }));
  }

  protected override async onStart(): Promise<void> {
    const pm2 = new Pm2Adapter(this.settings.pm2Home === undefined ? {} : { pm2Home: this.settings.pm2Home });
    await pm2.connect();
    const supervisorOptions: SupervisorOptions = {
      pm2,
      registry: this.registry,
      apps: this.settings.apps,
      publishEvent: (event, worker, payload) => this.publishEvent(event, worker, payload),
      log: this.log,
      restartHistoryFile: path.join(path.dirname(this.registry.path), RESTART_HISTORY_FILE),
    };
    if (this.settings.restartPolicy !== undefined)
      supervisorOptions.restartPolicy = this.settings.restartPolicy;
    if (this.settings.restartPolicies !== undefined)
      supervisorOptions.restartPolicies = this.settings.restartPolicies;
    if (this.settings.hungAfterMs !== undefined) supervisorOptions.hungAfterMs = this.settings.hungAfterMs;
    if (this.settings.startTimeoutMs !== undefined)
      supervisorOptions.startTimeoutMs = this.settings.startTimeoutMs;
    if (this.settings.checkIntervalMs !== undefined)
      supervisorOptions.checkIntervalMs = this.settings.checkIntervalMs;
    const supervisor = new Supervisor(supervisorOptions);
    await supervisor.start();
    this.pm2 = pm2;
    this.supervisor = supervisor;
    this.log.info({ workers: supervisor.names() }, 'supervision started');
  }

  protected override async onStop(): Promise<void> {
    this.supervisor?.stop();
    this.supervisor = undefined;
    const pm2 = this.pm2;
    this.pm2 = undefined;
    await pm2?.disconnect();
  }

  protected override describeState(): Record<string, unknown> {
    return { workers: this.supervisor?.names() ?? [] };
  }

  private supervised(): Supervisor {
    if (this.supervisor === undefined)
      throw new VjError('VJ_BUS_CLOSED', 'The process manager is not supervising yet; retry in a moment');
    return this.supervisor;
  }
}

function workerName(payload: Record<string, unknown>): string {
  const name = payload.name;
  if (typeof name === 'string' && name !== '') return name;
  throw new VjError(
    'VJ_BUS_INVALID_PAYLOAD',
    `The command needs "name", the worker's registry name, received ${JSON.stringify(name)}`,
    {
      field: 'name',
    },
  );
}
