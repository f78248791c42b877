import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CommandClient } from '@vj/bus';
import { allocatePorts, devAudioDir, makeTempDir, removeDir, requireTool, waitFor } from '@vj/test-support';
import { readAudioFile } from '../src/sources/audio-file';
import {
  NULL_DEFAULT_PCM,
  PACED_FILE_PCM,
  type PulseServer,
  startPulse,
  writeAlsaConfig,
} from './fixtures/alsa/alsa-fixtures';
import { Receiver } from './output/fixtures';

const PACKAGE_DIR = path.join(__dirname, '..');
const testWithPulse = requireTool('pulseaudio', 'pulseaudio') ? test : test.skip;
// Without a sound card, the stock ALSA configuration lists no device and prints
// its "cannot find card" lines; with one, it would list the card instead.
const testWithoutSoundCard = existsSync('/proc/asound/cards') ? test.skip : test;

interface WorkerProcess {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  client: CommandClient;
  exited: Promise<number | null>;
}

let dir: string;
const started: WorkerProcess[] = [];
const receivers: Receiver[] = [];
let pulse: PulseServer | undefined;

beforeEach(async () => {
  dir = await makeTempDir('vj-audio-main-');
});

afterEach(async () => {
  for (const worker of started.splice(0)) {
    await worker.client.close();
    if (worker.child.exitCode === null && worker.child.signalCode === null) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
  }
  for (const receiver of receivers.splice(0)) await receiver.close();
  await pulse?.stop();
  pulse = undefined;
  await removeDir(dir);
});

async function startWorker(env: Record<string, string>): Promise<WorkerProcess> {
  const [commandPort, telemetryPort] = (await allocatePorts(2)) as [number, number];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: PACKAGE_DIR,
    env: {
      ...process.env,
      VJ_HOME: path.join(dir, 'home'),
      VJ_COMMAND_PORT: String(commandPort),
      VJ_TELEMETRY_PORT: String(telemetryPort),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const client = new CommandClient({ endpoint: `tcp://127.0.0.1:${commandPort}`, timeoutMs: 5000 });
  const worker = { child, stdout, stderr, client, exited };
  started.push(worker);
  return worker;
}

async function listen(): Promise<{ receiver: Receiver; port: number }> {
  const [port] = (await allocatePorts(1)) as [number];
  const receiver = new Receiver();
  await receiver.listen(port);
  receivers.push(receiver);
  return { receiver, port };
}

async function stateOf(worker: WorkerProcess): Promise<Record<string, unknown>> {
  const result = (await worker.client.request('get_state')) as { state: Record<string, unknown> };
  return result.state;
}

function logRecords(worker: WorkerProcess): Array<Record<string, unknown>> {
  return worker.stdout
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('audio worker process', () => {
  testWithPulse('captures a device through PortAudio and ALSA', async () => {
    // The device is an ALSA file plugin that plays a real clip, paced in real
    // time by a private PulseAudio null sink.
    pulse = await startPulse(dir);
    const clip = await readAudioFile(path.join(devAudioDir(), 'xm-house-145bpm.wav'));
    const raw = path.join(dir, 'clip.f32');
    await writeFile(raw, Buffer.from(clip.samples.buffer, clip.samples.byteOffset, clip.samples.byteLength));
    const alsaConfig = await writeAlsaConfig(dir, 'asound.conf', NULL_DEFAULT_PCM, PACED_FILE_PCM);
    const { receiver, port } = await listen();

    const worker = await startWorker({
      ALSA_CONFIG_PATH: alsaConfig,
      VJ_ALSA_INFILE: raw,
      VJ_PULSE_SERVER: pulse.address,
      VJ_AUDIO_CONFIG: JSON.stringify({
        source: 'device',
        device: 'vjpaced',
        sample_rate: clip.sampleRate,
        osc_targets: [{ host: '127.0.0.1', port }],
      }),
    });

    await waitFor(
      () =>
        receiver.messages.some(
          (message) =>
            message.address === '/audio/levels' && (message.args as number[]).some((value) => value > 0.05),
        ),
      { timeoutMs: 30_000, message: 'moving /audio/levels from the device' },
    );
    const state = await stateOf(worker);
    expect(state.source).toMatchObject({
      kind: 'device',
      status: 'open',
      device: { name: 'vjpaced', hostApi: 'ALSA' },
    });
    expect(state.input_status).toBe('signal');

    const devices = (await worker.client.request('list_devices')) as {
      devices: Array<Record<string, unknown>>;
    };
    expect(devices.devices).toContainEqual(
      expect.objectContaining({ name: 'vjpaced', host_api: 'ALSA', is_current: true }),
    );
  });

  testWithoutSoundCard('falls back to the demo without a device', async () => {
    const { receiver, port } = await listen();
    const worker = await startWorker({
      // The stock configuration, which prints dozens of "ALSA lib … cannot find card" lines at each scan.
      ALSA_CONFIG_PATH: '/usr/share/alsa/alsa.conf',
      VJ_AUDIO_CONFIG: JSON.stringify({ osc_targets: [{ host: '127.0.0.1', port }] }),
    });

    await waitFor(
      () => receiver.messages.some((message) => message.address === '/audio/beat' && message.args[0] === 1),
      {
        timeoutMs: 30_000,
        message: 'a beat of the demo loop',
      },
    );
    const state = await stateOf(worker);
    expect(state.source).toMatchObject({ kind: 'demo', status: 'open' });
    expect(state.source_reason).toEqual(expect.stringContaining('demo loop at 128 BPM'));
    const warning = logRecords(worker).find(
      (record) => record.level === 40 && String(record.msg).includes('demo loop'),
    );
    expect(warning?.msg).toEqual(expect.stringContaining('set_device'));
    // The scan runs in a child process, so ALSA's lines do not reach the worker's own output.
    expect(worker.stderr.join('')).not.toContain('ALSA lib');
  });

  test('stops cleanly on SIGTERM', async () => {
    const worker = await startWorker({
      VJ_AUDIO_CONFIG: JSON.stringify({ source: 'demo', osc_targets: [] }),
    });
    await waitFor(async () => (await stateOf(worker)).input_status === 'signal', { timeoutMs: 30_000 });
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
    const messages = logRecords(worker).map((record) => record.msg);
    expect(messages).toContain('audio input closed');
    expect(logRecords(worker).filter((record) => (record.level as number) >= 50)).toEqual([]);
  });

  test('invalid VJ_AUDIO_CONFIG is logged and defaults used', async () => {
    const worker = await startWorker({
      VJ_AUDIO_CONFIG: JSON.stringify({ source: 'tape', smoothing: 3, osc_targets: [] }),
    });
    await waitFor(async () => (await worker.client.request('health_check'))?.status === 'healthy', {
      timeoutMs: 30_000,
    });
    const errors = logRecords(worker).filter((record) => record.level === 50);
    expect(errors.map((record) => record.key)).toEqual(['source', 'smoothing']);
    expect(String(errors[0]?.msg)).toContain(
      'expected one of auto, device, file, stdin, demo, received "tape"',
    );
    const config = ((await worker.client.request('get_state')) as { config: Record<string, unknown> }).config;
    expect(config.smoothing).toBe(0.5);
    expect(config.source).toBe('auto');
  });
});
