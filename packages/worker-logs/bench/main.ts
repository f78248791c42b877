/**
 * `pnpm bench` in packages/worker-logs: one worker floods the log aggregator
 * while a quiet worker logs 10 lines/s. The flood goes first on the bus, from
 * a Worker whose pino logger logs as fast as it can. Then it goes through
 * pm2's log bus, from a pm2 app that prints plain lines to stdout as fast as
 * pm2 reads them. Each route runs in its own temporary VJ_HOME with a fresh
 * aggregator process. The pm2 route uses a private PM2_HOME, whose daemon the
 * bench kills at the end. The bench prints one block per route, and
 * `--json FILE` also writes the figures as JSON.
 *
 * Usage: node --import tsx bench/main.ts [--only bus,pm2] [--seconds 4] [--json FILE]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { BusClient } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import type { AggregatorRequest, AggregatorSample } from './aggregator';
import { appSpec, isAlive, killDaemon, pm2Command, QUIET_PM2_NAME } from './pm2-apps';
import {
  type AggregatorCounters,
  checkCompleteness,
  describeMachine,
  ingestedOf,
  readCounters,
  readMemory,
} from './probes';

const PACKAGE_DIR = path.join(__dirname, '..');
/** Default length of a flood; `--seconds` changes it. */
const DEFAULT_FLOOD_S = 4;
const FLOODER = 'bench_flooder';
const QUIET = 'bench_quiet';
const PRINTER = 'bench_printer';
/** Interval of the `get_stats` polls during a flood, which also time the aggregator's command round trip. */
const POLL_MS = 250;
/** A flood has settled when the aggregator's count has not moved for this long. */
const SETTLE_MS = 1500;

let floodMs = DEFAULT_FLOOD_S * 1000;

/** Figures of one route. */
interface RouteResult {
  route: 'bus' | 'pm2';
  sender: string;
  sent: number;
  senderRatePerS: number;
  ingested: number;
  ingestRatePerS: number;
  stored: number;
  droppedByFloodControl: number;
  busGaps: number;
  quietWorker: { name: string; expected: number; present: number; seqGapFree: boolean; dropped: number };
  memory: {
    beforeMiB: number;
    afterMiB: number;
    maxMiB: number;
    peakMiB: number;
    heapBeforeMiB: number;
    heapAfterMiB: number;
    buffered: number;
  };
  cpuUsPerRecord: number;
  loopDelay: AggregatorSample['loopDelay'];
  maxCommandMs: number;
  unpersisted: number;
  loadBefore: number[];
  loadAfter: number[];
  daemonLeftRunning?: boolean;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { json: { type: 'string' }, only: { type: 'string' }, seconds: { type: 'string' } },
  });
  floodMs = Number(values.seconds ?? DEFAULT_FLOOD_S) * 1000;
  const routes = (values.only ?? 'bus,pm2').split(',');
  const machine = describeMachine();
  console.log(
    `date ${new Date().toISOString()}, ${machine.cpus} CPUs (${machine.model}), Node ${machine.node}`,
  );

  const results: RouteResult[] = [];
  if (routes.includes('bus')) results.push(await runRoute('bus'));
  if (routes.includes('pm2')) results.push(await runRoute('pm2'));
  for (const result of results) console.log(formatResult(result));
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify({ machine, results }, null, 2));
}

/** Everything one route starts, so it can be stopped whatever failed. */
interface Rig {
  dir: string;
  vjHome: string;
  pm2Home: string;
  bus: BusClient;
  aggregator: ChildProcess | undefined;
  children: ChildProcess[];
}

async function runRoute(route: 'bus' | 'pm2'): Promise<RouteResult> {
  const dir = await makeTempDir('vj-logs-bench');
  const rig: Rig = {
    dir,
    vjHome: path.join(dir, 'vj'),
    pm2Home: path.join(dir, 'pm2'),
    bus: new BusClient({ vjHome: path.join(dir, 'vj'), rescanIntervalMs: 200, timeoutMs: 10_000 }),
    aggregator: undefined,
    children: [],
  };
  try {
    return await measureRoute(route, rig);
  } finally {
    await rig.bus.close();
    for (const child of [rig.aggregator, ...rig.children]) if (child !== undefined) await stopChild(child);
    if (route === 'pm2') await killDaemon(rig.pm2Home);
    await removeDir(dir);
  }
}

