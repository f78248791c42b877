/**
 * The pm2 side of the bench: app definitions for bench/peers.ts and the pm2
 * command line of the repository, always with the bench's private PM2_HOME.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PM2_BIN = path.join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'pm2');

/** Name of the quiet worker when pm2 runs it. */
export const QUIET_PM2_NAME = 'bench_quiet_pm2';

/** Returns a pm2 app that runs bench/peers.ts in `role`, with pm2's date prefix as vj's ecosystem sets it. */
export function appSpec(
  name: string,
  role: 'quiet' | 'printer',
  cwd: string,
  env: Record<string, string>,
): Record<string, unknown> {
  return {
    name,
    script: process.execPath,
    args: ['--import', 'tsx', path.join(__dirname, 'peers.ts'), role],
    interpreter: 'none',
    cwd,
    autorestart: false,
    time: true,
    env,
  };
}

/** Runs `pm2 <args>` against the daemon of `pm2Home`, starting one if needed. */
export async function pm2Command(pm2Home: string, args: string[]): Promise<string> {
  const { stdout } = await run(PM2_BIN, args, { env: { ...process.env, PM2_HOME: pm2Home } });
  return stdout;
}

/**
 * Ends the daemon of `pm2Home` with `pm2 kill`, then with SIGKILL through its
 * pid file if it is still alive. Returns the daemon's pid, or undefined when
 * no pid file was there.
 */
export async function killDaemon(pm2Home: string): Promise<number | undefined> {
  const pidFile = path.join(pm2Home, 'pm2.pid');
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  try {
    await pm2Command(pm2Home, ['kill']);
  } finally {
    if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  return pid;
}

/** True when process `pid` exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
