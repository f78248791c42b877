/**
 * `pnpm bench` in packages/worker-osc-debug: how many `/audio/levels`
 * datagrams the OSC debug worker decodes per second over loopback UDP.
 * The worker runs in this process, and a forked sender process (bench/sender.ts)
 * sends at fixed rates in 1 ms batches, then as fast as it can, each for 3 s.
 * Prints one row per rate with the loss, the kernel's drop count for the
 * worker's socket, this process's CPU per packet, event-loop delay and RSS.
 * Two last runs repeat 20 000 and 40 000 packets/s with `forward` set to a
 * sink socket in the sender process.
 */
import { execFileSync, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { BusClient } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { type ForwardCounts, OscDebugWorker, type StatsSnapshot } from '../src';
import type { SendReport, SendRequest } from './sender';

/** Paced rates in packets/s, then 0 for a flood. */
const RATES_HZ = [10_000, 20_000, 40_000, 0];
const FORWARD_RATES_HZ = [20_000, 40_000];
const RUN_MS = 3000;
const BUFFER_SIZE = 500;
// The worker counts a packet when it decodes it, so the count stops rising once the socket's queue is empty.
const SETTLE_MS = 300;

interface RunResult {
  rate: string;
  sent: number;
  decoded: number;
  /** Datagrams forwarded without a send error; the sink's own kernel drops are in sinkDrops. */
  forwarded: number;
  sinkDrops: number;
  lossPercent: number;
  kernelDrops: number;
  cpuPerPacketUs: number;
  loopDelayMaxMs: number;
  rssBeforeMiB: number;
  rssAfterMiB: number;
}

async function main(): Promise<void> {
  printMachine();
  const vjHome = await makeTempDir('vj-osc-bench');
  const [commandPort, telemetryPort, udpPort, sinkPort] = (await allocatePorts(4)) as [
    number,
    number,
    number,
    number,
  ];
  const worker = new OscDebugWorker({
    commandPort,
    telemetryPort,
    vjHome,
    manageProcess: false,
    logDestination: discard(),
    config: { host: '127.0.0.1', ports: [udpPort], buffer_size: BUFFER_SIZE, forward: [] },
  });
  await worker.start();
  const bus = new BusClient({ vjHome, rescanIntervalMs: 200 });
  await bus.start();
  await waitFor(() => bus.workers().osc_debugger !== undefined, {
    timeoutMs: 5000,
    message: 'osc_debugger registered',
  });
  const sender = fork(path.join(__dirname, 'sender.ts'), [String(sinkPort)], {
    execArgv: ['--import', 'tsx'],
  });
  await new Promise((resolve) => sender.once('message', resolve));

  try {
    console.log(`worker in-process, pid ${process.pid}; sender pid ${sender.pid}; UDP port ${udpPort}`);
    const state = (await bus.request('osc_debugger', 'get_state')) as {
      state: { ports: Array<{ receive_buffer_bytes?: number }> };
    };
    console.log(
      `receive buffer of the worker's socket: ${state.state.ports[0]?.receive_buffer_bytes} bytes ` +
        `(net.core.rmem_default ${readSysctl('rmem_default')}, net.core.rmem_max ${readSysctl('rmem_max')})`,
    );
    const results: RunResult[] = [];
    for (const rateHz of RATES_HZ) {
      results.push(await measure(bus, sender, udpPort, sinkPort, rateHz));
    }
    await bus.request('osc_debugger', 'set_config', { forward: [`127.0.0.1:${sinkPort}`] });
    for (const rateHz of FORWARD_RATES_HZ) {
      const result = await measure(bus, sender, udpPort, sinkPort, rateHz);
      results.push({ ...result, rate: `${result.rate} + forward` });
    }
    console.table(results);
  } finally {
    sender.disconnect();
    await bus.close();
    await worker.stop();
    await removeDir(vjHome);
  }
}

async function measure(
  bus: BusClient,
  sender: ReturnType<typeof fork>,
  port: number,
  sinkPort: number,
  rateHz: number,
): Promise<RunResult> {
  await bus.request('osc_debugger', 'clear');
  const dropsBefore = readKernelDrops(port);
  const sinkDropsBefore = readKernelDrops(sinkPort);
  const rssBefore = process.memoryUsage.rss();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  const cpuBefore = process.cpuUsage();

  const request: SendRequest = { port, rateHz, durationMs: RUN_MS };
  const reportPromise = new Promise<SendReport>((resolve) => sender.once('message', resolve));
  sender.send(request);
  const report = await reportPromise;
  const stats = await settledStats(bus);
  const decoded = stats.packets;

  const cpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  return {
    rate: rateHz === 0 ? 'flood' : `${rateHz}/s`,
    sent: report.sent,
    decoded,
    forwarded: Object.values(stats.forwarded).reduce((sum, count) => sum + count, 0),
    sinkDrops: readKernelDrops(sinkPort) - sinkDropsBefore,
    lossPercent: round((100 * (report.sent - decoded)) / report.sent, 3),
    kernelDrops: readKernelDrops(port) - dropsBefore,
    cpuPerPacketUs: round((cpu.user + cpu.system) / decoded, 2),
    loopDelayMaxMs: round(loopDelay.max / 1e6, 1),
    rssBeforeMiB: round(rssBefore / 2 ** 20, 1),
    rssAfterMiB: round(process.memoryUsage.rss() / 2 ** 20, 1),
  };
}

// NOTE: the CPU time covers the whole process, the bus client and ZeroMQ threads included, and the settle wait.
async function settledStats(bus: BusClient): Promise<StatsSnapshot & ForwardCounts> {
  let last = -1;
  for (;;) {
    const stats = (await bus.request('osc_debugger', 'get_stats')) as unknown as StatsSnapshot &
      ForwardCounts;
    if (stats.packets === last) return stats;
    last = stats.packets;
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  }
}

/** Reads the `drops` column of the udp4 socket bound to 127.0.0.1:`port` in /proc/net/udp. */
function readKernelDrops(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const line = readFileSync('/proc/net/udp', 'utf8')
    .split('\n')
    .find((row) => row.trim().split(/\s+/)[1] === local);
  if (line === undefined) throw new Error(`no socket on 127.0.0.1:${port} in /proc/net/udp`);
  return Number(line.trim().split(/\s+/).at(-1));
}

function readSysctl(name: string): string {
  return readFileSync(`/proc/sys/net/core/${name}`, 'utf8').trim();
}

function printMachine(): void {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  const changed = execFileSync('git', ['status', '--porcelain', '--', '.'], {
    cwd: path.join(__dirname, '..'),
    encoding: 'utf8',
  }).trim();
  console.log(
    `date ${new Date().toISOString()}, commit ${commit}${changed === '' ? '' : ' with uncommitted changes in the package:'}`,
  );
  if (changed !== '') console.log(changed);
  console.log(
    `machine: ${os.availableParallelism()} CPUs, ${os.cpus()[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.type()} ${os.release()}, Node ${process.version}`,
  );
  console.log(
    `load average ${os
      .loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}`,
  );
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}

function round(value: number, digits: number): number {
  return Number(value.toFixed(digits));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
