import { allocatePorts, makeTempDir, removeDir } from '@vj/test-support';
import { linesOf, runVj } from './fixtures/vj';
import { FIXED_DEVICES, FixedDeviceWorker } from './fixtures/workers';

describe('vj devices', () => {
  let vjHome: string;
  let worker: FixedDeviceWorker;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-devices-');
    const [command, telemetry] = (await allocatePorts(2)) as [number, number];
    worker = new FixedDeviceWorker(vjHome, { command, telemetry });
    await worker.start();
  });

  afterAll(async () => {
    await worker?.stop();
    await removeDir(vjHome);
  });

  test('table lists each device with its markers', async () => {
    const run = await runVj(vjHome, ['devices']);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(linesOf(run.stdout)).toEqual([
      'ID  NAME                 HOST API    CHANNELS  DEFAULT RATE  MARKERS',
      '0   Built-in Microphone  Core Audio  2         48000 Hz      default',
      '3   BlackHole 2ch        Core Audio  2         44100 Hz      current, loopback',
    ]);
  });

  test('--json prints the device list', async () => {
    const run = await runVj(vjHome, ['devices', '--json']);

    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ devices: FIXED_DEVICES });
  });
});

describe('vj devices without the audio analyser', () => {
  let vjHome: string;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-devices-none-');
  });
  afterAll(() => removeDir(vjHome));

  test('missing audio analyser exits 1 saying how to start it', async () => {
    const run = await runVj(vjHome, ['devices']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `vj: Worker audio_analyzer is not registered in ${vjHome}/registry.json; no worker is registered; start it with vj start audio_analyzer, or start every worker with pnpm start [VJ_BUS_WORKER_NOT_FOUND]\n`,
    );
  });
});
