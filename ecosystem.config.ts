/**
 * pm2 apps of the vj system, one per worker. `pnpm start` runs
 * `pm2 start ecosystem.config.ts`; the project's pm2 reads TypeScript through
 * patches/pm2@7.0.4.patch (docs/operations.md explains what a global pm2 needs).
 * pm2 keeps the process manager alive, and the process manager restarts the
 * other workers with its own policy. Ports are the defaults of
 * docs/protocol.md; change them here.
 */
import { defineEcosystem } from '@vj/process-manager';

export default defineEcosystem({
  root: __dirname,
  apps: [
    {
      name: 'process_manager',
      packageDir: 'process-manager',
      commandPort: 5000,
      telemetryPort: 5099,
      restartedBy: 'pm2',
    },
    { name: 'audio_analyzer', packageDir: 'worker-audio', commandPort: 5001, telemetryPort: 5002 },
    { name: 'spotify_monitor', packageDir: 'worker-spotify', commandPort: 5021, telemetryPort: 5022 },
    { name: 'osc_debugger', packageDir: 'worker-osc-debug', commandPort: 5041, telemetryPort: 5042 },
    { name: 'example_worker', packageDir: 'worker-example', commandPort: 5051, telemetryPort: 5052 },
    { name: 'log_aggregator', packageDir: 'worker-logs', commandPort: 5061, telemetryPort: 5062 },
  ],
});
