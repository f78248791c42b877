import type { VjError } from '@vj/bus';
import { compileAddressPattern, matchAddress } from '../../src/capture/glob';

describe('matchAddress', () => {
  const cases: Array<[string, string, boolean]> = [
    ['/audio/beat', '/audio/beat', true],
    ['/audio/beat', '/audio/bpm', false],
    ['/audio/b?at', '/audio/beat', true],
    ['/audio/b?at', '/audio/bat', false],
    ['/a?c', '/a/c', false],
    ['/audio/*', '/audio/levels', true],
    ['/audio/*', '/audio/', true],
    ['/audio/*', '/audio/levels/extra', false],
    ['/*/beat', '/audio/beat', true],
    ['/layer/[123]', '/layer/2', true],
    ['/layer/[123]', '/layer/4', false],
    ['/layer/[a-c]', '/layer/b', true],
    ['/layer/[a-c]', '/layer/d', false],
    ['/layer/[!a]', '/layer/b', true],
    ['/layer/[!a]', '/layer/a', false],
    ['/layer/[!a]x', '/layer//x', false],
    ['/layer/[-a]', '/layer/-', true],
    ['/{audio,video}/level', '/audio/level', true],
    ['/{audio,video}/level', '/video/level', true],
    ['/{audio,video}/level', '/light/level', false],
    ['/a.b', '/a.b', true],
    ['/a.b', '/axb', false],
    ['/x+(y)', '/x+(y)', true],
  ];

  test.each(cases)('pattern %s against %s is %s', (pattern, address, expected) => {
    expect(matchAddress(pattern, address)).toBe(expected);
  });

  const traversalCases: Array<[string, string, boolean]> = [
    ['//beat', '/beat', true],
    ['//beat', '/audio/beat', true],
    ['//beat', '/deck/1/audio/beat', true],
    ['//beat', '/audio/beats', false],
    ['//beat', '/audio/upbeat', false],
    ['/audio//level', '/audio/level', true],
    ['/audio//level', '/audio/band/3/level', true],
    ['/audio//level', '/video/band/level', false],
    ['/audio//*', '/audio/beat', true],
    ['/audio//*', '/audio/band/3/level', true],
    ['/audio//*', '/video/beat', false],
    ['//layer/[0-9]/opacity', '/deck/a/layer/7/opacity', true],
    ['//layer/[0-9]/opacity', '/deck/a/layer/x/opacity', false],
    ['//{beat,bpm}', '/audio/bpm', true],
    ['//a//b', '/a/b', true],
    ['//a//b', '/x/a/y/z/b', true],
    ['//a//b', '/x/b/y/a', false],
  ];

  test.each(traversalCases)('OSC 1.1 pattern %s against %s is %s', (pattern, address, expected) => {
    expect(matchAddress(pattern, address)).toBe(expected);
  });

  test('compiled pattern keeps its source and matches repeatedly', () => {
    const matcher = compileAddressPattern('/layer/[0-9]/{opacity,speed}');

    expect(matcher.pattern).toBe('/layer/[0-9]/{opacity,speed}');
    expect(matcher.test('/layer/1/opacity')).toBe(true);
    expect(matcher.test('/layer/7/speed')).toBe(true);
    expect(matcher.test('/layer/x/speed')).toBe(false);
  });

  test.each(['/layer/[12', '/{audio,video/level', '/[abc}'])(
    'pattern %s is rejected with VJ_OSC_INVALID_PATTERN',
    (pattern) => {
      let caught: VjError | undefined;
      try {
        compileAddressPattern(pattern);
      } catch (error) {
        caught = error as VjError;
      }

      expect(caught?.code).toBe('VJ_OSC_INVALID_PATTERN');
      expect(caught?.message).toContain(`"${pattern}"`);
      expect(caught?.fields.pattern).toBe(pattern);
    },
  );
});
