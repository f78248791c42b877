import { spawnSync } from 'node:child_process';
import { accessSync, appendFileSync, constants, existsSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const INSTALL_SCRIPT = 'scripts/install-test-tools.sh';

// Tools already reported as missing in this process, so each is reported once.
const reportedTools = new Set<string>();

/**
 * Checks that the executable `tool` is on PATH, for gating a `describe` block
 * on a system tool. `apt` is the Debian package that provides the tool and
 * defaults to the tool's name.
 *
 * Returns true when the tool is found. When it is missing and
 * `process.env.CI === 'true'`, throws an Error naming the tool and
 * scripts/install-test-tools.sh, because CI must run every test. When it is
 * missing elsewhere, writes one `skipped:` line to stderr (once per tool per
 * process) and returns false. When `VJ_TEST_SKIP_LOG` names a file, the line is
 * appended to it too: scripts/run-tests.mjs sets it and prints the lines with
 * the totals, because turbo hides the output of packages that pass.
 *
 * @example
 * const describeWithOsc = requireTool('oscsend', 'liblo-tools') ? describe : describe.skip;
 * describeWithOsc('OSC input from liblo', () => { ... });
 */
export function requireTool(tool: string, apt: string = tool): boolean {
  if (isOnPath(tool)) return true;
  return reportMissing(tool, apt);
}

/**
 * Checks that the Python interpreter of the tests (see testPython) can import
 * `module`, for gating tests that drive a Python client. Reports a missing
 * module like requireTool: a thrown Error under CI=true, else one `skipped:`
 * line and false.
 *
 * @example
 * const describeWithPyzmq = requirePythonModule('zmq', 'python3-zmq') ? describe : describe.skip;
 */
export function requirePythonModule(module: string, apt: string): boolean {
  const result = spawnSync(testPython(), ['-c', `import ${module}`], { stdio: 'ignore' });
  if (result.status === 0) return true;
  return reportMissing(`Python module ${module}`, apt);
}

/**
 * Returns the Python interpreter that tests run: VJ_TEST_PYTHON when set, else
 * Debian's /usr/bin/python3 (where apt installs python3-* modules) when it
 * exists, else python3 from PATH.
 */
export function testPython(): string {
  if (process.env.VJ_TEST_PYTHON) return process.env.VJ_TEST_PYTHON;
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

function reportMissing(what: string, apt: string): boolean {
  if (process.env.CI === 'true') {
    throw new Error(
      `${what} is not installed, but CI=true requires every test to run; run ${INSTALL_SCRIPT} as root (Debian package ${apt})`,
    );
  }

  if (!reportedTools.has(what)) {
    reportedTools.add(what);
    const line = `skipped: ${what} is not installed; run ${INSTALL_SCRIPT} as root or install ${apt}\n`;
    process.stderr.write(line);
    const skipLog = process.env.VJ_TEST_SKIP_LOG;
    if (skipLog) appendFileSync(skipLog, line);
  }
  return false;
}

function isOnPath(tool: string): boolean {
  if (tool.includes('/')) return isExecutableFile(tool);

  const directories = (process.env.PATH ?? '').split(delimiter).filter((directory) => directory !== '');
  return directories.some((directory) => isExecutableFile(join(directory, tool)));
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') return false;
    throw error;
  }
}
