/** The revision of the code that a benchmark ran, read with git. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Commit and uncommitted changes of the package sources at run time. */
export interface SourceRevision {
  /** `git rev-parse HEAD`. */
  commit: string;
  /** Files under packages/bus/src that differ from the commit, as `git status --porcelain` lists them. */
  modified: string[];
}

const PACKAGE_ROOT = path.join(__dirname, '..', '..');

/** Reads the revision with git; returns undefined when git or the repository is not available. */
export function readSourceRevision(): SourceRevision | undefined {
  try {
    const commit = git(['rev-parse', 'HEAD']).trim();
    const modified = git(['status', '--porcelain', '--', 'src'])
      .split('\n')
      .filter((line) => line.trim() !== '');
    return { commit, modified };
  } catch (error) {
    // ENOENT: git is not installed; a non-zero exit status: not a git work tree.
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as { status?: number }).status !== undefined
    ) {
      return undefined;
    }
    throw error;
  }
}

function git(args: string[]): string {
  return execFileSync('git', args, {
    cwd: PACKAGE_ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
}
