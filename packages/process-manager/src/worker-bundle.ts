/**
 * Builds a worker's TypeScript into one CommonJS file with esbuild, so pm2
 * starts it as plain JavaScript. Run through tsx, every start of a worker took
 * about 190 ms longer (measured with the recovery benchmark of this package).
 *
 * The project's own code is bundled, and TypeBox with it. Every other
 * third-party dependency of the workspace packages stays external, and a
 * banner adds the packages' node_modules folders to the bundle's module.paths,
 * so those modules load from where pnpm installed them.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { VjError } from '@vj/bus';
import { buildSync } from 'esbuild';

/**
 * Pure-JavaScript dependencies worth bundling: loading TypeBox's many small
 * files from node_modules added about 60 ms to every start of a worker in the
 * recovery benchmark. Everything else stays external, because native addons
 * (zeromq), modules that load files by path at run time (pino's worker
 * threads) and ones that keep process-wide state cannot be bundled safely.
 */
const BUNDLED_DEPENDENCIES = new Set(['@sinclair/typebox']);

/**
 * Bundles `<root>/packages/<packageDir>/src/main.ts` into
 * `<root>/packages/<packageDir>/dist/bundle/main.cjs` (with `main.cjs.map`) and
 * returns that path. The files are written in a temporary folder and renamed,
 * so a process that starts during a build never reads half a bundle.
 *
 * @throws VjError VJ_PM_BUNDLE_FAILED with esbuild's first error.
 */
export function buildWorkerBundle(root: string, packageDir: string): string {
  const packageRoot = path.join(root, 'packages', packageDir);
  const outDir = path.join(packageRoot, 'dist', 'bundle');
  const outfile = path.join(outDir, 'main.cjs');
  // Built in a folder of its own, then moved file by file, so the map keeps its name.
  const temporaryDir = path.join(packageRoot, 'dist', `bundle.${process.pid}.tmp`);
  const temporary = path.join(temporaryDir, 'main.cjs');
  const modulePaths = [
    ...workspacePackageDirs(root).map((dir) => path.join(dir, 'node_modules')),
    path.join(root, 'node_modules'),
  ];

  try {
    buildSync({
      entryPoints: [path.join(packageRoot, 'src', 'main.ts')],
      outfile: temporary,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node}`,
      external: thirdPartyDependencies(root).filter((name) => !BUNDLED_DEPENDENCIES.has(name)),
      banner: { js: `module.paths.unshift(...${JSON.stringify(modulePaths)});` },
      // A separate map file: loading an inline map with --enable-source-maps added about 60 ms to
      // every start in the recovery benchmark. Set NODE_OPTIONS=--enable-source-maps to use it.
      sourcemap: 'linked',
      logLevel: 'silent',
    });
  } catch (cause) {
    rmSync(temporaryDir, { recursive: true, force: true });
    const first = (cause as { errors?: Array<{ text: string; location?: { file: string; line: number } }> })
      .errors?.[0];
    const where = first?.location === undefined ? '' : ` at ${first.location.file}:${first.location.line}`;
    throw new VjError(
      'VJ_PM_BUNDLE_FAILED',
      `Building ${packageDir} with esbuild failed${where}: ${first?.text ?? (cause as Error).message}; fix the source, or run the worker from source with runFrom: 'source'`,
      { cause, packageDir, shortMessage: `build of ${packageDir} failed` },
    );
  }
  mkdirSync(outDir, { recursive: true });
  renameSync(`${temporary}.map`, `${outfile}.map`);
  renameSync(temporary, outfile);
  rmSync(temporaryDir, { recursive: true, force: true });
  return outfile;
}

function workspacePackageDirs(root: string): string[] {
  const packagesDir = path.join(root, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => path.join(packagesDir, entry.name));
}

/** Names of every dependency of a workspace package that is not itself a workspace package. */
function thirdPartyDependencies(root: string): string[] {
  const names = new Set<string>();
  for (const dir of workspacePackageDirs(root)) {
    let manifest: { dependencies?: Record<string, string> };
    try {
      manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as typeof manifest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const [name, version] of Object.entries(manifest.dependencies ?? {})) {
      if (!version.startsWith('workspace:')) names.add(name);
    }
  }
  return [...names].sort();
}
