/**
 * The example worker as built JavaScript: one CommonJS file bundled with the
 * esbuild that tsx depends on, which is not a dependency of this package.
 *
 * zeromq (a native addon), pino, chokidar and proper-lockfile stay external.
 * They resolve through a `node_modules` link beside the bundle to
 * packages/bus/node_modules, because @vj/bus loads proper-lockfile with
 * `import()`, which ignores NODE_PATH. The bundle contains the code of @vj/bus,
 * the example worker and TypeBox.
 */
import { symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from './supervised-system';

/** Folder of the example worker, the working directory of every start. */
export const WORKER_DIR = path.join(REPO_ROOT, 'packages', 'worker-example');

/** A built bundle. */
export interface WorkerBundle {
  /** Absolute path of the CommonJS file. */
  file: string;
  bytes: number;
  esbuildVersion: string;
}

const EXTERNAL_MODULES = ['zeromq', 'pino', 'chokidar', 'proper-lockfile'];
/** Folder in which the external modules of the bundle resolve: the dependencies of @vj/bus. */
const EXTERNAL_MODULES_DIR = path.join(REPO_ROOT, 'packages', 'bus', 'node_modules');

/** The part of esbuild's API used here (esbuild's lib/main.d.ts). */
interface Esbuild {
  version: string;
  build(options: Record<string, unknown>): Promise<{ metafile?: Metafile }>;
}

interface Metafile {
  outputs: Record<string, { bytes: number }>;
}

/**
 * Bundles packages/worker-example/src/main.ts into `folder`, which must exist and be empty.
 *
 * @throws Error from esbuild when the bundle fails.
 */
export async function bundleExampleWorker(folder: string): Promise<WorkerBundle> {
  const esbuild = loadEsbuild();
  const file = path.join(folder, 'example-worker.cjs');
  const result = await esbuild.build({
    entryPoints: [path.join(WORKER_DIR, 'src', 'main.ts')],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node}`,
    external: EXTERNAL_MODULES,
    metafile: true,
    logLevel: 'silent',
  });
  symlinkSync(EXTERNAL_MODULES_DIR, path.join(folder, 'node_modules'), 'dir');
  const bytes = Object.values(result.metafile?.outputs ?? {}).reduce((sum, output) => sum + output.bytes, 0);
  return { file, bytes, esbuildVersion: esbuild.version };
}

function loadEsbuild(): Esbuild {
  const tsxRequire = createRequire(require.resolve('tsx/package.json'));
  return tsxRequire('esbuild') as Esbuild;
}
