import { NowPlayingValidator } from '@vj/bus';
import { NowPlayingTracker } from '../src/now-playing-tracker';
import type { PlayerReport, TrackMetadata } from '../src/player-report';

function playing(metadata: TrackMetadata, positionS: number, observedAtMs: number): PlayerReport {
  return {
    availability: 'ok',
    hint: null,
    player: 'spotify',
    status: 'playing',
    metadata,
    positionS,
    observedAtMs,
    rate: 1,
  };
}

const fullTrack: TrackMetadata = {
  artist: 'Daft Punk',
  title: 'One More Time',
  album: 'Discovery',
  durationS: 320,
  trackId: '/com/spotify/track/0DiWol3AO6WpXZgp0goxAV',
  artUrl: 'https://i.scdn.co/image/abc',
};

describe('NowPlayingTracker', () => {
  test('first track counts as a track change', () => {
    const tracker = new NowPlayingTracker('mpris');
    const update = tracker.apply(playing(fullTrack, 10, 0));

    expect(update).toEqual({ changed: true, trackChanged: true });
    const state = tracker.snapshot(0);
    expect(NowPlayingValidator.Check(state)).toBe(true);
    expect(state).toMatchObject({
      title: 'One More Time',
      artist: 'Daft Punk',
      track_changes: 1,
      missing: [],
    });
  });

  test('empty fields of the same track id are neither a change nor invented', () => {
    const tracker = new NowPlayingTracker('mpris');
    tracker.apply(playing(fullTrack, 10, 0));

    const blanked = { trackId: fullTrack.trackId, album: 'Discovery' } as TrackMetadata;
    const update = tracker.apply(playing(blanked, 11, 1000));

    expect(update.trackChanged).toBe(false);
    expect(update.changed).toBe(false);
    const state = tracker.snapshot(1000);
    expect(state.title).toBe('One More Time');
    expect(state.track_changes).toBe(1);
  });

  test('new track id with only an album reports the other fields as missing', () => {
    const tracker = new NowPlayingTracker('mpris');
    tracker.apply(playing(fullTrack, 10, 0));

    const update = tracker.apply(
      playing({ trackId: '/com/spotify/track/other', album: 'Homework' }, 0, 1000),
    );

    expect(update.trackChanged).toBe(true);
    const state = tracker.snapshot(1000);
    expect(state.artist).toBeNull();
    expect(state.title).toBeNull();
    expect(state.album).toBe('Homework');
    expect(state.missing).toEqual(['artist', 'title', 'duration_s', 'art_url']);
    expect(state.track_changes).toBe(2);
  });

  test('fields filling in later keep the track and are published', () => {
    const tracker = new NowPlayingTracker('mpris');
    tracker.apply(playing({ trackId: '/t/1', album: 'Discovery' }, 0, 0));

    const update = tracker.apply(playing({ ...fullTrack, trackId: '/t/1' }, 1, 1000));

    expect(update).toEqual({ changed: true, trackChanged: false });
    expect(tracker.snapshot(1000).missing).toEqual([]);
  });

  test('same track id with another url is a new track', () => {
    const tracker = new NowPlayingTracker('mpris');
    tracker.apply(playing({ trackId: '/0', title: 'A', url: 'file:///a.ogg' }, 0, 0));

    const update = tracker.apply(playing({ trackId: '/0', title: 'B', url: 'file:///b.ogg' }, 0, 1000));

    expect(update.trackChanged).toBe(true);
    expect(tracker.snapshot(1000).title).toBe('B');
  });

  test('position is extrapolated while playing and frozen while paused', () => {
    const tracker = new NowPlayingTracker('mpris');
    tracker.apply(playing(fullTrack, 10, 0));
    expect(tracker.snapshot(2500).position_s).toBeCloseTo(12.5, 6);

    tracker.apply({ ...playing(fullTrack, 12.5, 2500), status: 'paused' });
    expect(tracker.snapshot(9000).position_s).toBeCloseTo(12.5, 6);
  });

  test('position never passes the duration', () => {
    const tracker = new NowPlayingTracker('mpris');
    tracker.apply(playing(fullTrack, 319, 0));

    expect(tracker.snapshot(10_000).position_s).toBe(320);
  });

  test('position that jumps from the extrapolation counts as a seek', () => {
    const tracker = new NowPlayingTracker('mpris');
    tracker.apply(playing(fullTrack, 10, 0));

    expect(tracker.apply(playing(fullTrack, 11, 1000)).changed).toBe(false);
    expect(tracker.apply(playing(fullTrack, 90, 2000))).toEqual({ changed: true, trackChanged: false });
  });

  test('unavailable player clears the track but keeps the change count', () => {
    const tracker = new NowPlayingTracker('mpris');
    tracker.apply(playing(fullTrack, 10, 0));

    const update = tracker.apply({
      ...playing({}, 0, 1000),
      availability: 'no_player',
      hint: 'No MPRIS player is on the session bus',
      player: null,
      status: 'stopped',
      positionS: null,
    });

    expect(update.changed).toBe(true);
    const state = tracker.snapshot(1000);
    expect(state).toMatchObject({ availability: 'no_player', title: null, track_id: null, missing: [] });
    expect(state.track_changes).toBe(1);
    expect(NowPlayingValidator.Check(state)).toBe(true);
  });
});

describe('NowPlayingTracker track identity', () => {
  test('title that changes under the same id and url is the same track', () => {
    const tracker = new NowPlayingTracker('mpris');
    tracker.apply(playing({ trackId: '/0', title: 'a.ogg', url: 'file:///a.ogg' }, 0, 0));

    const update = tracker.apply(
      playing({ trackId: '/0', title: 'Tagged Title', url: 'file:///a.ogg' }, 0, 100),
    );

    expect(update).toEqual({ changed: true, trackChanged: false });
    expect(tracker.snapshot(100).title).toBe('Tagged Title');
  });

  test('other title without any id or url is a new track', () => {
    const tracker = new NowPlayingTracker('osascript');
    tracker.apply(playing({ title: 'First', artist: 'A' }, 0, 0));

    expect(tracker.apply(playing({ title: 'Second', artist: 'A' }, 0, 100)).trackChanged).toBe(true);
    expect(tracker.apply(playing({ artist: 'A' }, 1, 1100)).trackChanged).toBe(false);
  });
});