async function measureRoute(route: 'bus' | 'pm2', rig: Rig): Promise<RouteResult> {
  const quietName = route === 'pm2' ? QUIET_PM2_NAME : QUIET;
  const sender = route === 'pm2' ? PRINTER : FLOODER;
  if (route === 'pm2') await pm2Command(rig.pm2Home, ['start', await writeApps(rig, 'quiet', [quietName])]);
  else rig.children.push(await spawnPeer(rig, 'quiet', quietName));

  const aggregator = await spawnAggregator(rig);
  rig.aggregator = aggregator;
  await rig.bus.start();
  await waitFor(() => rig.bus.workers().log_aggregator !== undefined, {
    timeoutMs: 30_000,
    message: 'aggregator registered',
  });
  if (route === 'pm2') {
    await waitFor(async () => pm2Connected(rig.bus), { timeoutMs: 15_000, message: 'pm2 log bus connected' });
  } else {
    rig.children.push(await spawnPeer(rig, 'flooder', FLOODER));
    await waitHeard(rig.bus, FLOODER, async () => void (await rig.bus.request(FLOODER, 'probe')));
  }
  await waitHeard(rig.bus, quietName, async () => undefined);

  const before = await readCounters(rig.bus);
  const quietFirstN = ((await rig.bus.request(quietName, 'status')) as { n: number }).n + 1;
  const loadBefore = describeMachine().loadAverage;
  const memoryBefore = readMemory(aggregator.pid as number);
  const cpuBefore = await sampleAggregator(aggregator, { type: 'reset' });
  const watch = watchAggregator(aggregator, rig.bus, sender);
  const floodStartMs = performance.now();

  const { sent, elapsedMs } = route === 'pm2' ? await floodThroughPm2(rig) : await floodOnBus(rig);
  const quietLastN = ((await rig.bus.request(quietName, 'status')) as { n: number }).n;
  const { counters: after, lastChangeMs, maxCommandMs, maxRssMiB } = await watch.settled();
  const cpuAfter = await sampleAggregator(aggregator, { type: 'sample' });
  const memoryAfter = readMemory(aggregator.pid as number);

  const ingested = ingestedOf(after, sender) - ingestedOf(before, sender);
  const quietIngested = ingestedOf(after, quietName) - ingestedOf(before, quietName);
  const completeness = await checkCompleteness(
    path.join(rig.vjHome, 'logs'),
    quietName,
    quietFirstN,
    quietLastN,
  );
  const result: RouteResult = {
    route,
    sender,
    sent,
    senderRatePerS: sent / (elapsedMs / 1000),
    ingested,
    ingestRatePerS: ingested / ((lastChangeMs - floodStartMs) / 1000),
    stored: (after.workers[sender]?.records ?? 0) - (before.workers[sender]?.records ?? 0),
    droppedByFloodControl: (after.workers[sender]?.dropped ?? 0) - (before.workers[sender]?.dropped ?? 0),
    busGaps: (after.workers[sender]?.busGaps ?? 0) - (before.workers[sender]?.busGaps ?? 0),
    quietWorker: { name: quietName, ...completeness, dropped: after.workers[quietName]?.dropped ?? 0 },
    memory: {
      beforeMiB: memoryBefore.rssMiB,
      afterMiB: memoryAfter.rssMiB,
      maxMiB: Math.max(maxRssMiB, memoryAfter.rssMiB),
      peakMiB: memoryAfter.peakMiB,
      heapBeforeMiB: cpuBefore.heapUsedMiB,
      heapAfterMiB: cpuAfter.heapUsedMiB,
      buffered: after.buffered,
    },
    cpuUsPerRecord: (cpuAfter.cpuUs - cpuBefore.cpuUs) / Math.max(1, ingested + quietIngested),
    loopDelay: cpuAfter.loopDelay,
    maxCommandMs,
    unpersisted: after.unpersisted,
    loadBefore,
    loadAfter: describeMachine().loadAverage,
  };
  if (route === 'pm2') {
    const daemonPid = await killDaemon(rig.pm2Home);
    // The daemon is not a child of the bench, so init reaps it after the kill, which takes a moment.
    await waitFor(() => daemonPid === undefined || !isAlive(daemonPid), {
      timeoutMs: 5000,
      message: 'pm2 daemon gone',
    }).catch(() => undefined);
    result.daemonLeftRunning = daemonPid !== undefined && isAlive(daemonPid);
  }
  return result;
}

