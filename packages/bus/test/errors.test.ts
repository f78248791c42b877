import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BusErrorCodes, isVjError, VjError } from '../src/errors';

describe('VjError', () => {
  test('keeps code, cause, short message and context fields', () => {
    const cause = new Error('EADDRINUSE');
    const error = new VjError('VJ_BUS_PORT_IN_USE', 'Port 5001 is in use; stop the other process', {
      cause,
      port: 5001,
      shortMessage: 'port in use',
    });
    expect(error.code).toBe('VJ_BUS_PORT_IN_USE');
    expect(error.cause).toBe(cause);
    expect(error.shortMessage).toBe('port in use');
    expect(error.fields).toEqual({ port: 5001 });
    expect(isVjError(error, 'VJ_BUS_PORT_IN_USE')).toBe(true);
    expect(isVjError(error, 'VJ_BUS_CLOSED')).toBe(false);
  });

  test('every error code is documented in the package README', () => {
    const readme = readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `(VJ_[A-Z0-9_]+)` \|/gm)].map((match) => match[1]));
    const missing = Object.keys(BusErrorCodes).filter((code) => !documented.has(code));
    expect(missing).toEqual([]);
  });
});
