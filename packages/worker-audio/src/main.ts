/**
 * Process entry point of the audio analyser (pm2, `pnpm --filter @vj/worker-audio dev`).
 * Settings come from VJ_AUDIO_CONFIG (see env-config.ts). When any of them is
 * invalid, each problem is logged as an error and the worker starts with its
 * default settings, so that a typo in the environment does not keep the
 * analyser from starting during a show.
 */
import { type AudioConfig, checkAudioConfig, checkAudioConfigKey } from './audio-config';
import { AudioWorker } from './audio-worker';
import { configFromEnv } from './env-config';

const problems: Array<{ key?: string; reason: string }> = [];
let settings: Partial<AudioConfig> = {};
try {
  settings = configFromEnv();
} catch (error) {
  problems.push({ reason: (error as Error).message });
}

const accepted: Partial<AudioConfig> = {};
for (const [key, value] of Object.entries(settings)) {
  const verdict = checkAudioConfigKey(key, value);
  if (verdict === true) (accepted as Record<string, unknown>)[key] = value;
  else problems.push({ key, reason: verdict });
}
for (const reason of checkAudioConfig({ ...accepted })) problems.push({ reason });

const worker = new AudioWorker({ config: problems.length === 0 ? accepted : {} });
for (const problem of problems) {
  worker.log.error(
    { key: problem.key, reason: problem.reason },
    `invalid setting in VJ_AUDIO_CONFIG: ${problem.reason}`,
  );
}
if (problems.length > 0)
  worker.log.warn('starting with the default settings because VJ_AUDIO_CONFIG is invalid');
void worker.run();
