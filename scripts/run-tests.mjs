// Runs the Jest suites of every package through turbo and prints the totals.
//
// Usage: node scripts/run-tests.mjs [turbo options], for example
// `pnpm test --filter @vj/bus`. Steps:
//   1. As root on Debian or Ubuntu, install the system tools that the tests
//      need with scripts/install-test-tools.sh, unless VJ_SKIP_TEST_TOOLS=1.
//   2. Delete the .jest-results.json files of earlier runs.
//   3. Run `turbo run test`, which prints the full output of failing packages only.
//   4. Read each package's .jest-results.json (written by `jest --json
//      --outputFile=.jest-results.json`), print one line per package and the
//      `skipped:` lines of missing tools, and end with the line
//      "N passed, N failed, N skipped".
// Exits with 1 when turbo failed, a test failed or no test ran.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';

const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const RESULT_FILE = '.jest-results.json';
const SUMMARY_DIR = join(ROOT, '.turbo', 'runs');
const KEPT_SUMMARIES = 10;

// Two packages at a time. On a 2-core machine Jest runs each package's suites
// in one process (maxWorkers is cores - 1), so two packages keep both cores
// busy: with three packages the whole run took 28 s there, against 31-33 s
// one package at a time.
// The port allocator of @vj/test-support keeps parallel packages from binding
// the same port.
// Loose env mode passes the whole environment (CI, TMPDIR, VJ_* and so on) to
// the tests. turbo's default strict mode would drop every variable that
// turbo.json does not list, and hashing the environment is pointless because
// the test task is never cached.
// An option given on the command line replaces the default of the same name.
const TURBO_DEFAULTS = {
  '--concurrency': '2',
  '--env-mode': 'loose',
  '--output-logs': 'errors-only',
  '--log-order': 'grouped',
  '--continue': 'always',
};

process.exitCode = main(process.argv.slice(2));

function main(turboArgs) {
  if (!installTestTools()) {
    return report([], { exitCode: 1, reason: 'no test ran because the tool install failed' });
  }

  removeStaleResults();
  const checks = runStaticChecks(turboArgs);

  const turbo = runTurbo(turboArgs);
  if (turbo.summary === undefined) {
    return report([], {
      exitCode: 1,
      reason: 'turbo wrote no run summary, so the tests that ran are unknown',
    });
  }

  const packages = turbo.summary.tasks
    .filter((task) => task.command !== '<NONEXISTENT>')
    .map((task) => readPackageResult(task));
  return report([...checks, ...packages], { exitCode: turbo.exitCode, skipLines: turbo.skipLines });
}

/**
 * Type-checks every package with tsc (Jest's @swc/jest only strips types) and
 * lints the tree with biome. Each check that fails counts as one failed test,
 * so the totals line shows it; a passing one counts nothing. Skipped when turbo options narrow the run.
 */
function runStaticChecks(turboArgs) {
  if (turboArgs.length > 0) return [];
  const bin = join(ROOT, 'node_modules', '.bin');
  const commands = [
    {
      name: 'typecheck (tsc)',
      file: join(bin, 'turbo'),
      args: ['run', 'typecheck', '--output-logs=errors-only'],
    },
    { name: 'lint (biome)', file: join(bin, 'biome'), args: ['check', '.'] },
  ];
  return commands.map(({ name, file, args }) => {
    const startedAt = Date.now();
    const result = spawnSync(file, args, {
      cwd: ROOT,
      stdio: 'inherit',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    });
    const ok = result.status === 0;
    return {
      name,
      isCheck: true,
      // A passing check adds nothing to the totals, so that a run with no Jest test still reads as such.
      passed: 0,
      failed: ok ? 0 : 1,
      skipped: 0,
      suites: 1,
      durationMs: Date.now() - startedAt,
      notes: ok ? [] : [`${name} failed; its output is above`],
    };
  });
}

function installTestTools() {
  const isDebian = existsSync('/etc/debian_version');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (process.env.VJ_SKIP_TEST_TOOLS === '1' || !isDebian || !isRoot) {
    console.log(
      'test tools: install step skipped (it runs only as root on Debian or Ubuntu without VJ_SKIP_TEST_TOOLS=1)',
    );
    return true;
  }

  const result = spawnSync('bash', [join(ROOT, 'scripts', 'install-test-tools.sh')], { stdio: 'inherit' });
  if (result.status === 0) return true;

  console.log(
    'test tools: scripts/install-test-tools.sh failed; fix the error above, or set VJ_SKIP_TEST_TOOLS=1 to skip the tests that need those tools',
  );
  return false;
}

function removeStaleResults() {
  for (const directory of packageDirectories()) {
    rmSync(join(directory, RESULT_FILE), { force: true });
  }
}

function packageDirectories() {
  const packagesDir = join(ROOT, 'packages');
  return readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => join(packagesDir, entry.name));
}

/**
 * Runs `turbo run test` with its output on this terminal. Returns turbo's exit
 * code, the run summary that `--summarize` wrote (task list, exit code and
 * times of each task), and the distinct `skipped:` lines that requireTool of
 * @vj/test-support logged. The summary is undefined when turbo wrote none.
 */
