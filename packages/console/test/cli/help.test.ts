import { makeTempDir, removeDir } from '@vj/test-support';
import { runVj } from './fixtures/vj';

describe('vj help and usage errors', () => {
  let vjHome: string;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-help-');
  });
  afterAll(() => removeDir(vjHome));

  const commands = ['status', 'send', 'tail', 'devices', 'start', 'stop', 'restart', 'console'];

  test.each(commands)('%s --help names the unit of every option', async (command) => {
    const run = await runVj(vjHome, [command, '--help']);

    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`Usage: vj ${command}`);
    expect(run.stdout).toMatch(/--timeout <ms>\s+time to wait for each reply of a worker, in\s+milliseconds/);
    expect(run.stdout).toMatch(/--vj-home <dir>\s+folder of registry\.json/);
  });

  test('tail --help gives the unit of timestamp and --count', async () => {
    const run = await runVj(vjHome, ['tail', '--help']);

    expect(run.stdout).toMatch(/--count <n>\s+stop after n messages/);
    expect(run.stdout).toContain('timestamp is Unix time in seconds');
  });

  test('devices --help gives the rate unit and its own timeout', async () => {
    const run = await runVj(vjHome, ['devices', '--help']);

    expect(run.stdout).toContain('the request timeout is 10000 ms unless --timeout sets it');
    expect(run.stdout).toContain("DEFAULT RATE is the device's default sample rate in Hz");
  });

  test('status --help defines healthy and the --check exit code', async () => {
    const run = await runVj(vjHome, ['status', '--help']);

    expect(run.stdout).toMatch(/--check\s+exit with code 3/);
    expect(run.stdout).toContain('fresh (under 15 s old)');
  });

  test('vj --help lists every command and exits 0', async () => {
    const run = await runVj(vjHome, ['--help']);

    expect(run.code).toBe(0);
    for (const command of commands) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  test('vj without a command prints help and exits 2', async () => {
    const run = await runVj(vjHome, []);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('Usage: vj [options] [command]');
  });

  test('unknown command exits 2', async () => {
    const run = await runVj(vjHome, ['stauts']);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: unknown command 'stauts'");
    expect(run.stderr).toContain('(Did you mean status?)');
  });
});
