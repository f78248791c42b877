/**
 * The example worker as built JavaScript: the same bundle that defineEcosystem
 * builds for pm2 (buildWorkerBundle), so the bench measures what runs.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { version as esbuildVersion } from 'esbuild';
import { buildWorkerBundle } from '../../src/worker-bundle';
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

/**
 * Builds packages/worker-example/dist/bundle/main.cjs as defineEcosystem does.
 *
 * @throws VjError VJ_PM_BUNDLE_FAILED when esbuild fails.
 */
export function bundleExampleWorker(): WorkerBundle {
  const file = buildWorkerBundle(REPO_ROOT, 'worker-example');
  return { file, bytes: statSync(file).size, esbuildVersion };
}
