/** Process entry point of the now-playing worker (pm2, `pnpm --filter @vj/worker-spotify dev`). */
import { SpotifyWorker } from './spotify-worker';

void new SpotifyWorker().run();
