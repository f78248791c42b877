/** Process entry point of the OSC debug worker (pm2, `pnpm --filter @vj/worker-osc-debug dev`). */
import { OscDebugWorker } from './osc-debug-worker';

void new OscDebugWorker().run();
