import { makeTempDir, removeDir } from '@vj/test-support';
import { runVj } from './fixtures/vj';

describe('vj console', () => {
  let vjHome: string;

  beforeAll(async () => {
    vjHome = await makeTempDir('vj-cli-console-');
  });
  afterAll(() => removeDir(vjHome));

  test('console without a terminal exits 2 with a message', async () => {
    // execFile gives the child pipes, not a terminal, so the console does not open.
    const run = await runVj(vjHome, ['console']);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toContain('VJ_CLI_CONSOLE_UNAVAILABLE');
    expect(run.stderr).toContain('interactive terminal');
  });
});
