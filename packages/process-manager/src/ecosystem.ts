/**
 * Typed helpers for ecosystem.config.ts: one pm2 app per worker. Loading the
 * file builds each worker's bundle, so every `pm2 start ecosystem.config.ts`
 * runs current code and there is no build step to forget. Apps run from
 * source go through `node --import tsx`, not tsx's own CLI. The CLI puts a
 * second process in front of the worker, so after a `kill -9` of the pid that
 * pm2 manages, the worker survives as an orphan (seen with pm2 7.0.4 and tsx 4.23).
 */
import os from 'node:os';
import path from 'node:path';
import type { StartOptions } from 'pm2';
import type { RestartPolicyOptions } from './restart-policy';
import { buildWorkerBundle } from './worker-bundle';

/** One worker of the system. */
export interface WorkerAppOptions {
  /** Registry and pm2 name, e.g. `audio_analyzer`. */
  name: string;
  /** Folder under packages/, e.g. `worker-audio`; the app runs its `src/main.ts`. */
  packageDir: string;
  /** Command (REP) port. */
  commandPort: number;
  /** Telemetry (PUB) port. */
  telemetryPort: number;
  /** Extra environment variables of the worker. */
  env?: Record<string, string>;
  /** Time pm2 waits after SIGINT before SIGKILL when stopping, in ms (default 3000). */
  killTimeoutMs?: number;
  /**
   * Restarter of the worker when it exits unasked: the process manager with its
   * restart policy (default, with pm2's autorestart off), or pm2 itself. pm2 is
   * what keeps the process manager alive.
   */
  restartedBy?: 'process_manager' | 'pm2';
  /** Restart policy of this worker when the process manager restarts it; passed as VJ_RESTART_POLICY. */
  restartPolicy?: RestartPolicyOptions;
  /**
   * Form the worker runs in. `bundle`, the default for workers the process manager
   * restarts, runs JavaScript that defineEcosystem builds with esbuild. `source`, the
   * default for apps pm2 restarts, runs `node --import tsx src/main.ts`, because the
   * process manager loads the TypeScript ecosystem file.
   */
  runFrom?: 'bundle' | 'source';
}

/** Options of defineEcosystem: the repository root, the registry folder and the apps. */
export interface EcosystemOptions {
  /** Repository root: the folder of ecosystem.config.ts (pass `__dirname`). */
  root: string;
  /** Registry folder of every worker (default env VJ_HOME, else ~/.vj). */
  vjHome?: string;
  /** Path of the ecosystem file, passed to the process manager as VJ_ECOSYSTEM (default `<root>/ecosystem.config.ts`). */
  file?: string;
  /**
   * Build the bundles of apps that run from one (default true). The process manager reads
   * the ecosystem only for the app list and sets VJ_ECOSYSTEM_NO_BUILD=1 to skip it.
   */
  buildBundles?: boolean;
  apps: WorkerAppOptions[];
}

/** pm2's exponential backoff base, in ms: delays of 100, 150, 225 ms and so on, capped by pm2 at 15 s. */
const PM2_BACKOFF_BASE_MS = 100;

/**
 * Builds the pm2 ecosystem of the vj workers.
 *
 * @example
 * export default defineEcosystem({
 *   root: __dirname,
 *   apps: [{ name: 'example_worker', packageDir: 'worker-example', commandPort: 5051, telemetryPort: 5052 }],
 * });
 */
export function defineEcosystem(options: EcosystemOptions): { apps: StartOptions[] } {
  const vjHome = options.vjHome ?? process.env.VJ_HOME ?? path.join(os.homedir(), '.vj');
  const file = options.file ?? path.join(options.root, 'ecosystem.config.ts');
  const build = options.buildBundles ?? process.env.VJ_ECOSYSTEM_NO_BUILD !== '1';
  return { apps: options.apps.map((app) => workerApp(app, options.root, vjHome, file, build)) };
}

function workerApp(
  app: WorkerAppOptions,
  root: string,
  vjHome: string,
  file: string,
  build: boolean,
): StartOptions {
  const byPm2 = app.restartedBy === 'pm2';
  const fromBundle = (app.runFrom ?? (byPm2 ? 'source' : 'bundle')) === 'bundle';
  const bundle = path.join(root, 'packages', app.packageDir, 'dist', 'bundle', 'main.cjs');
  if (fromBundle && build) buildWorkerBundle(root, app.packageDir);
  const logDir = path.join(vjHome, 'logs', 'pm2');
  return {
    name: app.name,
    cwd: path.join(root, 'packages', app.packageDir),
    script: process.execPath,
    args: fromBundle ? [bundle] : ['--import', 'tsx', 'src/main.ts'],
    interpreter: 'none',
    exec_mode: 'fork',
    env: {
      VJ_HOME: vjHome,
      VJ_COMMAND_PORT: String(app.commandPort),
      VJ_TELEMETRY_PORT: String(app.telemetryPort),
      VJ_ECOSYSTEM: file,
      ...(app.restartPolicy === undefined ? {} : { VJ_RESTART_POLICY: JSON.stringify(app.restartPolicy) }),
      ...app.env,
    },
    autorestart: byPm2,
    // The next three apply only when pm2 restarts the app, that is to the process manager.
    // The backoff keeps a crash-looping process manager from spinning. pm2 counts toward
    // max_restarts only restarts sooner than min_uptime after start, and with a backoff
    // set it leaves an app over the limit in "waiting restart" for good, so the limit is
    // high: the process manager should come back unless it cannot start at all.
    exp_backoff_restart_delay: PM2_BACKOFF_BASE_MS,
    min_uptime: 1000,
    max_restarts: 100,
    kill_timeout: app.killTimeoutMs ?? 3000,
    output: path.join(logDir, `${app.name}-out.log`),
    error: path.join(logDir, `${app.name}-error.log`),
    merge_logs: true,
    time: true,
  };
}
