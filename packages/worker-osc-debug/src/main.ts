/** Process entry point of the OSC debug worker (pm2, `pnpm --filter @vj/worker-osc-debug dev`). */
import { isVjError } from '@vj/bus';
import { oscConfigFromEnv } from './internal/env-config';
import { OSC_DEBUG_DEFAULTS, type OscDebugConfig, OscDebugWorker } from './osc-debug-worker';

let config: OscDebugConfig;
try {
  config = oscConfigFromEnv(process.env);
} catch (error) {
  if (!isVjError(error, 'VJ_OSC_INVALID_ENV')) throw error;
  process.stderr.write(`${OSC_DEBUG_DEFAULTS.name} failed to start: ${error.message}\n`);
  process.exit(1);
}

void new OscDebugWorker({ config }).run();
