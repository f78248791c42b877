/**
 * pm2 apps of the vj system, one per worker. `pnpm start` runs
 * `pm2 start ecosystem.config.ts`; the project's pm2 reads TypeScript through
 * patches/pm2@7.0.4.patch (see docs/operations.md for a global pm2).
 *
 * Workers run from their TypeScript sources through tsx, so there is no build
 * step to forget. `node --import tsx` keeps one process per worker; tsx's own
 * CLI would put a second process in front that pm2 cannot see.
 */
import path from 'node:path';
import type { StartOptions } from 'pm2';

const vjHome = process.env.VJ_HOME ?? path.join(process.env.HOME ?? '.', '.vj');

function workerApp(name: string, packageDir: string, env: Record<string, string>): StartOptions {
  return {
    name,
    cwd: path.join(__dirname, 'packages', packageDir),
    script: process.execPath,
    args: ['--import', 'tsx', 'src/main.ts'],
    interpreter: 'none',
    exec_mode: 'fork',
    env: { VJ_HOME: vjHome, NODE_ENV: 'production', ...env },
    exp_backoff_restart_delay: 100,
    max_restarts: 50,
    kill_timeout: 3000,
    time: true,
    merge_logs: true,
  };
}

export default {
  apps: [
    workerApp('example_worker', 'worker-example', { VJ_COMMAND_PORT: '5051', VJ_TELEMETRY_PORT: '5052' }),
  ],
};
