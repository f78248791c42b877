/**
 * The console in tmux against the real example worker: what a person reads on
 * the overview, after a worker is killed and started again, after `r` without
 * a process manager, and after quitting.
 */
import { allocatePorts, makeTempDir, removeDir } from '@vj/test-support';
import {
  isRunning,
  lineWith,
  startConsole,
  startWorkerProcess,
  type TmuxConsole,
  type WorkerProcess,
} from './harness';

jest.setTimeout(90000);

describe('console overview', () => {
  let dir: string;
  let vjHome: string;
  let terminal: TmuxConsole | undefined;
  const workers: WorkerProcess[] = [];

  beforeEach(async () => {
    dir = await makeTempDir('vj-console-tmux-');
    vjHome = `${dir}/vj`;
  });

  afterEach(async () => {
    await terminal?.close();
    terminal = undefined;
    for (const worker of workers.splice(0)) await worker.kill();
    await removeDir(dir);
  });

  async function startExample(ports: readonly [number, number]): Promise<WorkerProcess> {
    const worker = await startWorkerProcess({
      packageDir: 'worker-example',
      name: 'example_worker',
      vjHome,
      ports,
    });
    workers.push(worker);
    return worker;
  }

  test('overview without workers says how to start them', async () => {
    terminal = await startConsole({ vjHome, dir, width: 80, height: 24 });

    const screen = await terminal.waitForScreen(
      (text) => text.includes('No workers are running'),
      'empty overview',
    );

    expect(screen).toContain('pnpm start');
    expect(screen).toContain('process manager: not running');
    expect(screen.split('\n')[0]).toContain('1 Overview');
  });

  test('overview lists the example worker at 80x24', async () => {
    const ports = (await allocatePorts(2)) as [number, number];
    const worker = await startExample(ports);
    terminal = await startConsole({ vjHome, dir, width: 80, height: 24 });

    const screen = await terminal.waitForScreen(
      (text) => lineWith(text, 'example_worker')?.includes('healthy') === true,
      'example_worker healthy',
    );

    const row = lineWith(screen, 'example_worker') as string;
    expect(row).toContain(String(worker.pid));
    expect(row).toContain(`${ports[0]}/${ports[1]}`);
    expect(row.length).toBeLessThanOrEqual(80);
    expect(screen).toContain('NAME');
    expect(screen).toContain('registered');
  });

  test('overview uses the width of a 160x48 terminal', async () => {
    const ports = (await allocatePorts(2)) as [number, number];
    await startExample(ports);
    terminal = await startConsole({ vjHome, dir, width: 160, height: 48 });

    const screen = await terminal.waitForScreen(
      (text) => lineWith(text, 'example_worker')?.includes('healthy') === true,
      'example_worker healthy',
    );

    const rule = lineWith(screen, '── Workers') as string;
    expect(rule.trimEnd()).toHaveLength(160);
    const rows = screen.replace(/\n$/, '').split('\n');
    expect(rows).toHaveLength(48);
    expect(rows[47]).toContain('ready');
    expect(lineWith(screen, 'PM2')?.length).toBeGreaterThan(80);
  });

  test('killed worker shows as exited and reappears when started again', async () => {
    const ports = (await allocatePorts(2)) as [number, number];
    const first = await startExample(ports);
    terminal = await startConsole({ vjHome, dir, width: 80, height: 24 });
    await terminal.waitForScreen(
      (text) => lineWith(text, 'example_worker')?.includes('healthy') === true,
      'example_worker healthy',
    );

    await first.kill();
    const down = await terminal.waitForScreen(
      (text) => lineWith(text, 'example_worker')?.includes('exited') === true,
      'example_worker shown as exited',
    );
    const second = await startExample(ports);
    const back = await terminal.waitForScreen(
      (text) => lineWith(text, 'example_worker')?.includes(String(second.pid)) === true,
      'example_worker back with its new pid',
    );

    expect(lineWith(down, 'example_worker')).not.toContain(String(first.pid));
    expect(lineWith(back, 'example_worker')).toMatch(/healthy|checking/);
    expect(back).toContain('re-registered');
  });

  test('r without a process manager shows the error in the status line', async () => {
    await startExample((await allocatePorts(2)) as [number, number]);
    terminal = await startConsole({ vjHome, dir, width: 80, height: 24 });
    await terminal.waitForScreen((text) => text.includes('example_worker'), 'example_worker listed');

    await terminal.sendKeys('r');
    const screen = await terminal.waitForScreen((text) => text.includes('failed'), 'restart result');

    const status = screen.split('\n')[23] as string;
    expect(status).toContain('restart example_worker failed: no process_manager; run pnpm start');
  });

  test('number keys switch screens and ? shows the keys', async () => {
    terminal = await startConsole({ vjHome, dir, width: 80, height: 24 });
    await terminal.waitForScreen((text) => text.includes('No workers are running'), 'empty overview');

    await terminal.sendKeys('2');
    const audio = await terminal.waitForScreen(
      (text) => text.includes('audio_analyzer is not running'),
      'audio',
    );
    await terminal.sendKeys('3');
    const playing = await terminal.waitForScreen(
      (text) => text.includes('spotify_monitor is not'),
      'now playing',
    );
    await terminal.sendKeys('4');
    const osc = await terminal.waitForScreen((text) => text.includes('osc_debugger is not running'), 'osc');
    await terminal.sendKeys('5');
    const logs = await terminal.waitForScreen((text) => text.includes('Logs from workers'), 'logs');
    await terminal.sendKeys('?');
    const help = await terminal.waitForScreen((text) => text.includes('┌─ keys'), 'help');

    expect(audio).toContain('── Analyser');
    expect(playing).toContain('── Now playing');
    expect(osc).toContain('── Latest messages');
    expect(logs).toContain('level info+');
    expect(help).toContain('quit; every worker keeps running');
  });

  test('q exits 0, restores the terminal and leaves the workers running', async () => {
    const worker = await startExample((await allocatePorts(2)) as [number, number]);
    terminal = await startConsole({ vjHome, dir, width: 80, height: 24 });
    await terminal.waitForScreen((text) => text.includes('example_worker'), 'example_worker listed');

    await terminal.sendKeys('q');
    const screen = await terminal.waitForScreen((text) => text.includes('EXIT='), 'console exit');

    expect(screen).toContain('EXIT=0');
    expect(screen).not.toContain('1 Overview');
    expect(isRunning(worker.pid)).toBe(true);
  });
});
