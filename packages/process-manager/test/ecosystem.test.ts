import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { isVjError, Registry } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { defineEcosystem } from '../src/ecosystem';
import { Pm2Adapter } from '../src/pm2-adapter';
import { buildWorkerBundle } from '../src/worker-bundle';

const run = promisify(execFile);
const REPO_ROOT = path.join(__dirname, '..', '..', '..');
const PM2_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'pm2');

describe('defineEcosystem', () => {
  test('worker app runs its bundle with its ports and no pm2 autorestart', () => {
    const { apps } = defineEcosystem({
      root: '/repo',
      vjHome: '/home/vj/.vj',
      buildBundles: false,
      apps: [
        {
          name: 'audio_analyzer',
          packageDir: 'worker-audio',
          commandPort: 5001,
          telemetryPort: 5002,
          env: { EXTRA: '1' },
        },
      ],
    });
    expect(apps).toHaveLength(1);
    expect(apps[0]).toMatchObject({
      name: 'audio_analyzer',
      cwd: '/repo/packages/worker-audio',
      script: process.execPath,
      args: ['/repo/packages/worker-audio/dist/bundle/main.cjs'],
      interpreter: 'none',
      env: {
        VJ_HOME: '/home/vj/.vj',
        VJ_COMMAND_PORT: '5001',
        VJ_TELEMETRY_PORT: '5002',
        VJ_ECOSYSTEM: '/repo/ecosystem.config.ts',
        EXTRA: '1',
      },
      kill_timeout: 3000,
      autorestart: false,
      output: '/home/vj/.vj/logs/pm2/audio_analyzer-out.log',
      error: '/home/vj/.vj/logs/pm2/audio_analyzer-error.log',
      time: true,
    });
  });

  test('app restarted by pm2 runs from source through node --import tsx', () => {
    const { apps } = defineEcosystem({
      root: '/repo',
      vjHome: '/home/vj/.vj',
      buildBundles: false,
      apps: [
        {
          name: 'process_manager',
          packageDir: 'process-manager',
          commandPort: 5000,
          telemetryPort: 5099,
          restartedBy: 'pm2',
        },
      ],
    });
    expect(apps[0]).toMatchObject({
      args: ['--import', 'tsx', 'src/main.ts'],
      autorestart: true,
      max_restarts: 100,
    });
  });

  test('restartPolicy reaches the app as VJ_RESTART_POLICY', () => {
    const { apps } = defineEcosystem({
      root: '/repo',
      buildBundles: false,
      apps: [
        {
          name: 'w',
          packageDir: 'w',
          commandPort: 6001,
          telemetryPort: 6002,
          restartPolicy: { maxRestarts: 3 },
        },
      ],
    });
    expect(apps[0]?.env).toMatchObject({ VJ_RESTART_POLICY: '{"maxRestarts":3}' });
  });
});

describe('buildWorkerBundle', () => {
  let root: string;

  beforeEach(async () => {
    root = await makeTempDir('vj-bundle');
    mkdirSync(path.join(root, 'packages', 'broken', 'src'), { recursive: true });
    writeFileSync(
      path.join(root, 'packages', 'broken', 'package.json'),
      JSON.stringify({ name: 'broken', dependencies: {} }),
    );
  });

  afterEach(async () => {
    await removeDir(root);
  });

  test('syntax error fails with VJ_PM_BUNDLE_FAILED naming the file and line', () => {
    writeFileSync(
      path.join(root, 'packages', 'broken', 'src', 'main.ts'),
      'const ok = 1;\nconst broken = ;\n',
    );
    let caught: unknown;
    try {
      buildWorkerBundle(root, 'broken');
    } catch (error) {
      caught = error;
    }
    expect(isVjError(caught, 'VJ_PM_BUNDLE_FAILED')).toBe(true);
    expect((caught as Error).message).toContain('packages/broken/src/main.ts:2');
    expect(existsSync(path.join(root, 'packages', 'broken', 'dist', 'bundle', 'main.cjs'))).toBe(false);
  });

  test('bundle of a valid entry runs with node', async () => {
    writeFileSync(
      path.join(root, 'packages', 'broken', 'src', 'main.ts'),
      'const value: number = 6 * 7;\nprocess.stdout.write(String(value));\n',
    );
    const file = buildWorkerBundle(root, 'broken');
    const { stdout } = await run(process.execPath, [file]);
    expect(stdout).toBe('42');
  });
});

