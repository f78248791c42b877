import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir, requirePythonModule, requireTool } from '../src';

// A tool name that no PATH contains.
const MISSING_TOOL = 'vj-test-support-no-such-tool';

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}

describe('requireTool', () => {
  const savedCi = process.env.CI;
  // scripts/run-tests.mjs sets VJ_TEST_SKIP_LOG and prints the lines logged
  // there, so these tests unset it to keep their made-up tools out of that output.
  const savedSkipLog = process.env.VJ_TEST_SKIP_LOG;
  let stderrWrite: jest.SpyInstance;

  beforeEach(() => {
    delete process.env.VJ_TEST_SKIP_LOG;
    stderrWrite = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    stderrWrite.mockRestore();
    restoreEnv('CI', savedCi);
    restoreEnv('VJ_TEST_SKIP_LOG', savedSkipLog);
  });

  test('returns true for a tool on PATH', () => {
    process.env.CI = 'true';

    expect(requireTool('sh')).toBe(true);
    expect(stderrWrite).not.toHaveBeenCalled();
  });

  test('accepts a path to an executable', () => {
    expect(requireTool(process.execPath)).toBe(true);
  });

  test('reports a missing tool once outside CI', () => {
    delete process.env.CI;

    expect(requireTool(MISSING_TOOL, 'vj-test-package')).toBe(false);
    expect(requireTool(MISSING_TOOL, 'vj-test-package')).toBe(false);

    expect(stderrWrite).toHaveBeenCalledTimes(1);
    expect(stderrWrite).toHaveBeenCalledWith(
      `skipped: ${MISSING_TOOL} is not installed; run scripts/install-test-tools.sh as root or install vj-test-package\n`,
    );
  });

  test('defaults the package to the tool name', () => {
    process.env.CI = 'false';

    expect(requireTool(`${MISSING_TOOL}-2`)).toBe(false);

    expect(stderrWrite).toHaveBeenCalledWith(expect.stringContaining(`or install ${MISSING_TOOL}-2\n`));
  });

  test('appends the skip line to VJ_TEST_SKIP_LOG', async () => {
    delete process.env.CI;
    const directory = await makeTempDir('vj-tools-test-');
    const skipLog = join(directory, 'skips.log');
    process.env.VJ_TEST_SKIP_LOG = skipLog;
    try {
      requireTool(`${MISSING_TOOL}-3`, 'vj-test-package');

      expect(readFileSync(skipLog, 'utf8')).toBe(
        `skipped: ${MISSING_TOOL}-3 is not installed; run scripts/install-test-tools.sh as root or install vj-test-package\n`,
      );
    } finally {
      await removeDir(directory);
    }
  });

  test('throws for a missing tool when CI is true', () => {
    process.env.CI = 'true';

    expect(() => requireTool(MISSING_TOOL, 'vj-test-package')).toThrow(
      `${MISSING_TOOL} is not installed, but CI=true requires every test to run; run scripts/install-test-tools.sh as root`,
    );
    expect(stderrWrite).not.toHaveBeenCalled();
  });
});

describe('requirePythonModule', () => {
  const savedCi = process.env.CI;
  const savedSkipLog = process.env.VJ_TEST_SKIP_LOG;
  let stderrWrite: jest.SpyInstance;

  beforeEach(() => {
    delete process.env.VJ_TEST_SKIP_LOG;
    stderrWrite = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });

  afterEach(() => {
    stderrWrite.mockRestore();
    restoreEnv('CI', savedCi);
    restoreEnv('VJ_TEST_SKIP_LOG', savedSkipLog);
  });

  test('returns true for a standard library module', () => {
    process.env.CI = 'true';
    expect(requirePythonModule('json', 'python3')).toBe(true);
  });

  test('missing module is skipped with a line outside CI', () => {
    process.env.CI = 'false';
    expect(requirePythonModule('vj_no_such_module', 'python3-vj')).toBe(false);
    expect(stderrWrite).toHaveBeenCalledWith(
      'skipped: Python module vj_no_such_module is not installed; run scripts/install-test-tools.sh as root or install python3-vj\n',
    );
  });

  test('missing module throws under CI=true', () => {
    process.env.CI = 'true';
    expect(() => requirePythonModule('vj_no_such_module_ci', 'python3-vj')).toThrow(
      'Python module vj_no_such_module_ci is not installed, but CI=true requires every test to run',
    );
  });
});
