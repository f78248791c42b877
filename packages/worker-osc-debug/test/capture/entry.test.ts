import { type CapturedMalformed, toCapturedEntries } from '../../src/capture/entry';
import { decodePacket } from '../../src/osc/decode';
import { encodeBundle, encodeMessage } from '../../src/osc/encode';
import { timeTagFromUnixSeconds } from '../../src/osc/timetag';

const ARRIVAL = {
  received_at: 1_800_000_000.5,
  source_address: '127.0.0.1',
  source_port: 40000,
  local_port: 9001,
};

describe('toCapturedEntries', () => {
  test('entries carry JSON-safe values for bigint, blob and infinity', () => {
    const datagram = encodeMessage('/t', [
      { type: 'h', value: 9_007_199_254_740_993n },
      { type: 'b', value: Uint8Array.from([0xde, 0xad]) },
      { type: 'I', value: Number.POSITIVE_INFINITY },
      { type: 'f', value: Number.NEGATIVE_INFINITY },
    ]);

    const [entry] = toCapturedEntries(decodePacket(datagram), ARRIVAL);

    expect(entry).toMatchObject({
      kind: 'message',
      address: '/t',
      type_tags: 'hbIf',
      args: [
        { type: 'h', value: '9007199254740993' },
        { type: 'b', value: 'dead' },
        { type: 'I', value: 'Infinity' },
        { type: 'f', value: '-Infinity' },
      ],
    });
    expect(JSON.parse(JSON.stringify(entry))).toEqual(entry);
  });

  test('entries of a bundle share its time tag and count each bundle', () => {
    const inner = encodeBundle(timeTagFromUnixSeconds(1_800_000_001), [encodeMessage('/b', [])]);
    const outer = encodeBundle(timeTagFromUnixSeconds(1_800_000_000), [encodeMessage('/a', []), inner]);
    let bundles = 0;

    const entries = toCapturedEntries(decodePacket(outer), ARRIVAL, () => bundles++);

    expect(bundles).toBe(2);
    expect(entries.map((entry) => entry.kind === 'message' && entry.address)).toEqual(['/a', '/b']);
    expect(entries[0]).toMatchObject({ time_tag: 1_800_000_000, local_port: 9001 });
    expect(entries[1]).toMatchObject({ time_tag: 1_800_000_001 });
  });

  test('entry of a malformed packet keeps its reason and hex', () => {
    const [entry] = toCapturedEntries(decodePacket(Buffer.from([1, 2, 3])), ARRIVAL);

    expect(entry).toMatchObject({ kind: 'malformed', hex: '010203', source_port: 40000 });
    expect((entry as CapturedMalformed).reason).toContain('not a multiple of 4');
  });
});
