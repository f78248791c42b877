import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Returns the folder of the shared real-music clips (`shared/audio/dev`, with
 * its manifest.json), which lives beside the checkout and is never copied into
 * the repository. `VJ_DEV_AUDIO` overrides the search; otherwise each folder
 * above this file is tried for `shared/audio/dev`, so any checkout placed
 * beside `shared` finds it, and last `/work/shared/audio/dev`, where the
 * workplace's machines keep it, so that a clone in a temporary folder finds
 * it too.
 *
 * Throws an Error naming the places searched when the folder is missing.
 */
export function devAudioDir(): string {
  const override = process.env.VJ_DEV_AUDIO;
  if (override !== undefined && override !== '') {
    if (!existsSync(join(override, 'manifest.json'))) {
      throw new Error(
        `VJ_DEV_AUDIO is ${override}, but it has no manifest.json; point it at the shared audio/dev folder`,
      );
    }
    return resolve(override);
  }

  const tried: string[] = [];
  let folder = resolve(__dirname);
  for (;;) {
    const candidate = join(folder, 'shared', 'audio', 'dev');
    tried.push(candidate);
    if (existsSync(join(candidate, 'manifest.json'))) return candidate;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  const workplaceCopy = '/work/shared/audio/dev';
  tried.push(workplaceCopy);
  if (existsSync(join(workplaceCopy, 'manifest.json'))) return workplaceCopy;
  throw new Error(
    `The shared real-music clips were not found (looked for manifest.json in ${tried.join(', ')}); set VJ_DEV_AUDIO to the audio/dev folder`,
  );
}
