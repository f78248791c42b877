/**
 * OSC output of the worker, received by a real UDP socket on loopback. The
 * player is the stand-in osascript, so the values sent are known exactly.
 */
import { join } from 'node:path';
import { isVjError, type VjError } from '@vj/bus';
import { makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { type OscReceiver, type ReceivedOsc, startOscReceiver } from '../helpers/osc-receiver';
import { type Harness, startWorker } from '../helpers/worker-harness';

const FAKE_BIN = join(__dirname, '..', 'fixtures', 'bin');

describe('OscOutput', () => {
  jest.setTimeout(60_000);

  let dir: string;
  const harnesses: Harness[] = [];
  const receivers: OscReceiver[] = [];

  beforeEach(async () => {
    dir = await makeTempDir('vj-spotify-osc-');
  });

  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.stop();
    for (const receiver of receivers.splice(0)) receiver.close();
    await removeDir(dir);
  });

  async function startWithOsc(fakeCase: string, macosPlayer: 'spotify' | 'music', oscEnabled: boolean) {
    const receiver = await startOscReceiver();
    receivers.push(receiver);
    const env = {
      PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`,
      VJ_FAKE_OSASCRIPT_LOG: join(dir, 'scripts.log'),
      VJ_FAKE_OSASCRIPT_SPOTIFY: fakeCase,
      VJ_FAKE_OSASCRIPT_MUSIC: fakeCase,
    };
    const harness = await startWorker({
      env,
      platform: 'darwin',
      config: {
        macos_player: macosPlayer,
        poll_interval_ms: 250,
        osc_enabled: oscEnabled,
        osc_targets: [receiver.target],
        osc_prefix: '/vj/now',
        osc_progress_hz: 10,
      },
    });
    harnesses.push(harness);
    return { harness, receiver };
  }

  function firstAt(receiver: OscReceiver, address: string): Promise<ReceivedOsc> {
    return waitFor(() => receiver.messages.find((message) => message.address === address), {
      timeoutMs: 15_000,
      message: `no OSC message arrived at ${address}`,
    }) as Promise<ReceivedOsc>;
  }

  test('track, state and progress arrive with their OSC types', async () => {
    const { receiver } = await startWithOsc('odd_characters', 'spotify', true);

    const track = await firstAt(receiver, '/vj/now/track');
    const state = await firstAt(receiver, '/vj/now/state');
    const progress = await firstAt(receiver, '/vj/now/progress');

    expect(track.typeTags).toBe('sss');
    expect(track.args).toEqual([
      'Sigur Rós & 坂本龍一',
      'Say "Hello" \\ Goodbye\nSecond line\ttab ✓ 🎛',
      'Ágætis byrjun — 日本語',
    ]);
    expect(state.typeTags).toBe('iff');
    expect(state.args[0]).toBe(1);
    expect(state.args[2]).toBe(245);
    expect(progress.typeTags).toBe('f');
    expect(progress.args[0] as number).toBeGreaterThanOrEqual(0);
    expect(progress.args[0] as number).toBeLessThanOrEqual(1);
  });

  test('integer-valued position and duration are still sent as floats', async () => {
    const { receiver } = await startWithOsc('track', 'music', true);

    const state = await firstAt(receiver, '/vj/now/state');

    expect(state.typeTags).toBe('iff');
    expect(state.args).toEqual([0, 12.5, 559]);
  });

  test('missing fields are sent as empty strings', async () => {
    const { receiver } = await startWithOsc('connect_only_album', 'spotify', true);

    const track = await firstAt(receiver, '/vj/now/track');

    expect(track.args).toEqual(['', '', 'Random Access Memories']);
  });

  test('output stays off by default and starts with set_config', async () => {
    const { harness, receiver } = await startWithOsc('track', 'spotify', false);
    await waitFor(() => harness.states.length > 0, { timeoutMs: 15_000, message: 'no state was published' });
    expect(receiver.messages).toEqual([]);

    await harness.bus.request('spotify_monitor', 'set_config', { osc_enabled: true, osc_prefix: '/np' });
    const track = await firstAt(receiver, '/np/track');

    expect(track.args).toEqual(['Daft Punk', 'One More Time', 'Discovery']);
  });

  test('invalid OSC settings are rejected by set_config', async () => {
    const { harness } = await startWithOsc('track', 'spotify', false);

    const rejections: unknown[] = [];
    for (const change of [
      { osc_targets: ['example.com:9000'] },
      { osc_targets: ['127.0.0.1:70000'] },
      { osc_prefix: 'spotify' },
      { osc_prefix: '/spot ify' },
      { osc_progress_hz: 0 },
      { backend: 'winamp' },
    ]) {
      try {
        await harness.bus.request('spotify_monitor', 'set_config', change);
      } catch (error) {
        rejections.push(error);
      }
    }

    expect(rejections).toHaveLength(6);
    for (const error of rejections) {
      expect(isVjError(error, 'VJ_BUS_COMMAND_FAILED')).toBe(true);
      expect((error as VjError).fields.remoteCode).toBe('VJ_BUS_CONFIG_REJECTED');
    }
    const state = (await harness.bus.request('spotify_monitor', 'get_state')) as {
      config: Record<string, unknown>;
    };
    expect(state.config).toMatchObject({ osc_prefix: '/vj/now', backend: 'auto', osc_progress_hz: 10 });
  });
});