describe('ecosystem file under the pm2 CLI', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;
  let ecosystemFile: string;

  beforeAll(async () => {
    home = await makeTempDir('vj-eco');
    const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
    env = { ...process.env, PM2_HOME: path.join(home, 'pm2'), VJ_HOME: path.join(home, 'vj') };
    ecosystemFile = path.join(home, 'ecosystem.config.ts');
    const source = [
      `import { defineEcosystem } from ${JSON.stringify(path.join(__dirname, '..', 'src', 'ecosystem'))};`,
      'export default defineEcosystem({',
      `  root: ${JSON.stringify(REPO_ROOT)},`,
      `  apps: [{ name: 'example_worker', packageDir: 'worker-example', commandPort: ${commandPort}, telemetryPort: ${telemetryPort}, runFrom: 'source' }],`,
      '});',
    ].join('\n');
    writeFileSync(ecosystemFile, source);
  });

  afterAll(async () => {
    const pm2 = new Pm2Adapter({ pm2Home: path.join(home, 'pm2') });
    await pm2.killDaemon();
    await removeDir(home);
  });

  test('pm2 start reads the TypeScript file and the worker registers', async () => {
    const { stdout } = await run(PM2_BIN, ['start', ecosystemFile], { cwd: REPO_ROOT, env });
    expect(stdout).toContain('example_worker');
    const registry = new Registry({ vjHome: env.VJ_HOME });
    await waitFor(async () => (await registry.get('example_worker'))?.status === 'running', {
      timeoutMs: 15000,
      message: 'example_worker registered',
    });
    const { stdout: jlist } = await run(PM2_BIN, ['jlist'], { cwd: REPO_ROOT, env });
    const apps = JSON.parse(jlist) as Array<{ name: string; pid: number }>;
    expect(apps.map((app) => app.name)).toEqual(['example_worker']);
    expect((await registry.get('example_worker'))?.pid).toBe(apps[0]?.pid);
  });

  test('kill -9 leaves no orphan: the managed pid is the worker itself', async () => {
    const registry = new Registry({ vjHome: env.VJ_HOME });
    const pid = (await registry.get('example_worker'))?.pid ?? 0;
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining(['--import', 'tsx', 'src/main.ts']));
    expect(await findProcesses('src/main.ts', `VJ_HOME=${env.VJ_HOME}`)).toEqual([pid]);

    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { timeoutMs: 5000, message: 'the killed worker is gone' });

    // Without the process manager nothing restarts it (autorestart is off), and nothing of it is left.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await findProcesses('src/main.ts', `VJ_HOME=${env.VJ_HOME}`)).toEqual([]);
  });

  test('pm2 delete of the ecosystem file stops the worker, which unregisters', async () => {
    const registry = new Registry({ vjHome: env.VJ_HOME });
    const killed = (await registry.get('example_worker'))?.pid;
    await run(PM2_BIN, ['start', ecosystemFile], { cwd: REPO_ROOT, env });
    await waitFor(
      async () => {
        const entry = await registry.get('example_worker');
        return entry !== undefined && entry.pid !== killed;
      },
      { timeoutMs: 15000, message: 'example_worker registered again' },
    );

    await run(PM2_BIN, ['delete', ecosystemFile], { cwd: REPO_ROOT, env });
    await waitFor(async () => (await registry.get('example_worker')) === undefined, {
      timeoutMs: 10000,
      message: 'example_worker unregistered',
    });
  });
});

/** Pids of processes whose command line contains `needle` and whose environment contains `variable`. */
async function findProcesses(needle: string, variable: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      const environ = (await readFile(`/proc/${entry}/environ`, 'utf8')).split('\0');
      if (cmdline.includes(needle) && environ.includes(variable)) pids.push(Number(entry));
    } catch {
      // The process ended while it was being read.
    }
  }
  return pids;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
