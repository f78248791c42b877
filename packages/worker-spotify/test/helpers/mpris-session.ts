/**
 * A private D-Bus session bus with real mpv players that expose MPRIS through
 * the mpv-mpris plugin, for tests. Nothing here touches the machine's own
 * system or session bus: every process gets the private bus's address.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitFor } from '@vj/test-support';

const execFileAsync = promisify(execFile);

/** Path where Debian's mpv-mpris package installs the plugin. */
export const MPRIS_PLUGIN = '/etc/mpv/scripts/mpris.so';

/** A private session bus: its address and the pid of its dbus-daemon. */
export interface SessionBus {
  address: string;
  socketPath: string;
  pid: number;
}

/**
 * Starts `dbus-daemon --session` on a socket in `dir` and returns its address
 * and pid. The daemon forks, so the caller must stop it with stopProcess(pid).
 */
export async function startSessionBus(dir: string, socketName = 'bus.sock'): Promise<SessionBus> {
  const socketPath = join(dir, socketName);
  const { stdout } = await execFileAsync('dbus-daemon', [
    '--session',
    '--fork',
    `--address=unix:path=${socketPath}`,
    '--print-address=1',
    '--print-pid=1',
  ]);
  const [address, pid] = stdout.trim().split('\n');
  if (address === undefined || pid === undefined)
    throw new Error(`dbus-daemon printed ${JSON.stringify(stdout)}`);
  return { address: address.trim(), socketPath, pid: Number(pid) };
}

/** An mpv process with MPRIS on a private bus, driven through its JSON IPC socket. */
export class MpvPlayer {
  readonly process: ChildProcess;
  readonly ipcPath: string;
  private requestId = 0;

  private constructor(child: ChildProcess, ipcPath: string) {
    this.process = child;
    this.ipcPath = ipcPath;
  }

  /**
   * Starts mpv without video or audio output on `files`, with only the MPRIS
   * plugin loaded (no user or system mpv.conf), and waits for its IPC socket.
   */
  static async start(
    bus: SessionBus,
    dir: string,
    files: string[],
    extraArgs: string[] = [],
  ): Promise<MpvPlayer> {
    const ipcPath = join(dir, `mpv-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.sock`);
    const child = spawn(
      'mpv',
      [
        '--no-config',
        `--script=${MPRIS_PLUGIN}`,
        '--no-video',
        '--ao=null',
        '--no-terminal',
        `--input-ipc-server=${ipcPath}`,
        ...extraArgs,
        ...files,
      ],
      { env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address }, stdio: 'ignore' },
    );
    const player = new MpvPlayer(child, ipcPath);
    await waitFor(() => existsSync(ipcPath), { timeoutMs: 15_000, message: 'mpv IPC socket did not appear' });
    return player;
  }

  get pid(): number {
    return this.process.pid as number;
  }

  /** Sends one mpv IPC command, e.g. `['set_property', 'pause', true]`, and returns its `data`. */
  command(args: unknown[]): Promise<unknown> {
    const requestId = ++this.requestId;
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(this.ipcPath);
      let buffered = '';
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`mpv did not answer ${JSON.stringify(args)} within 10 s`));
      }, 10_000);
      socket.setEncoding('utf8');
      socket.on('connect', () =>
        socket.write(`${JSON.stringify({ command: args, request_id: requestId })}\n`),
      );
      socket.on('data', (chunk: string) => {
        buffered += chunk;
        for (const line of buffered.split('\n').slice(0, -1)) {
          const reply = JSON.parse(line) as { request_id?: number; error?: string; data?: unknown };
          if (reply.request_id !== requestId) continue;
          clearTimeout(timer);
          socket.end();
          if (reply.error === 'success') resolve(reply.data);
          else reject(new Error(`mpv rejected ${JSON.stringify(args)}: ${reply.error}`));
          return;
        }
        buffered = buffered.slice(buffered.lastIndexOf('\n') + 1);
      });
      socket.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  /** Stops mpv with SIGTERM and waits for it to exit. */
  async stop(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise((resolve) => this.process.once('exit', resolve));
    this.process.kill('SIGTERM');
    await exited;
  }
}

/** Runs playerctl against the private bus and returns its trimmed stdout. */
export async function playerctl(bus: SessionBus, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('playerctl', args, {
    env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: bus.address },
  });
  return stdout.trim();
}

/** Sends SIGTERM to a process started by a test, by pid; a process that already exited is not an error. */
export function stopProcess(pid: number): void {
  try {
    process.kill(pid, 'SIGTERM');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** Tells whether a process with this pid still exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Writes a tagged Ogg Vorbis sine tone with sox; an empty tag value is written as an empty tag. */
export async function makeTaggedTrack(
  path: string,
  tags: Record<string, string>,
  seconds: number,
  frequencyHz: number,
): Promise<void> {
  const comments = Object.entries(tags).flatMap(([key, value]) => ['--comment', `${key}=${value}`]);
  await execFileAsync('sox', [
    '-n',
    '-r',
    '44100',
    '-c',
    '2',
    '-C',
    '3',
    ...comments,
    path,
    'synth',
    String(seconds),
    'sine',
    String(frequencyHz),
    'vol',
    '0.3',
  ]);
}
