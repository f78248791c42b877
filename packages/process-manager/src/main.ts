/**
 * Process entry point of the process manager. It reads the apps to supervise
 * from the ecosystem file named by VJ_ECOSYSTEM, which defineEcosystem sets.
 */
import type { StartOptions } from 'pm2';
import { PROCESS_MANAGER_DEFAULTS, ProcessManagerWorker } from './process-manager-worker';

const ecosystemPath = process.env.VJ_ECOSYSTEM;
if (ecosystemPath === undefined || ecosystemPath === '') {
  process.stderr.write(
    'process_manager failed to start: VJ_ECOSYSTEM is not set; start it through ecosystem.config.ts (pnpm start)\n',
  );
  process.exit(1);
}

// tsx, which runs this file, also compiles the TypeScript ecosystem file on require. The
// process manager only needs the app list: pm2 start already built the bundles.
process.env.VJ_ECOSYSTEM_NO_BUILD = '1';
const loaded = require(ecosystemPath) as { default?: { apps: StartOptions[] }; apps?: StartOptions[] };
const apps = (loaded.default?.apps ?? loaded.apps ?? []).filter(
  (app) => app.name !== PROCESS_MANAGER_DEFAULTS.name,
);
void new ProcessManagerWorker({
  apps,
  hungAfterMs: milliseconds('VJ_HUNG_AFTER_MS'),
  startTimeoutMs: milliseconds('VJ_START_TIMEOUT_MS'),
}).run();

/** Reads an optional duration in ms from the environment; an invalid one stops the process with a message. */
function milliseconds(variable: string): number | undefined {
  const text = process.env[variable];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (Number.isFinite(value) && value > 0) return value;
  process.stderr.write(
    `process_manager failed to start: ${variable} is ${JSON.stringify(text)}; expected a number of milliseconds above 0\n`,
  );
  process.exit(1);
}
