import { spawn } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '@vj/test-support';
import { TelemetrySubscriber } from '../../src/transport/subscriber';

const FLOOD = 50_000;
const BLOCK_MS = 1500;

describe('slow subscriber', () => {
  test('slow subscriber loses frames instead of queueing the whole flood', async () => {
    const output: string[] = [];
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, '..', 'fixtures', 'flood-publisher.ts')],
      {
        cwd: path.join(__dirname, '..', '..'),
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));

    const subscriber = new TelemetrySubscriber({ receiveHighWaterMark: 100 });
    try {
      await waitFor(() => /endpoint (\S+)/.exec(output.join('')), {
        timeoutMs: 15000,
        message: 'publisher bound',
      });
      const endpoint = /endpoint (\S+)/.exec(output.join(''))?.[1] ?? '';
      let received = 0;
      subscriber.on('message', () => received++);
      subscriber.connect(endpoint);
      subscriber.subscribe('audio.');
      await waitFor(() => received > 0, { timeoutMs: 5000, message: 'the first frame' });

      // Block this process's event loop while the publisher floods: ZeroMQ's I/O thread
      // keeps running, but the queues between the two sockets are capped by the high-water marks.
      child.stdin.write(`flood ${FLOOD}\n`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, BLOCK_MS);
      const before = received;
      await waitFor(() => output.join('').includes(`published ${FLOOD}`), {
        timeoutMs: 10000,
        message: 'flood finished',
      });
      await new Promise((resolve) => setTimeout(resolve, 1000));

      const fromFlood = received - before;
      expect(fromFlood).toBeGreaterThan(0);
      // With unbounded queues every frame would arrive; the high-water marks and the
      // loopback socket buffers let only a part of them through.
      expect(fromFlood).toBeLessThan(FLOOD / 2);
      expect(subscriber.stats.invalid).toBe(0);
    } finally {
      subscriber.close();
      child.kill('SIGKILL');
    }
  });
});
