/** Process entry point of the log aggregator (pm2, `pnpm --filter @vj/worker-logs dev`). */
import { LogAggregatorWorker } from './log-aggregator-worker';

void new LogAggregatorWorker().run();
