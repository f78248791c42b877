/**
 * CPU and memory of the worker analysing a live stream: `src/main.ts` runs as
 * a child process with the `file` source paced in real time and looping, the
 * way pm2 starts it. After a warm-up, the bench reads the child's CPU time
 * from /proc/<pid>/stat and its resident memory from /proc/<pid>/status once
 * a second. Linux only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { allocatePorts, makeTempDir, removeDir } from '@vj/test-support';
import { clockTicksPerSecond } from './machine';

const WARMUP_S = 5;
const STOP_TIMEOUT_MS = 5000;
const LEVELS_ADDRESS = Buffer.from('/audio/levels\0');

/** CPU share and memory of the worker over the measured window. */
export interface LiveUsage {
  seconds: number;
  /** CPU time (user + system, all threads) over the window, as a percentage of one CPU. */
  cpuPercentOfOneCore: number;
  rssMeanMb: number;
  rssMaxMb: number;
  /** `/audio/levels` datagrams received per second over the window: the frame rate the worker kept up. */
  framesPerSecond: number;
}

/** Runs the worker on `clip` for WARMUP_S + `seconds` seconds, then stops it with SIGTERM. */
export async function measureLiveUsage(
  packageDir: string,
  clip: string,
  seconds: number,
): Promise<LiveUsage> {
  const vjHome = await makeTempDir('vj-audio-bench-live-');
  const [commandPort, telemetryPort, oscPort] = (await allocatePorts(3)) as [number, number, number];
  let datagrams = 0;
  const receiver = dgram.createSocket('udp4');
  receiver.on('message', (datagram) => {
    if (datagram.subarray(0, LEVELS_ADDRESS.length).equals(LEVELS_ADDRESS)) {
      datagrams++;
    }
  });
  await new Promise<void>((resolve) => receiver.bind(oscPort, '127.0.0.1', resolve));

  const config = {
    source: 'file',
    file: clip,
    pace: 'realtime',
    loop: true,
    osc_targets: [{ host: '127.0.0.1', port: oscPort }],
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: packageDir,
    env: {
      ...process.env,
      VJ_AUDIO_CONFIG: JSON.stringify(config),
      VJ_HOME: vjHome,
      VJ_COMMAND_PORT: String(commandPort),
      VJ_TELEMETRY_PORT: String(telemetryPort),
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });

  try {
    const pid = child.pid;
    if (pid === undefined) {
      throw new Error(`The worker could not be started: ${stderr}`);
    }
    await sleep(WARMUP_S * 1000);
    if (datagrams === 0) {
      throw new Error(
        `The worker sent no /audio/levels during the ${WARMUP_S} s warm-up; its stderr: ${stderr}`,
      );
    }

    const ticksPerSecond = clockTicksPerSecond();
    const startTicks = cpuTicks(pid);
    const startDatagrams = datagrams;
    const startMs = performance.now();
    const rssMb: number[] = [];
    for (let second = 0; second < seconds; second++) {
      await sleep(1000);
      rssMb.push(rssKb(pid) / 1024);
    }
    const elapsedS = (performance.now() - startMs) / 1000;
    const cpuS = (cpuTicks(pid) - startTicks) / ticksPerSecond;
    return {
      seconds: elapsedS,
      cpuPercentOfOneCore: (100 * cpuS) / elapsedS,
      rssMeanMb: rssMb.reduce((sum, value) => sum + value, 0) / rssMb.length,
      rssMaxMb: Math.max(...rssMb),
      framesPerSecond: (datagrams - startDatagrams) / elapsedS,
    };
  } finally {
    await stopChild(child);
    receiver.close();
    await removeDir(vjHome);
  }
}

/** Returns utime + stime of `pid` in clock ticks, fields 14 and 15 of /proc/<pid>/stat. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name in field 2 may contain spaces, so the fields are counted from the ")" that ends it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Returns VmRSS of `pid` in kB from /proc/<pid>/status. */
function rssKb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) {
    throw new Error(`/proc/${pid}/status has no VmRSS line`);
  }
  return Number(match[1]);
}

/** Sends SIGTERM to the child, then SIGKILL to the same pid if it has not exited after STOP_TIMEOUT_MS. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return;
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
