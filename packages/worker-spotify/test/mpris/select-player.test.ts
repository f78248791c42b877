import { type PlayerCandidate, selectPlayer } from '../../src/mpris/select-player';

const cases: Array<[string, PlayerCandidate[], string, string | undefined, string | undefined]> = [
  ['no players', [], 'spotify', undefined, undefined],
  [
    'preferred player although another plays',
    [
      { name: 'mpv', status: 'playing' },
      { name: 'spotify', status: 'paused' },
    ],
    'spotify',
    'mpv',
    'spotify',
  ],
  [
    'second instance of the preferred player',
    [
      { name: 'vlc', status: 'playing' },
      { name: 'spotify.instance42', status: 'stopped' },
    ],
    'spotify',
    undefined,
    'spotify.instance42',
  ],
  [
    'playing player over a paused current one',
    [
      { name: 'mpv', status: 'paused' },
      { name: 'vlc', status: 'playing' },
    ],
    'spotify',
    'mpv',
    'vlc',
  ],
  [
    'current player while it plays, although an earlier one plays too',
    [
      { name: 'mpv', status: 'playing' },
      { name: 'vlc', status: 'playing' },
    ],
    'spotify',
    'vlc',
    'vlc',
  ],
  [
    'current player when nothing plays',
    [
      { name: 'mpv', status: 'paused' },
      { name: 'vlc', status: 'stopped' },
    ],
    'spotify',
    'vlc',
    'vlc',
  ],
  [
    'first player when nothing plays and none was chosen',
    [
      { name: 'mpv', status: 'paused' },
      { name: 'vlc', status: 'stopped' },
    ],
    'spotify',
    undefined,
    'mpv',
  ],
  [
    'no preference when preferred is empty',
    [
      { name: 'spotify', status: 'paused' },
      { name: 'mpv', status: 'playing' },
    ],
    '',
    undefined,
    'mpv',
  ],
];

describe('selectPlayer', () => {
  test.each(cases)('chooses the %s', (_case, candidates, preferred, current, expected) => {
    expect(selectPlayer(candidates, preferred, current)).toBe(expected);
  });
});