async function floodOnBus(rig: Rig): Promise<{ sent: number; elapsedMs: number }> {
  await rig.bus.request(FLOODER, 'flood', { durationMs: floodMs });
  return waitForValue(async () => {
    const status = (await rig.bus.request(FLOODER, 'flood_status')) as {
      sent: number;
      elapsedMs: number;
      flooding: boolean;
    };
    return !status.flooding && status.sent > 0 ? status : undefined;
  }, 'flood sent');
}

async function floodThroughPm2(rig: Rig): Promise<{ sent: number; elapsedMs: number }> {
  const resultFile = path.join(rig.dir, 'printer-result.json');
  await pm2Command(rig.pm2Home, [
    'start',
    await writeApps(rig, 'printer', [PRINTER], { BENCH_RESULT: resultFile }),
  ]);
  return waitForValue(
    () =>
      existsSync(resultFile)
        ? (JSON.parse(readFileSync(resultFile, 'utf8')) as { sent: number; elapsedMs: number })
        : undefined,
    'printer done',
  );
}

/**
 * Polls `get_stats` and the aggregator's RSS until the sender's count stops
 * moving, keeping the slowest command round trip, the largest RSS and the
 * time of the last change.
 */
function watchAggregator(aggregator: ChildProcess, bus: BusClient, sender: string) {
  let maxCommandMs = 0;
  let maxRssMiB = 0;
  let lastCount = -1;
  let lastChangeMs = performance.now();
  let counters: AggregatorCounters | undefined;
  const rssTimer = setInterval(() => {
    maxRssMiB = Math.max(maxRssMiB, readMemory(aggregator.pid as number).rssMiB);
  }, 50);

  const poll = async (): Promise<void> => {
    const sentAt = performance.now();
    counters = await readCounters(bus);
    const now = performance.now();
    maxCommandMs = Math.max(maxCommandMs, now - sentAt);
    const count = ingestedOf(counters, sender);
    if (count !== lastCount) {
      lastCount = count;
      lastChangeMs = now;
    }
  };
  let polling = poll();
  const pollTimer = setInterval(() => {
    polling = polling.then(poll);
  }, POLL_MS);

  return {
    async settled() {
      await waitFor(
        async () => {
          await polling;
          return performance.now() - lastChangeMs > SETTLE_MS;
        },
        { timeoutMs: 60_000, intervalMs: POLL_MS, message: 'aggregator settled' },
      );
      clearInterval(pollTimer);
      clearInterval(rssTimer);
      await polling;
      return { counters: counters as AggregatorCounters, lastChangeMs, maxCommandMs, maxRssMiB };
    },
  };
}