function runTurbo(extraArgs) {
  const turbo = join(ROOT, 'node_modules', '.bin', 'turbo');
  if (!existsSync(turbo)) {
    console.log(`turbo was not found at ${turbo}; run pnpm install first`);
    return { exitCode: 1, summary: undefined, skipLines: [] };
  }

  const defaults = Object.entries(TURBO_DEFAULTS)
    .filter(([name]) => !extraArgs.some((arg) => arg === name || arg.startsWith(`${name}=`)))
    .map(([name, value]) => `${name}=${value}`);
  const args = ['run', 'test', '--summarize', ...defaults, ...extraArgs];
  const summariesBefore = new Set(listSummaries());
  const skipLog = join(tmpdir(), `vj-test-skips-${process.pid}.log`);

  const result = spawnSync(turbo, args, {
    cwd: ROOT,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', VJ_TEST_SKIP_LOG: skipLog },
  });

  const newSummaries = listSummaries().filter((name) => !summariesBefore.has(name));
  const summary = newSummaries.length === 1 ? readSummary(newSummaries[0]) : undefined;
  const skipLines = readSkipLines(skipLog);
  // A signal leaves status null; count that as a failed run.
  return { exitCode: result.status ?? 1, summary, skipLines };
}

function readSkipLines(skipLog) {
  if (!existsSync(skipLog)) return [];
  const lines = readFileSync(skipLog, 'utf8').split('\n');
  rmSync(skipLog, { force: true });
  return [...new Set(lines.filter((line) => line !== ''))].sort();
}

function listSummaries() {
  if (!existsSync(SUMMARY_DIR)) return [];
  return readdirSync(SUMMARY_DIR).filter((name) => name.endsWith('.json'));
}

function readSummary(name) {
  const summary = JSON.parse(readFileSync(join(SUMMARY_DIR, name), 'utf8'));
  pruneSummaries();
  return summary;
}

// turbo writes one summary per run and never deletes them; keep the newest few.
function pruneSummaries() {
  const byAge = listSummaries()
    .map((name) => ({ path: join(SUMMARY_DIR, name), mtimeMs: statSync(join(SUMMARY_DIR, name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const { path } of byAge.slice(KEPT_SUMMARIES)) rmSync(path, { force: true });
}

/**
 * Reads the Jest results of one turbo task. The failed count is the number of
 * failed tests plus one for each suite that failed outside a test, such as a
 * syntax error or a throwing hook. A test script that failed, or wrote no
 * results, without a failed test counts as one failure, so that every failing
 * package adds to the total.
 */
function readPackageResult(task) {
  const directory = join(ROOT, task.directory);
  const exitCode = task.execution?.exitCode;
  const durationMs = task.execution ? task.execution.endTime - task.execution.startTime : undefined;
  const result = { name: task.package, passed: 0, failed: 0, skipped: 0, suites: 0, durationMs, notes: [] };

  const resultPath = join(directory, RESULT_FILE);
  if (!existsSync(resultPath)) {
    result.failed = 1;
    result.notes.push(describeMissingResults(task, exitCode));
    return result;
  }

  const jest = readJestResults(resultPath);
  if (jest === undefined) {
    result.failed = 1;
    result.notes.push(`${RESULT_FILE} is not valid JSON`);
    return result;
  }

  result.passed = jest.numPassedTests;
  result.skipped = jest.numPendingTests + (jest.numTodoTests ?? 0);
  result.suites = jest.numTotalTestSuites;
  result.failed = jest.numFailedTests;
  for (const suite of jest.testResults) {
    if (suite.status !== 'failed') continue;
    const failedTests = suite.assertionResults.filter((assertion) => assertion.status === 'failed').length;
    const file = relative(directory, suite.name);
    if (failedTests > 0) {
      result.notes.push(`FAIL ${file}: ${failedTests} failed`);
      continue;
    }
    result.failed += 1;
    result.notes.push(`FAIL ${file}: suite failed to run: ${firstLine(suite.message)}`);
  }

  if (result.failed === 0 && (exitCode !== 0 || jest.success === false)) {
    result.failed = 1;
    result.notes.push(`test script exited with code ${exitCode} although no test failed`);
  }
  return result;
}

function readJestResults(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function describeMissingResults(task, exitCode) {
  if (task.cache?.status === 'HIT') {
    return `turbo replayed a cached result, so ${RESULT_FILE} was not written; set "cache": false on the test task in turbo.json`;
  }
  if (exitCode === undefined) return 'test script did not run';
  return `test script exited with code ${exitCode} without writing ${RESULT_FILE}; see its output above`;
}

function firstLine(message) {
  // Jest's JSON keeps the terminal colour codes of the message, and starts a
  // suite error with a "Test suite failed to run" heading that adds nothing.
  const plain = stripVTControlCharacters(String(message ?? ''));
  const line = plain
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text !== '' && !text.endsWith('Test suite failed to run'));
  return line ?? 'no message';
}

/**
 * Prints one line per package, then the totals as the last line, and returns
 * the exit code: 1 when turbo failed, a test failed or no test ran. `reason`
 * explains a run that stopped before turbo reported its tasks.
 */
function report(packages, { exitCode, reason, skipLines = [] }) {
  const totals = { passed: 0, failed: 0, skipped: 0 };
  console.log('');
  for (const result of packages) {
    totals.passed += result.passed;
    totals.failed += result.failed;
    totals.skipped += result.skipped;
    const duration = result.durationMs === undefined ? '' : ` in ${(result.durationMs / 1000).toFixed(1)} s`;
    if (result.isCheck) {
      console.log(`${result.name}: ${result.failed === 0 ? 'ok' : 'failed'}`);
      for (const note of result.notes) console.log(`  ${note}`);
      continue;
    }
    console.log(
      `${result.name}: ${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped` +
        ` (${result.suites} suites${duration})`,
    );
    for (const note of result.notes) console.log(`  ${note}`);
  }

  for (const line of skipLines) console.log(line);

  const ran = totals.passed + totals.failed;
  if (reason !== undefined) console.log(reason);
  else if (packages.length === 0) console.log('no selected package has a test script');
  else if (ran === 0) console.log('no test ran');
  if (reason === undefined && exitCode !== 0) console.log(`turbo exited with code ${exitCode}`);

  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  return exitCode !== 0 || totals.failed > 0 || ran === 0 ? 1 : 0;
}
