import { Variant } from 'dbus-next';
import { toMicroseconds, toPlaybackStatus, toTrackMetadata } from '../../src/mpris/metadata';

describe('toTrackMetadata', () => {
  test('reads the MPRIS fields with their D-Bus types', () => {
    const metadata = {
      'mpris:trackid': new Variant('o', '/com/spotify/track/0DiWol3AO6WpXZgp0goxAV'),
      'mpris:length': new Variant('x', 320357000n),
      'mpris:artUrl': new Variant('s', 'https://i.scdn.co/image/abc'),
      'xesam:artist': new Variant('as', ['Daft Punk', 'Romanthony']),
      'xesam:title': new Variant('s', 'One More Time'),
      'xesam:album': new Variant('s', 'Discovery'),
      'xesam:url': new Variant('s', 'https://open.spotify.com/track/0DiWol3AO6WpXZgp0goxAV'),
    };

    expect(toTrackMetadata(metadata)).toEqual({
      trackId: '/com/spotify/track/0DiWol3AO6WpXZgp0goxAV',
      durationS: 320.357,
      artUrl: 'https://i.scdn.co/image/abc',
      artist: 'Daft Punk, Romanthony',
      title: 'One More Time',
      album: 'Discovery',
      url: 'https://open.spotify.com/track/0DiWol3AO6WpXZgp0goxAV',
    });
  });

  test('drops empty strings, empty artist lists, zero length and NoTrack', () => {
    const metadata = {
      'mpris:trackid': new Variant('o', '/org/mpris/MediaPlayer2/TrackList/NoTrack'),
      'mpris:length': new Variant('x', 0n),
      'xesam:artist': new Variant('as', ['', ' ']),
      'xesam:title': new Variant('s', ''),
      'xesam:album': new Variant('s', 'Random Access Memories'),
    };

    expect(toTrackMetadata(metadata)).toEqual({ album: 'Random Access Memories' });
  });

  test('metadata that is not a dictionary reads as no fields', () => {
    expect(toTrackMetadata(new Variant('s', 'nonsense'))).toEqual({});
    expect(toTrackMetadata(undefined)).toEqual({});
  });
});

describe('toPlaybackStatus', () => {
  test.each([
    ['Playing', 'playing'],
    ['Paused', 'paused'],
    ['Stopped', 'stopped'],
    ['Buffering', 'stopped'],
  ])('maps %s to %s', (mpris, expected) => {
    expect(toPlaybackStatus(new Variant('s', mpris))).toBe(expected);
  });
});

describe('toMicroseconds', () => {
  test('reads int64 BigInt and double values', () => {
    expect(toMicroseconds(new Variant('x', 12_000_000n))).toBe(12_000_000);
    expect(toMicroseconds(1.5e6)).toBe(1.5e6);
    expect(toMicroseconds('12')).toBeUndefined();
  });
});
