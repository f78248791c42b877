import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SpotifyErrorCodes } from '../src/errors';

describe('SpotifyErrorCodes', () => {
  test('every error code is documented in the package README', () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `(VJ_[A-Z0-9_]+)` \|/gm)].map((match) => match[1]));
    const missing = Object.keys(SpotifyErrorCodes).filter((code) => !documented.has(code));
    expect(missing).toEqual([]);
  });

  test('every error code that the sources use is declared', () => {
    const sources = [
      'mpris/session-bus.ts',
      'mpris/mpris-backend.ts',
      'macos/osascript-backend.ts',
      'macos/osascript-output.ts',
      'osc/osc-output.ts',
    ];
    const used = new Set<string>();
    for (const source of sources) {
      const text = readFileSync(path.join(__dirname, '..', 'src', source), 'utf8');
      for (const match of text.matchAll(/'(VJ_SPOTIFY_[A-Z0-9_]+)'/g)) used.add(match[1] as string);
    }
    const undeclared = [...used].filter((code) => !(code in SpotifyErrorCodes));
    expect(used.size).toBeGreaterThan(0);
    expect(undeclared).toEqual([]);
  });
});
