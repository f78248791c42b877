/**
 * pm2 apps of the vj system, one per worker. `pnpm start` runs
 * `pm2 start ecosystem.config.ts`; the project's pm2 reads TypeScript through
 * patches/pm2@7.0.4.patch (docs/operations.md says what a global pm2 needs).
 * Ports are the defaults of docs/protocol.md; change them here.
 */
import { defineEcosystem } from '@vj/process-manager';

export default defineEcosystem({
  root: __dirname,
  apps: [{ name: 'example_worker', packageDir: 'worker-example', commandPort: 5051, telemetryPort: 5052 }],
});
