import { readFileSync } from 'node:fs';
import { allocatePorts } from '@vj/test-support';
import { RECEIVE_BUFFER_BYTES, UdpPorts } from '../../src/capture/udp-ports';

describe('UdpPorts', () => {
  test('sockets get a large receive buffer', async () => {
    const [port] = (await allocatePorts(1)) as [number];
    const ports = new UdpPorts('127.0.0.1', () => {});
    try {
      expect(await ports.sync([port])).toEqual([]);
      const [status] = ports.statuses();
      // Linux doubles the requested size for its bookkeeping and caps the request at net.core.rmem_max.
      const cap = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
      const defaultSize = Number(readFileSync('/proc/sys/net/core/rmem_default', 'utf8'));
      expect(status).toMatchObject({ port, status: 'listening' });
      const size = (status as { receive_buffer_bytes: number }).receive_buffer_bytes;
      expect(size).toBeGreaterThanOrEqual(Math.min(RECEIVE_BUFFER_BYTES, cap));
      expect(size).toBeGreaterThan(defaultSize);
    } finally {
      ports.close();
    }
  });
});
