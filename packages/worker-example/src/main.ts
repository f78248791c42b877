/** Process entry point of the example worker (pm2, `pnpm --filter @vj/worker-example dev`). */
import { ExampleWorker } from './example-worker';

void new ExampleWorker().run();
