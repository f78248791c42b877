/**
 * The console in tmux against a real pm2 daemon (private PM2_HOME) running
 * the process manager and the example worker: the lifecycle columns and the
 * status line after `r`.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Registry } from '@vj/bus';
import { allocatePorts, makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { lineWith, PACKAGES_DIR, startConsole, type TmuxConsole } from './harness';

jest.setTimeout(120000);

const run = promisify(execFile);
const REPO_ROOT = path.join(PACKAGES_DIR, '..');
const PM2_BIN = path.join(REPO_ROOT, 'node_modules', '.bin', 'pm2');

describe('console with the process manager', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let terminal: TmuxConsole | undefined;

  beforeAll(async () => {
    dir = await makeTempDir('vj-console-pm-');
    const ports = await allocatePorts(4);
    env = { ...process.env, PM2_HOME: path.join(dir, 'pm2'), VJ_HOME: path.join(dir, 'vj') };
    const ecosystemFile = path.join(dir, 'ecosystem.config.ts');
    const ecosystemModule = path.join(PACKAGES_DIR, 'process-manager', 'src', 'ecosystem');
    writeFileSync(
      ecosystemFile,
      `import { defineEcosystem } from ${JSON.stringify(ecosystemModule)};
export default defineEcosystem({
  root: ${JSON.stringify(REPO_ROOT)},
  file: ${JSON.stringify(ecosystemFile)},
  apps: [
    { name: 'process_manager', packageDir: 'process-manager', commandPort: ${ports[0]}, telemetryPort: ${ports[1]},
      restartedBy: 'pm2', env: { VJ_HEARTBEAT_MS: '500' } },
    { name: 'example_worker', packageDir: 'worker-example', commandPort: ${ports[2]}, telemetryPort: ${ports[3]},
      env: { VJ_HEARTBEAT_MS: '500' } },
  ],
});
`,
    );
    await run(PM2_BIN, ['start', ecosystemFile], { cwd: REPO_ROOT, env });
    const registry = new Registry({ vjHome: env.VJ_HOME as string });
    await waitFor(
      async () => {
        const live = await registry.list();
        return live.process_manager !== undefined && live.example_worker !== undefined;
      },
      { timeoutMs: 60000, message: 'process_manager and example_worker registered' },
    );
  });

  afterAll(async () => {
    await terminal?.close();
    await run(PM2_BIN, ['kill'], { cwd: REPO_ROOT, env }).catch(() => undefined);
    const { stdout } = await run('ps', ['-eo', 'args']);
    const daemons = stdout.split('\n').filter((line) => line.includes('God Daemon') && line.includes(dir));
    await removeDir(dir);
    expect(daemons).toEqual([]);
  });

  test('r restarts the selected worker and the status line says ok', async () => {
    terminal = await startConsole({ vjHome: env.VJ_HOME as string, dir, width: 80, height: 24 });
    const before = await terminal.waitForScreen(
      (text) => lineWith(text, 'example_worker')?.includes('online') === true,
      'example_worker online under pm2',
      30000,
    );
    const oldPid = (lineWith(before, 'example_worker') as string).match(/online\s+(\d+)/)?.[1] as string;

    await terminal.sendKeys('r');
    const after = await terminal.waitForScreen(
      (text) => /restart example_worker(: ok| failed)/.test(text),
      'restart result in the status line',
      30000,
    );
    const back = await terminal.waitForScreen(
      (text) => {
        const row = lineWith(text, 'example_worker');
        return row?.includes('healthy') === true && !row.includes(` ${oldPid} `);
      },
      'example_worker healthy with a new pid',
      30000,
    );

    expect(before).toContain('process manager: 1 supervised');
    expect(after.split('\n')[23]).toMatch(/restart example_worker: ok \(pid \d+\)/);
    expect(lineWith(back, 'example_worker')).toMatch(/online\s+\d+/);
  });
});
