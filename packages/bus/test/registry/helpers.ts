/** Shared helpers of the registry tests: temporary VJ_HOME folders and child processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Folder of packages/bus, from which `node --import tsx` resolves tsx. */
export const PACKAGE_ROOT = join(__dirname, '..', '..');

/** Creates an empty temporary folder to serve as VJ_HOME. */
export function makeTempHome(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'vj-registry-test-'));
}

/** Deletes a folder made by makeTempHome, with everything in it. */
export function removeTempHome(folder: string): Promise<void> {
  return rm(folder, { recursive: true, force: true });
}

/** Exit status and output of a finished child process. */
export interface ChildResult {
  pid: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `node --import tsx <script> ...args` from packages/bus. */
export function spawnTsx(script: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: PACKAGE_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Waits until `child` exits and returns its status and collected output. */
export function waitForExit(child: ChildProcess): Promise<ChildResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });

  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ pid: child.pid ?? -1, code, signal, stdout, stderr }));
  });
}

/** Returns the pid of a node process that has already exited. */
export async function pidOfExitedProcess(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const result = await waitForExit(child);
  return result.pid;
}
