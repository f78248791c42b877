import { type Dirent, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { AudioErrorCodes } from '../src/errors';

describe('AudioErrorCodes', () => {
  test('every code is documented in the README', () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `(VJ_[A-Z0-9_]+)` \|/gm)].map((match) => match[1]));
    const missing = Object.keys(AudioErrorCodes).filter((code) => !documented.has(code));
    expect(missing).toEqual([]);
  });

  test('every thrown code is defined', () => {
    const used = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true }) as Dirent[]) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts')) {
          for (const match of readFileSync(full, 'utf8').matchAll(/new VjError\(\s*'(VJ_AUDIO_[A-Z0-9_]+)'/g))
            used.add(match[1] as string);
        }
      }
    };
    walk(path.join(__dirname, '..', 'src'));
    const undefinedCodes = [...used].filter((code) => !(code in AudioErrorCodes));
    expect(undefinedCodes).toEqual([]);
  });
});
