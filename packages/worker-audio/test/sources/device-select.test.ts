import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isVjError } from '@vj/bus';
import { makeTempDir, removeDir } from '@vj/test-support';
import type { InputDevice } from '../../src/sources/device-list';
import {
  DEVICE_CHOICE_FILE,
  loadDeviceChoice,
  saveDeviceChoice,
  selectDevice,
} from '../../src/sources/device-select';
import { Harness, NULL_DEFAULT_PCM, UNPACED_FILE_PCM, writeAlsaConfig } from '../fixtures/alsa/alsa-fixtures';

function inputDevice(id: number, name: string, fields: Partial<InputDevice> = {}): InputDevice {
  return {
    id,
    name,
    hostApi: 'Core Audio',
    maxInputChannels: 2,
    defaultSampleRate: 48_000,
    isDefault: false,
    isLoopback: false,
    ...fields,
  };
}

const MICROPHONE = inputDevice(0, 'MacBook Pro Microphone', { isDefault: true });
const INTERFACE = inputDevice(1, 'Scarlett 2i2 USB');
const BLACKHOLE = inputDevice(2, 'BlackHole 2ch', { isLoopback: true });
const DEVICES = [MICROPHONE, INTERFACE, BLACKHOLE];

describe('selectDevice', () => {
  test('exact name wins over a partial match', () => {
    const devices = [inputDevice(0, 'Scarlett 2i2 USB (2)'), INTERFACE];

    const selection = selectDevice(devices, 'Scarlett 2i2 USB', undefined);

    expect(selection.device).toBe(INTERFACE);
    expect(selection.by).toBe('name');
  });

  test('name part matches in any case', () => {
    const selection = selectDevice(DEVICES, 'scarlett', undefined);

    expect(selection.device).toBe(INTERFACE);
    expect(selection.reason).toBe(
      'Input device "Scarlett 2i2 USB" (Core Audio, device 1) matches "scarlett"',
    );
  });

  test('index selects by PortAudio id', () => {
    const selection = selectDevice(DEVICES, 2, undefined);

    expect(selection.device).toBe(BLACKHOLE);
    expect(selection.by).toBe('index');
  });

  test('unknown name selects none and lists the inputs', () => {
    const selection = selectDevice(DEVICES, 'Focusrite', BLACKHOLE);

    expect(selection.device).toBeUndefined();
    expect(selection.reason).toBe(
      'No input device name contains "Focusrite"; available inputs: "MacBook Pro Microphone", "Scarlett 2i2 USB", "BlackHole 2ch"',
    );
  });

  test('unknown index selects none', () => {
    expect(selectDevice(DEVICES, 7, undefined).by).toBe('none');
  });

  test('saved choice wins over loopback and default', () => {
    const selection = selectDevice(DEVICES, null, { hostApi: 'Core Audio', name: 'Scarlett 2i2 USB' });

    expect(selection.device).toBe(INTERFACE);
    expect(selection.by).toBe('saved');
  });

  test('saved choice on another host API is not taken', () => {
    const selection = selectDevice(DEVICES, null, { hostApi: 'ALSA', name: 'Scarlett 2i2 USB' });

    expect(selection.device).toBe(BLACKHOLE);
    expect(selection.reason).toBe(
      'Saved input device "Scarlett 2i2 USB" (ALSA) is not present; input device "BlackHole 2ch" (Core Audio, device 2) is a loopback device',
    );
  });

  test('loopback wins over the default input without a request', () => {
    expect(selectDevice(DEVICES, null, undefined).by).toBe('loopback');
  });

  test('default input is taken without a loopback device', () => {
    const selection = selectDevice([INTERFACE, MICROPHONE], null, undefined);

    expect(selection.device).toBe(MICROPHONE);
    expect(selection.by).toBe('default');
  });

  test('inputs without a default select none with a reason', () => {
    const selection = selectDevice([INTERFACE], null, undefined);

    expect(selection.device).toBeUndefined();
    expect(selection.reason).toBe('No default input device is set; available inputs: "Scarlett 2i2 USB"');
  });

  test('empty device list selects none', () => {
    expect(selectDevice([], null, undefined)).toEqual({
      device: undefined,
      by: 'none',
      reason: 'No audio input device was found',
    });
  });
});

