/**
 * The system under measurement, set up as test/supervision.test.ts does: a
 * pm2 daemon with a private PM2_HOME started from a generated ecosystem file,
 * running the process manager and the example worker, with a private VJ_HOME
 * and ports from the test allocator. The bench follows it through a BusClient
 * subscribed to `events.` and a Pm2Adapter listening to pm2's process events.
 * The example worker runs from its TypeScript through tsx (runFrom 'source'),
 * or from the bundle that defineEcosystem builds (runFrom 'bundle', its default).
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { BusClient, type Event, type PublishedMessage } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import type { RestartPolicyOptions } from '../../src';
import { Pm2Adapter } from '../../src';
import type { WorkerBundle } from './bundle';

const run = promisify(execFile);

/** Repository root, where the pm2 binary and packages/ are. */
export const REPO_ROOT = path.join(__dirname, '..', '..', '..', '..');
const PM2_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'pm2');
const ECOSYSTEM_MODULE = path.join(__dirname, '..', '..', 'src', 'ecosystem');

/** pm2 name of the worker that the bench kills. */
export const WORKER_NAME = 'example_worker';
const MANAGER_NAME = 'process_manager';
const REGISTER_TIMEOUT_MS = 30_000;

/** A running system and the handles the bench measures it with. */
export interface SupervisedSystem {
  /** Temporary folder that contains PM2_HOME, VJ_HOME and the ecosystem file. */
  home: string;
  pm2Home: string;
  /** Command port of the example worker, which stays the same across restarts. */
  workerCommandPort: number;
  /** Connected and listening to pm2's process events. */
  pm2: Pm2Adapter;
  /** Subscribed to `events.`. */
  bus: BusClient;
  /** Pid of the pm2 daemon. */
  daemonPid: number;
  /** Pid of the process manager. */
  managerPid: number;
  /** Pid of the example worker when the system was ready. */
  workerPid: number;
}

/** How to start the system. */
export interface SystemOptions {
  /** Restart policy of the example worker. */
  restartPolicy: RestartPolicyOptions;
  /** Runs the example worker from defineEcosystem's bundle instead of `--import tsx src/main.ts`; this bundle is only reported. */
  workerBundle?: WorkerBundle;
}

/**
 * Starts the system and waits until both workers are registered. On failure
 * it stops what it started before rethrowing.
 *
 * @throws Error when pm2 fails to start the apps or a worker does not register within 30 s.
 */
export async function startSupervisedSystem(options: SystemOptions): Promise<SupervisedSystem> {
  const home = await makeTempDir('vj-pm-bench-');
  const pm2Home = path.join(home, 'pm2');
  const vjHome = path.join(home, 'vj');
  const [managerCommand, managerTelemetry, workerCommand, workerTelemetry] = await allocatePorts(4);
  const ecosystemFile = path.join(home, 'ecosystem.config.ts');
  writeFileSync(
    ecosystemFile,
    ecosystemSource({
      ecosystemFile,
      vjHome,
      ports: [managerCommand, managerTelemetry, workerCommand, workerTelemetry] as number[],
      ...options,
    }),
  );

  const bus = new BusClient({ vjHome, rescanIntervalMs: 100, timeoutMs: 5000, source: 'pm-bench' });
  const pm2 = new Pm2Adapter({ pm2Home });
  try {
    await bus.start();
    bus.subscribe('events.');
    await run(PM2_BIN, ['start', ecosystemFile], {
      cwd: REPO_ROOT,
      env: { ...process.env, PM2_HOME: pm2Home, VJ_HOME: vjHome },
    });
    await waitFor(
      () => bus.workers()[MANAGER_NAME] !== undefined && bus.workers()[WORKER_NAME] !== undefined,
      { timeoutMs: REGISTER_TIMEOUT_MS, message: `${MANAGER_NAME} and ${WORKER_NAME} registered` },
    );
    await pm2.connect();
    await pm2.listen();
    return {
      home,
      pm2Home,
      workerCommandPort: workerCommand as number,
      pm2,
      bus,
      daemonPid: Number(readFileSync(path.join(pm2Home, 'pm2.pid'), 'utf8').trim()),
      managerPid: bus.workers()[MANAGER_NAME]?.pid ?? 0,
      workerPid: bus.workers()[WORKER_NAME]?.pid ?? 0,
    };
  } catch (error) {
    await stopSupervisedSystem({ home, pm2Home, pm2, bus });
    throw error;
  }
}

/**
 * Closes the bench's connections, stops the pm2 daemon with its apps and
 * removes the temporary folder. Each step runs even when an earlier one fails,
 * and the first failure is rethrown at the end.
 */
export async function stopSupervisedSystem(
  system: Pick<SupervisedSystem, 'home' | 'pm2Home' | 'pm2' | 'bus'>,
): Promise<void> {
  const failures: unknown[] = [];
  const steps: Array<() => Promise<void>> = [
    () => system.bus.close(),
    () => system.pm2.disconnect(),
    () => new Pm2Adapter({ pm2Home: system.pm2Home }).killDaemon(),
    () => removeDir(system.home),
  ];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/** Calls `listener` with each lifecycle event of the example worker until the returned function is called. */
export function onWorkerEvent(bus: BusClient, listener: (event: Event) => void): () => void {
  const handler = (_topic: string, message: PublishedMessage): void => {
    if (message.type === 'event' && message.worker === WORKER_NAME) listener(message);
  };
  bus.on('message', handler);
  return () => bus.off('message', handler);
}

interface EcosystemSourceOptions extends SystemOptions {
  ecosystemFile: string;
  vjHome: string;
  /** Command and telemetry ports of the process manager, then of the example worker. */
  ports: number[];
}

/**
 * TypeScript of the generated ecosystem file. pm2 loads it to start the apps,
 * and the process manager loads it to restart them, so both run the bundle
 * when one is given.
 */
function ecosystemSource(options: EcosystemSourceOptions): string {
  const [managerCommand, managerTelemetry, workerCommand, workerTelemetry] = options.ports;
  return `import { defineEcosystem } from ${JSON.stringify(ECOSYSTEM_MODULE)};

const ecosystem = defineEcosystem({
  root: ${JSON.stringify(REPO_ROOT)},
  file: ${JSON.stringify(options.ecosystemFile)},
  vjHome: ${JSON.stringify(options.vjHome)},
  apps: [
    { name: '${MANAGER_NAME}', packageDir: 'process-manager', commandPort: ${managerCommand}, telemetryPort: ${managerTelemetry}, restartedBy: 'pm2' },
    { name: '${WORKER_NAME}', packageDir: 'worker-example', commandPort: ${workerCommand}, telemetryPort: ${workerTelemetry},
      restartPolicy: ${JSON.stringify(options.restartPolicy)}, runFrom: '${options.workerBundle === undefined ? 'source' : 'bundle'}' },
  ],
});
export default ecosystem;
`;
}
