import { requireTool } from '../src';

// A name that no system has on its PATH.
const MISSING_TOOL = 'vj-test-support-no-such-tool';

describe('requireTool', () => {
  const savedCi = process.env.CI;
  let stderrWrite: jest.SpyInstance;

  beforeEach(() => {
    stderrWrite = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    stderrWrite.mockRestore();
    if (savedCi === undefined) delete process.env.CI;
    else process.env.CI = savedCi;
  });

  test('returns true for a tool on PATH', () => {
    process.env.CI = 'true';

    expect(requireTool('sh')).toBe(true);
    expect(stderrWrite).not.toHaveBeenCalled();
  });

  test('accepts a path to an executable', () => {
    expect(requireTool(process.execPath)).toBe(true);
  });

  test('returns false and reports a missing tool once outside CI', () => {
    delete process.env.CI;

    expect(requireTool(MISSING_TOOL, 'vj-test-package')).toBe(false);
    expect(requireTool(MISSING_TOOL, 'vj-test-package')).toBe(false);

    expect(stderrWrite).toHaveBeenCalledTimes(1);
    expect(stderrWrite).toHaveBeenCalledWith(
      `skipped: ${MISSING_TOOL} is not installed; run scripts/install-test-tools.sh as root or install vj-test-package\n`,
    );
  });

  test('names the tool as package when no package is given', () => {
    process.env.CI = 'false';

    expect(requireTool(`${MISSING_TOOL}-2`)).toBe(false);

    expect(stderrWrite).toHaveBeenCalledWith(expect.stringContaining(`or install ${MISSING_TOOL}-2\n`));
  });

  test('throws for a missing tool when CI is true', () => {
    process.env.CI = 'true';

    expect(() => requireTool(MISSING_TOOL, 'vj-test-package')).toThrow(
      `${MISSING_TOOL} is not installed, but CI=true requires every test to run; run scripts/install-test-tools.sh as root`,
    );
    expect(stderrWrite).not.toHaveBeenCalled();
  });
});
