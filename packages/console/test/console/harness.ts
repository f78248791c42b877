/**
 * Fixtures of the screen tests. The console runs in a detached tmux server on
 * its own socket at a fixed size, and capture-pane reads its screen. Real
 * workers run as child processes from their packages.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Registry } from '@vj/bus';
import { waitFor } from '@vj/test-support';

const run = promisify(execFile);
const CONSOLE_DIR = path.join(__dirname, '..', '..');
/** packages/ of the checkout, where the worker packages live. */
export const PACKAGES_DIR = path.join(CONSOLE_DIR, '..');

/** A console running in its own tmux server. */
export interface TmuxConsole {
  /** Returns the visible screen, one line per row. */
  capture(): Promise<string>;
  /** Sends keys as tmux send-keys names them (`r`, `Down`, `C-c`). */
  sendKeys(...keys: string[]): Promise<void>;
  /** Captures until `predicate` is true and returns that screen. On timeout the error shows the last screen. */
  waitForScreen(predicate: (screen: string) => boolean, message: string, timeoutMs?: number): Promise<string>;
  /** Pid of the console's node process. */
  pid(): Promise<number>;
  /** Kills the tmux server and with it the console, if it still runs. */
  close(): Promise<void>;
}

/**
 * Starts `node --import tsx src/console/main.ts` in a detached tmux session of
 * `width`×`height`. After the console exits, the pane shows `EXIT=<code>`.
 */
export async function startConsole(options: {
  vjHome: string;
  dir: string;
  width: number;
  height: number;
}): Promise<TmuxConsole> {
  const socket = path.join(options.dir, 'tmux.sock');
  const tmux = (...args: string[]) => run('tmux', ['-S', socket, ...args]);
  const env = [
    `VJ_HOME=${quote(options.vjHome)}`,
    'TERM=tmux-256color',
    'NCURSES_NO_UTF8_ACS=1',
    'LANG=C.UTF-8',
  ].join(' ');
  const stderrFile = path.join(options.dir, 'console-stderr.txt');
  const command = `cd ${quote(CONSOLE_DIR)} && ${env} node --import tsx src/console/main.ts 2>${quote(stderrFile)}; echo EXIT=$?; sleep 600`;
  await tmux(
    'new-session',
    '-d',
    '-s',
    'vj',
    '-x',
    String(options.width),
    '-y',
    String(options.height),
    command,
  );

  const capture = async () => (await tmux('capture-pane', '-t', 'vj', '-p')).stdout;
  let last = '';
  return {
    capture,
    sendKeys: async (...keys) => {
      await tmux('send-keys', '-t', 'vj', ...keys);
    },
    waitForScreen: async (predicate, message, timeoutMs = 15000) => {
      try {
        return (await waitFor<string | undefined>(
          async () => {
            last = await capture();
            return predicate(last) ? last : undefined;
          },
          { timeoutMs, intervalMs: 50, message },
        )) as string;
      } catch (error) {
        throw new Error(`${(error as Error).message}; last screen:\n${last}`);
      }
    },
    pid: async () => {
      const { stdout } = await tmux('list-panes', '-t', 'vj', '-F', '#{pane_pid}');
      const shell = stdout.trim();
      const { stdout: children } = await run('ps', ['-o', 'pid=,comm=', '--ppid', shell]);
      const line = children.split('\n').find((candidate) => candidate.trim().endsWith('node'));
      if (line === undefined) throw new Error(`no node process under the tmux pane (shell pid ${shell})`);
      return Number(line.trim().split(/\s+/)[0]);
    },
    close: async () => {
      await tmux('kill-server').catch(() => undefined);
    },
  };
}

/** A worker run as a child process from its package. */
export interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Sends SIGTERM and waits for the exit. */
  stop(): Promise<void>;
  /** Sends SIGKILL and waits for the exit. */
  kill(): Promise<void>;
}

/**
 * Runs `node --import tsx src/main.ts` in packages/`packageDir` on the given
 * ports and resolves once the registry names its pid under `name`.
 */
export async function startWorkerProcess(options: {
  packageDir: string;
  name: string;
  vjHome: string;
  ports: readonly [number, number];
  env?: Record<string, string>;
}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.join(PACKAGES_DIR, options.packageDir),
    env: {
      ...process.env,
      VJ_HOME: options.vjHome,
      VJ_COMMAND_PORT: String(options.ports[0]),
      VJ_TELEMETRY_PORT: String(options.ports[1]),
      VJ_HEARTBEAT_MS: '500',
      VJ_LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: 'ignore',
  });
  const registry = new Registry({ vjHome: options.vjHome });
  await waitFor(async () => (await registry.list())[options.name]?.pid === child.pid, {
    timeoutMs: 30000,
    message: `${options.name} registered`,
  });

  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  };
  return { child, pid: child.pid as number, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}

/** Tells whether a process exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Returns the row of the screen that contains `text`, or undefined. */
export function lineWith(screen: string, text: string): string | undefined {
  return screen.split('\n').find((line) => line.includes(text));
}

function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}
