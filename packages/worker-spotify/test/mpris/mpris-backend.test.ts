/**
 * The MPRIS backend against real players: each test starts its own private
 * dbus-daemon and mpv with the mpv-mpris plugin, drives mpv through its IPC
 * socket or playerctl, and reads what the worker publishes on the bus.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir, requireTool, waitFor } from '@vj/test-support';
import type { PlayerListing } from '../../src/player-report';
import {
  isAlive,
  MPRIS_PLUGIN,
  MpvPlayer,
  makeTaggedTrack,
  playerctl,
  type SessionBus,
  startSessionBus,
  stopProcess,
} from '../helpers/mpris-session';
import { getNowPlaying, type Harness, startWorker, waitForState } from '../helpers/worker-harness';

async function listPlayers(harness: Harness): Promise<PlayerListing[]> {
  const result = (await harness.bus.request('spotify_monitor', 'list_players')) as {
    players: PlayerListing[];
  };
  return result.players;
}

function requirePlugin(): boolean {
  if (existsSync(MPRIS_PLUGIN)) return true;
  if (process.env.CI === 'true')
    throw new Error(`${MPRIS_PLUGIN} is missing, but CI=true requires every test to run; install mpv-mpris`);
  process.stderr.write(`skipped: ${MPRIS_PLUGIN} is missing; install mpv-mpris\n`);
  return false;
}

const toolsPresent =
  requireTool('dbus-daemon', 'dbus-daemon') &&
  requireTool('mpv') &&
  requireTool('playerctl') &&
  requireTool('sox') &&
  requirePlugin();
const describeWithMpris = toolsPresent ? describe : describe.skip;

const TRACK_A = {
  TITLE: 'Say "Hello" \\ Back — Ünïcødé 日本語 🎛',
  ARTIST: 'VJ Probe Band',
  ALBUM: 'Loopback Sessions',
};
const TRACK_B = { TITLE: 'Second Track', ARTIST: '', ALBUM: 'Only Album' };
const TRACK_C = { TITLE: 'Third Track', ARTIST: 'Other Player', ALBUM: 'Elsewhere' };

describeWithMpris('MprisBackend with mpv and mpv-mpris', () => {
  jest.setTimeout(90_000);

  let dir: string;
  let fileA: string;
  let fileB: string;
  let fileC: string;
  const daemons: number[] = [];
  const players: MpvPlayer[] = [];
  const harnesses: Harness[] = [];

  beforeAll(async () => {
    dir = await makeTempDir('vj-spotify-mpris-');
    fileA = join(dir, 'a.ogg');
    fileB = join(dir, 'b.ogg');
    fileC = join(dir, 'c.ogg');
    await Promise.all([
      makeTaggedTrack(fileA, TRACK_A, 30, 440),
      makeTaggedTrack(fileB, TRACK_B, 20, 330),
      makeTaggedTrack(fileC, TRACK_C, 25, 550),
    ]);
  });

  afterEach(async () => {
    for (const harness of harnesses.splice(0)) await harness.stop();
    for (const player of players.splice(0)) await player.stop();
    for (const pid of daemons.splice(0)) stopProcess(pid);
  });

  afterAll(async () => {
    await removeDir(dir);
  });

  async function newBus(socketName = `bus-${daemons.length}-${Date.now()}.sock`): Promise<SessionBus> {
    const bus = await startSessionBus(dir, socketName);
    daemons.push(bus.pid);
    return bus;
  }

  async function newPlayer(bus: SessionBus, files: string[], extraArgs: string[] = []): Promise<MpvPlayer> {
    const player = await MpvPlayer.start(bus, dir, files, extraArgs);
    players.push(player);
    return player;
  }

  async function newWorker(bus: SessionBus | undefined, env: NodeJS.ProcessEnv = {}): Promise<Harness> {
    const harness = await startWorker({
      env: bus === undefined ? env : { DBUS_SESSION_BUS_ADDRESS: bus.address },
      platform: 'linux',
      reconnectDelaysMs: [200, 400, 800],
    });
    harnesses.push(harness);
    return harness;
  }

  test('playing track is published with the same metadata that playerctl reads', async () => {
    const bus = await newBus();
    await newPlayer(bus, [fileA, fileB]);
    const harness = await newWorker(bus);

    const state = await waitForState(
      harness,
      (s) => s.title === TRACK_A.TITLE && s.status === 'playing',
      'first track was not published as playing',
    );

    expect(state.availability).toBe('ok');
    expect(state.backend).toBe('mpris');
    expect(state.player).toBe('mpv');
    expect(state.artist).toBe(TRACK_A.ARTIST);
    expect(state.album).toBe(TRACK_A.ALBUM);
    expect(state.duration_s).toBeCloseTo(30, 1);
    expect(state.track_id).toBe('/0');
    expect(state.missing).toEqual(['art_url']);
    const fromPlayerctl = await playerctl(bus, [
      'metadata',
      '--format',
      '{{artist}}\u001f{{title}}\u001f{{album}}\u001f{{mpris:trackid}}\u001f{{mpris:length}}\u001f{{status}}',
    ]);
    const [artist, title, album, trackId, lengthUs, status] = fromPlayerctl.split('\u001f');
    expect(artist).toBe(state.artist);
    expect(title).toBe(state.title);
    expect(album).toBe(state.album);
    // playerctl 2.4 prints an object path in GVariant text form, quoted.
    expect(trackId).toBe(`'${state.track_id}'`);
    expect(Number(lengthUs) / 1e6).toBeCloseTo(state.duration_s as number, 3);
    expect(status).toBe('Playing');
    const fromCommand = await getNowPlaying(harness);
    expect(fromCommand.title).toBe(TRACK_A.TITLE);
    expect(fromCommand.track_changes).toBe(state.track_changes);
    expect(harness.invalid).toEqual([]);
  });

  test('next track without artist is a track change that reports the artist missing', async () => {
    const bus = await newBus();
    const mpv = await newPlayer(bus, [fileA, fileB]);
    const harness = await newWorker(bus);
    const first = await waitForState(
      harness,
      (s) => s.title === TRACK_A.TITLE,
      'first track was not published',
    );

    const mark = harness.states.length;
    await mpv.command(['playlist-next']);
    const second = await waitForState(
      harness,
      (s) => s.title === TRACK_B.TITLE,
      'second track was not published',
      mark,
    );

    expect(second.track_id).toBe('/1');
    expect(second.artist).toBeNull();
    expect(second.album).toBe(TRACK_B.ALBUM);
    expect(second.missing).toContain('artist');
    expect(second.track_changes).toBe(first.track_changes + 1);
    expect(second.duration_s).toBeCloseTo(20, 1);
    expect(await playerctl(bus, ['metadata', '--format', '{{title}}|{{artist}}|{{mpris:trackid}}'])).toBe(
      `${TRACK_B.TITLE}||'/1'`,
    );
    const changedOnce = harness.states.slice(mark).filter((s) => s.track_changes > first.track_changes);
    expect(new Set(changedOnce.map((s) => s.track_changes))).toEqual(new Set([first.track_changes + 1]));
  });

  test('pause freezes the position and playerctl play resumes it', async () => {
    const bus = await newBus();
    const mpv = await newPlayer(bus, [fileA]);
    const harness = await newWorker(bus);
    await waitForState(
      harness,
      (s) => s.status === 'playing' && s.title === TRACK_A.TITLE,
      'track did not play',
    );

    let mark = harness.states.length;
    await mpv.command(['set_property', 'pause', true]);
    const paused = await waitForState(harness, (s) => s.status === 'paused', 'pause was not published', mark);

    expect(await playerctl(bus, ['status'])).toBe('Paused');
    const firstRead = await getNowPlaying(harness);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const secondRead = await getNowPlaying(harness);
    expect(firstRead.status).toBe('paused');
    expect(secondRead.position_s).toBe(firstRead.position_s);
    expect(paused.position_s).not.toBeNull();
    const mpvPosition = (await mpv.command(['get_property', 'time-pos'])) as number;
    expect(firstRead.position_s as number).toBeCloseTo(mpvPosition, 0);

    mark = harness.states.length;
    await playerctl(bus, ['play']);
    await waitForState(harness, (s) => s.status === 'playing', 'play from playerctl was not published', mark);
    expect(await mpv.command(['get_property', 'pause'])).toBe(false);
  });

  test('seek from playerctl arrives as the new position', async () => {
    const bus = await newBus();
    const mpv = await newPlayer(bus, [fileA]);
    const harness = await newWorker(bus);
    await waitForState(harness, (s) => s.title === TRACK_A.TITLE, 'track was not published');
    await mpv.command(['set_property', 'pause', true]);
    await waitForState(harness, (s) => s.status === 'paused', 'pause was not published');

    const mark = harness.states.length;
    await playerctl(bus, ['position', '20']);
    const seeked = await waitForState(
      harness,
      (s) => s.position_s !== null && Math.abs(s.position_s - 20) < 0.5,
      'seek to 20 s was not published',
      mark,
    );

    expect(seeked.status).toBe('paused');
    expect(Number(await playerctl(bus, ['position']))).toBeCloseTo(20, 0);
    expect((await getNowPlaying(harness)).position_s as number).toBeCloseTo(20, 0);
    expect(seeked.track_changes).toBe(harness.states[mark - 1]?.track_changes);
  });

  test('player quitting leaves no player', async () => {
    const bus = await newBus();
    const mpv = await newPlayer(bus, [fileA]);
    const harness = await newWorker(bus);
    await waitForState(harness, (s) => s.title === TRACK_A.TITLE, 'track was not published');

    const mark = harness.states.length;
    await mpv.stop();
    const gone = await waitForState(
      harness,
      (s) => s.availability === 'no_player',
      'no_player was not published',
      mark,
    );

    expect(gone.player).toBeNull();
    expect(gone.title).toBeNull();
    expect(gone.status).toBe('stopped');
    expect(gone.hint).toContain('No MPRIS player');
    expect(await playerctl(bus, ['-l'])).toBe('');
    expect(await listPlayers(harness)).toEqual([]);
  });

  test('second player is followed once it plays and the first one pauses', async () => {
    const bus = await newBus();
    const first = await newPlayer(bus, [fileA]);
    const harness = await newWorker(bus);
    await waitForState(harness, (s) => s.title === TRACK_A.TITLE, 'first player was not published');

    const second = await newPlayer(bus, [fileC], ['--pause']);
    await waitFor(async () => (await playerctl(bus, ['-l'])).split('\n').length === 2, {
      timeoutMs: 15_000,
      message: 'second player did not appear on the bus',
    });
    await waitFor(async () => (await listPlayers(harness)).length === 2, {
      timeoutMs: 15_000,
      message: 'worker did not list the second player',
    });
    expect((await getNowPlaying(harness)).title).toBe(TRACK_A.TITLE);

    const mark = harness.states.length;
    await first.command(['set_property', 'pause', true]);
    await second.command(['set_property', 'pause', false]);
    const switched = await waitForState(
      harness,
      (s) => s.title === TRACK_C.TITLE && s.status === 'playing',
      'second player was not followed',
      mark,
    );

    expect(switched.player).toBe(`mpv.instance${second.pid}`);
    expect(switched.artist).toBe(TRACK_C.ARTIST);
    const listed = await listPlayers(harness);
    expect(listed.filter((player) => player.selected).map((player) => player.name)).toEqual([
      switched.player,
    ]);

    const beforePreference = harness.states.length;
    await harness.bus.request('spotify_monitor', 'set_config', { mpris_player: 'mpv' });
    const preferred = await waitForState(
      harness,
      (s) => s.player === 'mpv' && s.title === TRACK_A.TITLE,
      'preferred player was not followed',
      beforePreference,
    );
    expect(preferred.status).toBe('paused');
  });

  test('missing bus socket retries with backoff', async () => {
    const harness = await newWorker(undefined, {
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(dir, 'missing.sock')}`,
    });

    // The first state goes out before the bus client is subscribed, so read it with get_state.
    const state = await getNowPlaying(harness);
    expect(state.availability).toBe('no_session_bus');
    expect(state.hint).toContain('DBUS_SESSION_BUS_ADDRESS');
    expect(state.hint).toContain('missing.sock');
    const health = await harness.bus.request('spotify_monitor', 'health_check');
    expect(health?.status).toBe('healthy');

    await waitFor(
      () => harness.logLines.filter((line) => line.msg === 'session bus reconnect scheduled').length >= 4,
      { timeoutMs: 20_000, message: 'reconnects were not logged' },
    );
    const retries = harness.logLines.filter((line) => line.msg === 'session bus reconnect scheduled');
    expect(retries.slice(0, 4).map((line) => line.attempt)).toEqual([1, 2, 3, 4]);
    expect(retries.slice(0, 4).map((line) => line.delayMs)).toEqual([200, 400, 800, 800]);
    const unavailable = harness.logLines.filter((line) => line.msg === 'player unavailable');
    expect(unavailable).toHaveLength(1);
    expect(unavailable[0]).toMatchObject({
      availability: 'no_session_bus',
      code: 'VJ_SPOTIFY_NO_SESSION_BUS',
      level: 40,
    });
  });

  test('unset session bus address is a state that names the variable', async () => {
    const harness = await newWorker(undefined, {});

    const state = await getNowPlaying(harness);

    expect(state.availability).toBe('no_session_bus');
    expect(state.hint).toContain('DBUS_SESSION_BUS_ADDRESS is not set');
    expect(harness.logLines.some((line) => line.msg === 'session bus reconnect scheduled')).toBe(false);
  });

  test('session bus going away is reported, and the worker reconnects when it returns', async () => {
    const socketName = 'returning-bus.sock';
    const bus = await newBus(socketName);
    await newPlayer(bus, [fileA]);
    const harness = await newWorker(bus);
    await waitForState(harness, (s) => s.title === TRACK_A.TITLE, 'track was not published');

    let mark = harness.states.length;
    for (const player of players.splice(0)) await player.stop();
    stopProcess(bus.pid);
    await waitFor(() => !isAlive(bus.pid), { timeoutMs: 10_000, message: 'dbus-daemon did not exit' });
    const lost = await waitForState(
      harness,
      (s) => s.availability === 'no_session_bus',
      'lost bus was not published',
      mark,
    );
    expect(lost.hint).toContain(socketName);

    mark = harness.states.length;
    const returned = await newBus(socketName);
    await newPlayer(returned, [fileB]);
    const back = await waitForState(
      harness,
      (s) => s.availability === 'ok' && s.title === TRACK_B.TITLE,
      'worker did not reconnect to the returned bus',
      mark,
    );
    expect(back.player).toBe('mpv');
  });
});
