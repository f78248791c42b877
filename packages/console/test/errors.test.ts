import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConsoleErrorCodes } from '../src/errors';

describe('ConsoleErrorCodes', () => {
  test('every error code is documented in the package README', () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `(VJ_[A-Z0-9_]+)` \|/gm)].map((match) => match[1]));
    const missing = Object.keys(ConsoleErrorCodes).filter((code) => !documented.has(code));
    expect(missing).toEqual([]);
  });
});
