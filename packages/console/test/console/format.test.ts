import { wrap } from '../../src/console/format';

describe('wrap', () => {
  test('breaks at spaces within the width', () => {
    expect(wrap('start a D-Bus session or set DBUS_SESSION_BUS_ADDRESS', 20)).toEqual([
      'start a D-Bus',
      'session or set',
      'DBUS_SESSION_BUS_AD…',
    ]);
  });

  test('keeps short text on one line', () => {
    expect(wrap('no player', 20)).toEqual(['no player']);
  });

  test('returns no line for empty text', () => {
    expect(wrap('  ', 20)).toEqual([]);
  });
});
