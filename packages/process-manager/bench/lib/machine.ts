/** Machine, software versions and code revision that a run measured. */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Hardware and software facts printed with every run. */
export interface MachineInfo {
  /** Logical CPUs available to this process, as `nproc` counts them. */
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  pm2: string;
  tsx: string;
}

/** Code revision of the measured sources. */
export interface SourceRevision {
  /** `git rev-parse --short HEAD`. */
  commit: string;
  /** Lines of `git status --porcelain` for the measured source folders. Uncommitted code was measured when it is not empty. */
  modified: string[];
  /**
   * First 12 hex digits of a SHA-256 over the path and content of every file
   * in the measured source folders, which identifies uncommitted code too.
   */
  digest: string;
}

/** Source folders whose code the bench runs, relative to the repository root. */
const MEASURED_SOURCES = ['packages/process-manager/src', 'packages/bus/src', 'packages/worker-example/src'];

/** Reads the machine facts from Node's `os` module, /etc/os-release and the installed packages. */
export function describeMachine(): MachineInfo {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${readOsName()} (${os.type()} ${os.release()})`,
    node: process.version,
    pm2: packageVersion('pm2'),
    tsx: packageVersion('tsx'),
  };
}

/** Reads the revision with git, or returns undefined when git or the repository is missing. */
export function readSourceRevision(repoRoot: string): SourceRevision | undefined {
  let commit: string;
  let status: string;
  try {
    commit = git(repoRoot, ['rev-parse', '--short', 'HEAD']).trim();
    status = git(repoRoot, ['status', '--porcelain', '--', ...MEASURED_SOURCES]);
  } catch (error) {
    // ENOENT: git is not installed. A numeric status: git ran and failed, e.g. outside a work tree.
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    if (missing || typeof (error as { status?: unknown }).status === 'number') return undefined;
    throw error;
  }
  return {
    commit,
    modified: status.split('\n').filter((line) => line.trim() !== ''),
    digest: digestSources(repoRoot),
  };
}

function digestSources(repoRoot: string): string {
  const hash = createHash('sha256');
  for (const folder of MEASURED_SOURCES) {
    const files = readdirSync(path.join(repoRoot, folder), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.relative(repoRoot, path.join(entry.parentPath, entry.name)))
      .sort();
    for (const file of files) {
      hash.update(`${file}\n`);
      hash.update(readFileSync(path.join(repoRoot, file)));
    }
  }
  return hash.digest('hex').slice(0, 12);
}

function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
}

function packageVersion(name: string): string {
  return (require(`${name}/package.json`) as { version: string }).version;
}

function readOsName(): string {
  try {
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return match?.[1] ?? os.platform();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return os.platform();
    throw error;
  }
}
