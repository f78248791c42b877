/**
 * The osascript backend through the worker, with a stand-in osascript first
 * on PATH (test/fixtures/bin/osascript) that prints what the real one prints
 * for each case and records every script it is given.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NowPlaying } from '@vj/bus';
import { makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { getNowPlaying, type Harness, startWorker } from '../helpers/worker-harness';

const FAKE_BIN = join(__dirname, '..', 'fixtures', 'bin');

describe('OsascriptBackend with a stand-in osascript', () => {
  jest.setTimeout(60_000);

  let dir: string;
  const harnesses: Harness[] = [];

  beforeEach(async () => {
    dir = await makeTempDir('vj-spotify-osascript-');
  });

  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.stop();
    await removeDir(dir);
  });

  async function startWith(
    cases: { spotify?: string; music?: string },
    macosPlayer: 'auto' | 'spotify' | 'music' = 'auto',
  ): Promise<Harness> {
    const env: NodeJS.ProcessEnv = {
      PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`,
      VJ_FAKE_OSASCRIPT_LOG: join(dir, 'scripts.log'),
    };
    if (cases.spotify !== undefined) env.VJ_FAKE_OSASCRIPT_SPOTIFY = cases.spotify;
    if (cases.music !== undefined) env.VJ_FAKE_OSASCRIPT_MUSIC = cases.music;
    const harness = await startWorker({
      env,
      platform: 'darwin',
      config: { poll_interval_ms: 250, macos_player: macosPlayer },
    });
    harnesses.push(harness);
    return harness;
  }

  function recordedScripts(): string[] {
    return readFileSync(join(dir, 'scripts.log'), 'utf8')
      .split('\n\u001e\n')
      .filter((script) => script !== '');
  }

  async function stateWhere(
    harness: Harness,
    predicate: (state: NowPlaying) => boolean,
  ): Promise<NowPlaying> {
    return waitFor(
      async () => {
        const state = await getNowPlaying(harness);
        return predicate(state) ? state : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 100, message: 'expected state was not reached' },
    ) as Promise<NowPlaying>;
  }

  test('playing Spotify track is read with all fields', async () => {
    const harness = await startWith({ spotify: 'track' });

    const state = await stateWhere(harness, (s) => s.availability === 'ok');

    expect(state).toMatchObject({
      backend: 'osascript',
      player: 'Spotify',
      status: 'playing',
      artist: 'Daft Punk',
      title: 'One More Time',
      album: 'Discovery',
      duration_s: 320.357,
      track_id: 'spotify:track:0DiWol3AO6WpXZgp0goxAV',
      art_url: 'https://i.scdn.co/image/ab67616d0000b273b33d46dfa2635a47eebf63b2',
      missing: [],
    });
    expect(state.position_s as number).toBeGreaterThanOrEqual(61.25);
  });

  test('quotes, backslashes, newlines and non-Latin text survive unchanged', async () => {
    const harness = await startWith({ spotify: 'odd_characters' });

    const state = await stateWhere(harness, (s) => s.availability === 'ok');

    expect(state.artist).toBe('Sigur Rós & 坂本龍一');
    expect(state.title).toBe('Say "Hello" \\ Goodbye\nSecond line\ttab ✓ 🎛');
    expect(state.album).toBe('Ágætis byrjun — 日本語');
    expect(state.missing).toEqual(['art_url']);
  });

  test('track with only an album reports what is missing', async () => {
    const harness = await startWith({ spotify: 'connect_only_album' });

    const state = await stateWhere(harness, (s) => s.availability === 'ok');

    expect(state.artist).toBeNull();
    expect(state.title).toBeNull();
    expect(state.album).toBe('Random Access Memories');
    expect(state.track_id).toBe('spotify:track:2Foc5Q5nqNiosCNqttzHof');
    expect(state.missing).toEqual(['artist', 'title', 'duration_s', 'art_url']);
  });

  const states: Array<[string, string, Partial<NowPlaying>, string | null]> = [
    ['not running', 'not_running', { availability: 'not_running', status: 'stopped' }, 'not running'],
    ['quit between check and read', 'quit_during_read', { availability: 'not_running' }, 'not running'],
    ['not installed (compile time)', 'not_installed', { availability: 'not_installed' }, 'not installed'],
    [
      'not installed (run time)',
      'not_installed_at_run_time',
      { availability: 'not_installed' },
      'not installed',
    ],
    [
      'stopped with a track',
      'stopped_with_track',
      { availability: 'ok', status: 'stopped', title: 'One More Time' },
      null,
    ],
    [
      'without a track',
      'no_track',
      { availability: 'no_track', status: 'stopped', title: null },
      'no current track',
    ],
    [
      'not authorized',
      'not_authorized',
      { availability: 'not_authorized' },
      'Privacy & Security > Automation',
    ],
    ['timed out', 'timed_out', { availability: 'error' }, '-1712'],
    [
      'other AppleScript error',
      'connection_invalid',
      { availability: 'error' },
      'Connection is invalid. (-609)',
    ],
    ['printing something else', 'garbage', { availability: 'error' }, 'hello from another osascript'],
  ];

  test.each(states)('Spotify %s is its own state', async (_name, fakeCase, expected, hint) => {
    const harness = await startWith({ spotify: fakeCase }, 'spotify');

    const state = await stateWhere(harness, (s) => s.backend === 'osascript' && s.player === 'Spotify');

    expect(state).toMatchObject(expected);
    if (hint === null) expect(state.hint).toBeNull();
    else expect(state.hint).toContain(hint);
  });

  test('auto reads Music while Spotify is not running', async () => {
    const harness = await startWith({ spotify: 'not_running', music: 'track' });

    const state = await stateWhere(harness, (s) => s.availability === 'ok');

    expect(state).toMatchObject({
      player: 'Music',
      status: 'paused',
      artist: 'Nils Frahm',
      title: 'Says',
      duration_s: 559,
      position_s: 12.5,
      track_id: '6C3A1F0B9D2E4A71',
    });
  });

  test('script checks that the player runs before it addresses it', async () => {
    const harness = await startWith({ spotify: 'not_running', music: 'not_running' });
    await waitFor(() => recordedScripts().length >= 2, { timeoutMs: 15_000, message: 'no script was run' });
    await harness.stop();
    harnesses.splice(0);

    const scripts = recordedScripts();
    for (const app of ['Spotify', 'Music']) {
      const script = scripts.find((text) => text.includes(`application "${app}" is running`));
      expect(script).toBeDefined();
      const text = script as string;
      const check = text.indexOf(`if not (application "${app}" is running) then return`);
      const firstTell = text.indexOf(`tell application "${app}"`);
      const firstMention = text.indexOf(`application "${app}"`);
      expect(check).toBeGreaterThan(-1);
      expect(firstTell).toBeGreaterThan(check);
      expect(firstMention).toBe(check + 'if not ('.length);
      expect(text).not.toMatch(/\b(activate|launch|open|run application)\b/);
    }
  });

  test('player that stays away is logged once, not at every poll', async () => {
    const harness = await startWith({ spotify: 'not_authorized' }, 'spotify');

    await waitFor(() => recordedScripts().length >= 6, {
      timeoutMs: 20_000,
      message: 'fewer than 6 polls ran',
    });

    const availabilityLines = harness.logLines.filter(
      (line) => line.msg === 'player unavailable' || line.msg === 'player availability changed',
    );
    expect(availabilityLines).toHaveLength(1);
    expect(availabilityLines[0]).toMatchObject({
      level: 40,
      availability: 'not_authorized',
      code: 'VJ_SPOTIFY_NOT_AUTHORIZED',
    });
    expect(harness.logLines.filter((line) => (line.level as number) >= 50)).toEqual([]);
  });

  test('missing osascript is reported as not supported', async () => {
    const harness = await startWorker({
      env: { PATH: dir },
      platform: 'darwin',
      config: { poll_interval_ms: 250 },
    });
    harnesses.push(harness);

    const state = await getNowPlaying(harness);

    expect(state.availability).toBe('not_supported');
    expect(state.hint).toContain('osascript was not found');
  });
});
