import { accessSync, appendFileSync, constants, statSync } from 'node:fs';
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

  if (process.env.CI === 'true') {
    throw new Error(
      `${tool} is not installed, but CI=true requires every test to run; run ${INSTALL_SCRIPT} as root (Debian package ${apt})`,
    );
  }

  if (!reportedTools.has(tool)) {
    reportedTools.add(tool);
    const line = `skipped: ${tool} is not installed; run ${INSTALL_SCRIPT} as root or install ${apt}\n`;
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
