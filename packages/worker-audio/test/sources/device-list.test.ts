import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isVjError } from '@vj/bus';
import { makeTempDir, removeDir } from '@vj/test-support';
import { isLoopbackName, listInputDevices } from '../../src/sources/device-list';
import { selectDevice } from '../../src/sources/device-select';
import { Harness, NULL_DEFAULT_PCM, UNPACED_FILE_PCM, writeAlsaConfig } from '../fixtures/alsa/alsa-fixtures';

const EXTRA_PCM = 'pcm.vjextra { type null }\n';

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('vj-device-list-');
});

afterEach(async () => {
  await removeDir(dir);
});

function alsaEnv(configPath: string): NodeJS.ProcessEnv {
  // PULSE_SERVER names a socket that does not exist, so that no PulseAudio of another test is found.
  return {
    PATH: process.env.PATH,
    HOME: dir,
    ALSA_CONFIG_PATH: configPath,
    PULSE_SERVER: `unix:${dir}/none`,
  };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('listInputDevices', () => {
  test('lists vjfile and default on ALSA', async () => {
    const config = await writeAlsaConfig(dir, 'asound.conf', UNPACED_FILE_PCM, NULL_DEFAULT_PCM);

    const listing = await listInputDevices({ env: alsaEnv(config) });

    expect(listing.devices.map((device) => device.name)).toEqual(['vjfile', 'default']);
    for (const device of listing.devices) {
      expect(device.hostApi).toBe('ALSA');
      expect(device.maxInputChannels).toBeGreaterThan(0);
      expect(device.defaultSampleRate).toBeGreaterThan(0);
      expect(device.isLoopback).toBe(false);
    }
    expect(listing.devices.map((device) => device.isDefault)).toEqual([false, true]);
    expect(listing.devices.map((device) => device.id)).toEqual([0, 1]);
    expect(listing.stderrLineCount).toBe(0);
  });

  test('rescan shows a device added to the configuration', async () => {
    const config = await writeAlsaConfig(dir, 'asound.conf', UNPACED_FILE_PCM, NULL_DEFAULT_PCM);
    const before = await listInputDevices({ env: alsaEnv(config) });
    await writeAlsaConfig(dir, 'asound.conf', UNPACED_FILE_PCM, EXTRA_PCM, NULL_DEFAULT_PCM);

    const after = await listInputDevices({ env: alsaEnv(config) });

    expect(before.devices.map((device) => device.name)).not.toContain('vjextra');
    expect(after.devices.map((device) => device.name)).toContain('vjextra');
  });

  test('rescan is current while a stream of the same process is open', async () => {
    const config = await writeAlsaConfig(dir, 'asound.conf', UNPACED_FILE_PCM, NULL_DEFAULT_PCM);
    const harness = new Harness({ ...alsaEnv(config), VJ_ALSA_INFILE: '/dev/zero' }, dir);
    try {
      harness.send({ cmd: 'start', options: { device: 'vjfile', sampleRate: 48_000 } });
      await harness.next('status', { predicate: (message) => message.status === 'open' });
      await writeAlsaConfig(dir, 'asound.conf', UNPACED_FILE_PCM, EXTRA_PCM, NULL_DEFAULT_PCM);

      harness.send({ cmd: 'list' });
      const listed = await harness.next('list');

      const names = (listed.devices as Array<{ name: string }>).map((device) => device.name);
      expect(names).toContain('vjextra');
      expect((await harness.stats()).status).toBe('open');
    } finally {
      await harness.close();
    }
  });

  test('stock configuration without a sound card gives one summary log line', async () => {
    const records: Array<{ fields: Record<string, unknown>; message: string }> = [];
    const log = {
      debug: (fields: Record<string, unknown>, message: string) => records.push({ fields, message }),
    };

    const listing = await listInputDevices({ env: alsaEnv('/usr/share/alsa/alsa.conf'), log });

    expect(listing.devices).toEqual([]);
    expect(listing.stderrLineCount).toBeGreaterThanOrEqual(20);
    expect(listing.stderrHead[0]).toMatch(/^ALSA lib /);
    expect(records).toHaveLength(1);
    expect(records[0]?.message).toBe('audio device scan stderr suppressed');
    expect(records[0]?.fields.lines).toBe(listing.stderrLineCount);
    const selection = selectDevice(listing.devices, null, undefined);
    expect(selection).toEqual({ device: undefined, by: 'none', reason: 'No audio input device was found' });
  });

  test('configuration without a usable PCM lists nothing', async () => {
    const config = await writeAlsaConfig(dir, 'asound.conf', 'pcm.!default { type hw card 0 }\n');

    const listing = await listInputDevices({ env: alsaEnv(config) });

    expect(listing.devices).toEqual([]);
    expect(selectDevice(listing.devices, 'vjfile', undefined).reason).toBe(
      'No input device name contains "vjfile"; no input device was found',
    );
  });

  test('configuration without any PCM rejects with VJ_AUDIO_DEVICE_LIST_FAILED', async () => {
    // PortAudio 19.6 asserts in BuildDeviceList and aborts when ALSA has no PCM at all.
    const config = await writeAlsaConfig(dir, 'asound.conf', '# no PCM\n');

    const failure = await rejection(listInputDevices({ env: alsaEnv(config) }));

    expect(isVjError(failure, 'VJ_AUDIO_DEVICE_LIST_FAILED')).toBe(true);
    expect((failure as Error).message).toContain('SIGABRT');
    expect((failure as Error).message).toContain('ALSA_CONFIG_PATH');
  });

  test('missing naudiodon rejects with VJ_AUDIO_DEVICE_NAUDIODON_MISSING', async () => {
    const failure = await rejection(listInputDevices({ naudiodonModule: 'naudiodon-that-is-not-installed' }));

    expect(isVjError(failure, 'VJ_AUDIO_DEVICE_NAUDIODON_MISSING')).toBe(true);
    expect((failure as Error).message).toContain('naudiodon-that-is-not-installed');
  });

  test('naudiodon whose binding fails to load rejects with VJ_AUDIO_DEVICE_NAUDIODON_MISSING', async () => {
    const brokenModule = join(dir, 'broken-naudiodon.js');
    await writeFile(brokenModule, "throw new Error('Could not locate the bindings file');\n");

    const failure = await rejection(listInputDevices({ naudiodonModule: brokenModule }));

    expect(isVjError(failure, 'VJ_AUDIO_DEVICE_NAUDIODON_MISSING')).toBe(true);
    expect((failure as Error).message).toContain('Could not locate the bindings file');
  });
});

describe('isLoopbackName', () => {
  test.each([
    ['BlackHole 2ch', true],
    ['Loopback Audio', true],
    ['CABLE Output (VB-Audio Virtual Cable)', true],
    ['VB-Cable', true],
    ['Soundflower (2ch)', true],
    ['Stereo Mix (Realtek Audio)', true],
    ['Monitor of Built-in Audio Analog Stereo', true],
    ['alsa_output.pci-0000_00_1f.3.analog-stereo.monitor', true],
    ['MacBook Pro Microphone', false],
    ['Scarlett 2i2 USB', false],
    ['default', false],
    ['Studio Monitor Mic', false],
  ])('%s is loopback: %s', (name, expected) => {
    expect(isLoopbackName(name)).toBe(expected);
  });
});
