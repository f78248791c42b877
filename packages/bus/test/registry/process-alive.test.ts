import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { waitFor } from '@vj/test-support';
import { isProcessAlive } from '../../src/registry/entry';

describe('isProcessAlive', () => {
  test('running process is alive', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
  });

  test('exited and reaped process is dead', async () => {
    const child = spawn('true');
    await once(child, 'exit');
    expect(isProcessAlive(child.pid as number)).toBe(false);
  });

  test('zombie process counts as dead', async () => {
    // The shell starts a short sleep in the background and replaces itself with a long one,
    // which never reaps the short one: after it exits, it stays a zombie until the long one ends.
    const parent = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const [chunk] = (await once(parent.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
      const zombie = Number(chunk.toString().trim());
      await waitFor(() => !isProcessAlive(zombie), { timeoutMs: 10_000, message: 'background sleep exited' });

      // Signal 0 still reaches the zombie, which is why its /proc state has to be read.
      expect(() => process.kill(zombie, 0)).not.toThrow();
      expect(isProcessAlive(zombie)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
  });
});