describe('saved device choice', () => {
  let vjHome: string;

  beforeEach(async () => {
    vjHome = await makeTempDir('vj-device-choice-');
  });

  afterEach(async () => {
    await removeDir(vjHome);
  });

  test('save writes host_api and name and leaves no temporary file', async () => {
    const home = join(vjHome, 'created');

    await saveDeviceChoice(home, { hostApi: 'ALSA', name: 'vjfile' });

    const text = await readFile(join(home, DEVICE_CHOICE_FILE), 'utf8');
    expect(JSON.parse(text)).toEqual({ host_api: 'ALSA', name: 'vjfile' });
    expect(await readdir(home)).toEqual([DEVICE_CHOICE_FILE]);
    expect(await loadDeviceChoice(home)).toEqual({ choice: { hostApi: 'ALSA', name: 'vjfile' } });
  });

  test('load without a file returns nothing', async () => {
    expect(await loadDeviceChoice(vjHome)).toEqual({});
  });

  test.each([
    ['invalid JSON', '{"host_api": "ALSA",'],
    ['a missing name', '{"host_api": "ALSA"}'],
    ['null', 'null'],
  ])('load of %s returns VJ_AUDIO_DEVICE_CHOICE_INVALID', async (_case, text) => {
    await writeFile(join(vjHome, DEVICE_CHOICE_FILE), text);

    const loaded = await loadDeviceChoice(vjHome);

    expect(loaded.choice).toBeUndefined();
    expect(isVjError(loaded.error, 'VJ_AUDIO_DEVICE_CHOICE_INVALID')).toBe(true);
    expect(loaded.error?.message).toContain('select a device again or delete the file');
  });

  test('load of a folder in place of the file returns VJ_AUDIO_DEVICE_CHOICE_INVALID', async () => {
    await mkdir(join(vjHome, DEVICE_CHOICE_FILE));

    const loaded = await loadDeviceChoice(vjHome);

    expect(isVjError(loaded.error, 'VJ_AUDIO_DEVICE_CHOICE_INVALID')).toBe(true);
    expect(loaded.error?.message).toContain('could not be read');
  });

  test('save where VJ_HOME is a file rejects with VJ_AUDIO_DEVICE_CHOICE_WRITE_FAILED', async () => {
    // A read-only folder would not do: the tests run as root, which writes anyway.
    const notAFolder = join(vjHome, 'file');
    await writeFile(notAFolder, '');

    const failure = await saveDeviceChoice(notAFolder, { hostApi: 'ALSA', name: 'vjfile' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(isVjError(failure, 'VJ_AUDIO_DEVICE_CHOICE_WRITE_FAILED')).toBe(true);
    expect((failure as Error).message).toContain('check that VJ_HOME is a writable folder');
  });
});

describe('saved device choice across restarts', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await makeTempDir('vj-device-restart-');
  });

  afterEach(async () => {
    await removeDir(dir);
  });

  async function openedDevice(configPath: string, vjHome: string, device: string | null) {
    const env = {
      PATH: process.env.PATH,
      HOME: dir,
      ALSA_CONFIG_PATH: configPath,
      VJ_ALSA_INFILE: '/dev/zero',
    };
    const harness = new Harness(env, dir);
    try {
      harness.send({ cmd: 'start', options: { device, vjHome } });
      await harness.next('status', { predicate: (message) => message.status === 'open' });
      const stats = await harness.stats();
      return (stats.info as { device: { id: number; name: string; hostApi: string } }).device;
    } finally {
      await harness.close();
    }
  }

  test('device chosen by name is chosen again after its index changed', async () => {
    const vjHome = join(dir, 'home');
    const first = await writeAlsaConfig(dir, 'first.conf', UNPACED_FILE_PCM, NULL_DEFAULT_PCM);
    const loopbackFirst = 'pcm.Loopback { type null }\npcm.vjextra { type null }\n';
    const second = await writeAlsaConfig(
      dir,
      'second.conf',
      loopbackFirst,
      UNPACED_FILE_PCM,
      NULL_DEFAULT_PCM,
    );

    const chosen = await openedDevice(first, vjHome, 'vjfile');
    const afterRestart = await openedDevice(second, vjHome, null);
    const withoutSavedChoice = await openedDevice(second, join(dir, 'other-home'), null);

    expect(chosen).toEqual({ id: 0, name: 'vjfile', hostApi: 'ALSA' });
    expect(JSON.parse(await readFile(join(vjHome, DEVICE_CHOICE_FILE), 'utf8'))).toEqual({
      host_api: 'ALSA',
      name: 'vjfile',
    });
    expect(afterRestart).toEqual({ id: 2, name: 'vjfile', hostApi: 'ALSA' });
    expect(withoutSavedChoice.name).toBe('Loopback');
  });

  test('corrupt saved choice is reported and the source opens the default', async () => {
    const vjHome = join(dir, 'home');
    await mkdir(vjHome);
    await writeFile(join(vjHome, DEVICE_CHOICE_FILE), 'not json');
    const config = await writeAlsaConfig(dir, 'asound.conf', UNPACED_FILE_PCM, NULL_DEFAULT_PCM);
    const env = { PATH: process.env.PATH, HOME: dir, ALSA_CONFIG_PATH: config, VJ_ALSA_INFILE: '/dev/zero' };
    const harness = new Harness(env, dir);
    try {
      harness.send({ cmd: 'start', options: { vjHome } });
      const error = await harness.next('error');
      await harness.next('status', { predicate: (message) => message.status === 'open' });
      const stats = await harness.stats();

      expect(error.code).toBe('VJ_AUDIO_DEVICE_CHOICE_INVALID');
      expect((stats.info as { device: { name: string } }).device.name).toBe('default');
    } finally {
      await harness.close();
    }
  });
});
