import { AddressStats } from '../../src/capture/address-stats';
import type { CapturedEntry } from '../../src/capture/entry';

const ARRIVAL = { source_address: '127.0.0.1', source_port: 40000, local_port: 9001 };

function message(address: string, receivedAt: number, value = 1): CapturedEntry {
  return {
    kind: 'message',
    address,
    type_tags: 'i',
    args: [{ type: 'i', value }],
    time_tag: null,
    received_at: receivedAt,
    ...ARRIVAL,
  };
}

function malformed(receivedAt: number): CapturedEntry {
  return {
    kind: 'malformed',
    reason: 'Packet is empty.',
    offset: 0,
    hex: '',
    received_at: receivedAt,
    ...ARRIVAL,
  };
}

describe('AddressStats', () => {
  test('stats count packets, bundles, messages and malformed packets', () => {
    const stats = new AddressStats();
    stats.countPacket();
    stats.countEntry(message('/a', 100));
    stats.countPacket();
    stats.countBundle();
    stats.countEntry(message('/a', 100.5));
    stats.countEntry(message('/b', 100.5));
    stats.countPacket();
    stats.countEntry(malformed(101));

    const snapshot = stats.snapshot(101);

    expect(snapshot).toMatchObject({ packets: 3, bundles: 1, messages: 3, malformed: 1 });
    expect(Object.keys(snapshot.addresses).sort()).toEqual(['/a', '/b']);
  });

  test('stats keep count, last arguments and first and last seen per address', () => {
    const stats = new AddressStats();
    stats.countEntry(message('/a', 100.25, 1));
    stats.countEntry(message('/a', 102.75, 2));

    const entry = stats.snapshot(103).addresses['/a'];

    expect(entry?.count).toBe(2);
    expect(entry?.last_args).toEqual([{ type: 'i', value: 2 }]);
    expect(entry?.first_seen).toBe(100.25);
    expect(entry?.last_seen).toBe(102.75);
  });

  test('stats rate covers the last 5 seconds only', () => {
    const stats = new AddressStats();
    for (let second = 100; second < 110; second++) {
      for (let i = 0; i < 4; i++) stats.countEntry(message('/a', second + i / 4));
    }

    expect(stats.snapshot(109.5).addresses['/a']?.rate_per_s).toBe(4);
    expect(stats.snapshot(111.5).addresses['/a']?.rate_per_s).toBeCloseTo((3 * 4) / 5);
    expect(stats.snapshot(120).addresses['/a']?.rate_per_s).toBe(0);
    expect(stats.snapshot(120).addresses['/a']?.count).toBe(40);
  });

  test('stats clear resets totals and addresses', () => {
    const stats = new AddressStats();
    stats.countPacket();
    stats.countEntry(message('/a', 100));
    stats.clear();

    expect(stats.snapshot(100)).toEqual({ packets: 0, messages: 0, bundles: 0, malformed: 0, addresses: {} });
  });
});
