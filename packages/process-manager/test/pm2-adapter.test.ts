import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isVjError } from '@vj/bus';
import { makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { Pm2Adapter, type Pm2ProcessEvent } from '../src/pm2-adapter';

const IDLE_APP = path.join(__dirname, 'fixtures', 'idle-app.js');

describe('Pm2Adapter against a private pm2 daemon', () => {
  let home: string;
  let pm2: Pm2Adapter;
  const events: Pm2ProcessEvent[] = [];

  beforeAll(async () => {
    home = await makeTempDir('vj-pm2');
    pm2 = new Pm2Adapter({ pm2Home: path.join(home, 'pm2') });
    await pm2.connect();
    await pm2.listen();
    pm2.on('process', (event) => events.push(event));
  });

  afterAll(async () => {
    const pidFile = path.join(home, 'pm2', 'pm2.pid');
    try {
      await pm2.killDaemon();
    } finally {
      // If killDaemon failed, end the daemon this test started by its pid file.
      if (existsSync(pidFile)) {
        const pid = Number(readFileSync(pidFile, 'utf8'));
        if (pid > 0) process.kill(pid, 'SIGKILL');
      }
      await removeDir(home);
    }
  });

  beforeEach(() => {
    events.length = 0;
  });

  function eventsOf(name: string): string[] {
    return events.filter((event) => event.name === name).map((event) => `${event.event}:${event.status}`);
  }

  test('list is empty on a fresh daemon', async () => {
    await expect(pm2.list()).resolves.toEqual([]);
  });

  test('start runs the app and list reports it online with its pid', async () => {
    await pm2.start({ name: 'idle', script: IDLE_APP, autorestart: false });
    await waitFor(async () => (await pm2.list()).find((app) => app.name === 'idle')?.status === 'online', {
      message: 'idle online',
    });
    const [app] = await pm2.list();
    expect(app).toMatchObject({ name: 'idle', status: 'online', autorestart: false, restarts: 0 });
    expect(app?.pid).toBeGreaterThan(0);
    expect(() => process.kill(app?.pid ?? 0, 0)).not.toThrow();
    expect(eventsOf('idle')).toEqual(['online:launching', 'start:online']);
  });

  test('kill -9 without autorestart shows as one exit with status stopped and no online', async () => {
    const [app] = await pm2.list();
    process.kill(app?.pid ?? 0, 'SIGKILL');
    await waitFor(() => eventsOf('idle').length > 0, { message: 'exit event' });
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(eventsOf('idle')).toEqual(['exit:stopped']);
    const exit = events[0];
    expect(exit?.manually).toBe(false);
    // pm2 7.0.4 reports exit code 0 for a process killed by a signal; the project's patch adds the signal.
    expect(exit?.exitCode).toBeNull();
    expect(exit?.exitSignal).toBe('SIGKILL');
    expect(exit?.pid).toBe(0);
    await expect(pm2.list()).resolves.toMatchObject([{ name: 'idle', status: 'stopped', pid: 0 }]);
  });

  test('stop shows as exit stopping, exit stopped, then a manual stop', async () => {
    await pm2.start({ name: 'idle', script: IDLE_APP, autorestart: false });
    await waitFor(async () => (await pm2.list())[0]?.status === 'online', { message: 'idle online again' });
    events.length = 0;

    await pm2.stop('idle');
    await waitFor(() => eventsOf('idle').includes('stop:stopped'), { message: 'stop event' });
    expect(eventsOf('idle')).toEqual(['exit:stopping', 'exit:stopped', 'stop:stopped']);
    expect(events.at(-1)?.manually).toBe(true);
  });

  test('kill -9 with autorestart shows as exit then online, with no restart event', async () => {
    await pm2.start({ name: 'phoenix', script: IDLE_APP, autorestart: true });
    await waitFor(async () => (await pm2.list()).find((app) => app.name === 'phoenix')?.status === 'online', {
      message: 'phoenix online',
    });
    const before = (await pm2.list()).find((app) => app.name === 'phoenix')?.pid ?? 0;
    events.length = 0;

    process.kill(before, 'SIGKILL');
    await waitFor(() => eventsOf('phoenix').some((entry) => entry.startsWith('online')), {
      message: 'phoenix online again',
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(eventsOf('phoenix')).toEqual(['exit:stopped', 'online:launching']);
    expect(events.find((event) => event.event === 'exit')).toMatchObject({
      exitCode: null,
      exitSignal: 'SIGKILL',
    });
    const after = (await pm2.list()).find((app) => app.name === 'phoenix');
    expect(after?.pid).not.toBe(before);
    expect(after?.restarts).toBe(1);
    await pm2.delete('phoenix');
  });

  test('stop of an unknown app rejects with VJ_PM_PM2_FAILED naming the operation', async () => {
    const error = await pm2.stop('no_such_app').catch((caught: unknown) => caught);
    expect(isVjError(error, 'VJ_PM_PM2_FAILED')).toBe(true);
    expect((error as Error).message).toContain('pm2 stop no_such_app failed');
  });

  test('delete removes the app from the list', async () => {
    await pm2.delete('idle');
    await expect(pm2.list()).resolves.toEqual([]);
  });
});

describe('Pm2Adapter before connect', () => {
  test('list rejects with VJ_PM_NOT_CONNECTED', async () => {
    await expect(new Pm2Adapter({ pm2Home: '/nonexistent' }).list()).rejects.toMatchObject({
      code: 'VJ_PM_NOT_CONNECTED',
    });
  });
});