async function spawnAggregator(rig: Rig): Promise<ChildProcess> {
  const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
  return fork(path.join(__dirname, 'aggregator.ts'), [], {
    cwd: PACKAGE_DIR,
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, ...peerEnv(rig, commandPort, telemetryPort), PM2_HOME: rig.pm2Home },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}

async function spawnPeer(rig: Rig, role: 'flooder' | 'quiet', name: string): Promise<ChildProcess> {
  const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
  return fork(path.join(__dirname, 'peers.ts'), [role], {
    cwd: PACKAGE_DIR,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...peerEnv(rig, commandPort, telemetryPort), BENCH_WORKER_NAME: name },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
}

function peerEnv(rig: Rig, commandPort: number, telemetryPort: number): Record<string, string> {
  return {
    VJ_HOME: rig.vjHome,
    VJ_COMMAND_PORT: String(commandPort),
    VJ_TELEMETRY_PORT: String(telemetryPort),
  };
}

async function writeApps(
  rig: Rig,
  role: 'quiet' | 'printer',
  names: string[],
  env: Record<string, string> = {},
): Promise<string> {
  const apps = [];
  for (const name of names) {
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    apps.push(
      appSpec(name, role, PACKAGE_DIR, {
        ...peerEnv(rig, commandPort, telemetryPort),
        BENCH_WORKER_NAME: name,
        BENCH_DURATION_MS: String(floodMs),
        ...env,
      }),
    );
  }
  const file = path.join(rig.dir, `${role}.json`);
  writeFileSync(file, JSON.stringify({ apps }));
  return file;
}

async function waitHeard(bus: BusClient, worker: string, prompt: () => Promise<void>): Promise<void> {
  await waitFor(() => bus.workers()[worker] !== undefined, {
    timeoutMs: 30_000,
    message: `${worker} registered`,
  });
  await waitFor(
    async () => {
      await prompt();
      return ingestedOf(await readCounters(bus), worker) > 0;
    },
    { timeoutMs: 30_000, intervalMs: 250, message: `${worker} heard by the aggregator` },
  );
}

async function pm2Connected(bus: BusClient): Promise<boolean> {
  const { state } = (await bus.request('log_aggregator', 'get_state')) as {
    state: { pm2: { connected: boolean } };
  };
  return state.pm2.connected;
}

async function sampleAggregator(
  aggregator: ChildProcess,
  request: AggregatorRequest,
): Promise<AggregatorSample> {
  const reply = new Promise<AggregatorSample>((resolve) =>
    aggregator.once('message', (message) => resolve(message as AggregatorSample)),
  );
  aggregator.send(request);
  return reply;
}

async function waitForValue<T>(
  read: () => T | undefined | Promise<T | undefined>,
  message: string,
): Promise<T> {
  let value: T | undefined;
  await waitFor(
    async () => {
      value = await read();
      return value !== undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100, message },
  );
  return value as T;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  if (child.connected) child.disconnect();
  child.kill('SIGTERM');
  await exited;
}

function formatResult(result: RouteResult): string {
  const mib = (value: number): string => value.toFixed(1);
  const rate = (value: number): string => Math.round(value).toLocaleString('en-US');
  const quiet = result.quietWorker;
  return [
    `\n${result.route} route: ${result.sender} flooding ${floodMs / 1000} s, ${quiet.name} at 10 lines/s`,
    `  lines sent              ${result.sent} (${rate(result.senderRatePerS)}/s at the sender)`,
    `  records ingested        ${result.ingested} (${rate(result.ingestRatePerS)}/s at the aggregator)`,
    `  stored / dropped        ${result.stored} stored, ${result.droppedByFloodControl} dropped by flood control, ${result.busGaps} bus gaps`,
    `  quiet worker            ${quiet.present}/${quiet.expected} present, seq without gap: ${quiet.seqGapFree ? 'yes' : 'no'}, dropped ${quiet.dropped}`,
    `  aggregator RSS          ${mib(result.memory.beforeMiB)} -> ${mib(result.memory.afterMiB)} MiB, max ${mib(result.memory.maxMiB)} MiB (VmHWM ${mib(result.memory.peakMiB)}), ${result.memory.buffered} records buffered`,
    `  aggregator V8 heap      ${mib(result.memory.heapBeforeMiB)} -> ${mib(result.memory.heapAfterMiB)} MiB after a full GC`,
    `  CPU per record          ${result.cpuUsPerRecord.toFixed(2)} µs (aggregator process, all threads)`,
    `  event-loop delay        max ${result.loopDelay.maxMs.toFixed(1)} ms, p99 ${result.loopDelay.p99Ms.toFixed(1)} ms, mean ${result.loopDelay.meanMs.toFixed(1)} ms`,
    `  slowest get_stats       ${result.maxCommandMs.toFixed(1)} ms`,
    `  unpersisted lines       ${result.unpersisted}`,
    `  load average            ${result.loadBefore.join(' ')} before, ${result.loadAfter.join(' ')} after`,
    ...(result.daemonLeftRunning === undefined
      ? []
      : [`  pm2 daemon left running ${result.daemonLeftRunning ? 'yes' : 'no'}`]),
  ].join('\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
