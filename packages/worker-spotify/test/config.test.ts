import { checkSpotifyConfig, parseOscTarget } from '../src/config';

describe('checkSpotifyConfig', () => {
  test.each([
    ['backend', 'mpris'],
    ['backend', 'osascript'],
    ['macos_player', 'music'],
    ['mpris_player', ''],
    ['mpris_player', 'vlc'],
    ['poll_interval_ms', 250],
    ['osc_progress_hz', 30],
    ['osc_targets', ['127.0.0.1:9000', 'localhost:9001']],
    ['osc_targets', []],
    ['osc_prefix', '/now/playing'],
  ])('accepts %s = %j', (key, value) => {
    expect(checkSpotifyConfig(key, value)).toBe(true);
  });

  test.each([
    ['backend', 'winamp', 'expected one of'],
    ['macos_player', 'itunes', 'expected one of'],
    ['mpris_player', 'org/mpris', 'player name'],
    ['poll_interval_ms', 100, 'from 250 to 10000 ms'],
    ['osc_progress_hz', 31, 'from 0.5 to 30 Hz'],
    ['osc_targets', '127.0.0.1:9000', 'list of'],
    ['osc_targets', ['127.0.0.1:9000', '127.0.0.1:9000'], 'distinct'],
    ['osc_targets', ['256.0.0.1:9000'], 'IPv4'],
    ['osc_prefix', '/spotify/', 'trailing'],
    ['osc_prefix', '/spot*', 'trailing'],
  ])('rejects %s = %j', (key, value, reason) => {
    expect(checkSpotifyConfig(key, value)).toContain(reason);
  });

  test('keys it does not check are left to the base class', () => {
    expect(checkSpotifyConfig('osc_enabled', 'yes')).toBeUndefined();
  });
});

describe('parseOscTarget', () => {
  test('splits host and port', () => {
    expect(parseOscTarget('127.0.0.1:9000')).toEqual({ host: '127.0.0.1', port: 9000 });
    expect(parseOscTarget('localhost:1')).toEqual({ host: 'localhost', port: 1 });
  });

  test('rejects hosts other than IPv4 and localhost, and bad ports', () => {
    expect(parseOscTarget('example.com:9000')).toBeUndefined();
    expect(parseOscTarget(':9000')).toBeUndefined();
    expect(parseOscTarget('127.0.0.1:0')).toBeUndefined();
    expect(parseOscTarget('127.0.0.1')).toBeUndefined();
  });
});
