import {
  OscCapturedEntryValidator,
  OscJsonArgValidator,
  OscMessagesValidator,
  OscStatsValidator,
} from '@vj/bus';
import {
  AddressStats,
  type CapturedEntry,
  decodePacket,
  encodeBundle,
  encodeMessage,
  type OscArg,
  timeTagFromUnixSeconds,
  toCapturedEntries,
} from '../src';

const ARRIVAL = {
  received_at: 1_796_000_000.25,
  source_address: '127.0.0.1',
  source_port: 50000,
  local_port: 9001,
};

// One argument of every type, with the values that JSON cannot carry directly.
const EVERY_TYPE: OscArg[] = [
  { type: 'i', value: -(2 ** 31) },
  { type: 'f', value: Number.NaN },
  { type: 'd', value: Number.NEGATIVE_INFINITY },
  { type: 's', value: 'grüße' },
  { type: 'S', value: 'sym' },
  { type: 'b', value: Uint8Array.from([0, 15, 255]) },
  { type: 'h', value: 2n ** 63n - 1n },
  { type: 't', value: timeTagFromUnixSeconds(1_796_000_000.5) },
  { type: 'c', value: 'A' },
  { type: 'r', value: { red: 255, green: 0, blue: 10, alpha: 128 } },
  { type: 'm', value: { port: 1, status: 0x90, data1: 60, data2: 100 } },
  { type: 'T', value: true },
  { type: 'F', value: false },
  { type: 'N', value: null },
  { type: 'I', value: Number.POSITIVE_INFINITY },
  {
    type: 'array',
    value: [
      { type: 's', value: 'in' },
      { type: 'array', value: [{ type: 'i', value: 2 }] },
    ],
  },
];

function capture(datagram: Buffer): CapturedEntry[] {
  return toCapturedEntries(decodePacket(datagram), ARRIVAL);
}

// Lists a compiled TypeBox validator's errors for `payload` as "path: message" lines.
function schemaErrors(
  validator: { Errors(value: unknown): Iterable<{ path: string; message: string }> },
  payload: unknown,
): string[] {
  return [...validator.Errors(payload)].map((error) => `${error.path}: ${error.message}`);
}

describe('OSC payload schemas of @vj/bus', () => {
  test('OscCapturedEntry accepts entries of every type', () => {
    const entries = [
      ...capture(encodeMessage('/every/type', EVERY_TYPE)),
      ...capture(
        encodeBundle(timeTagFromUnixSeconds(1_796_000_001), [
          encodeMessage('/in/bundle', [{ type: 'i', value: 1 }]),
        ]),
      ),
      ...capture(Buffer.from([0x2f, 0x61, 0x00])),
    ];

    expect(entries.map((entry) => entry.kind)).toEqual(['message', 'message', 'malformed']);
    for (const entry of entries) expect(schemaErrors(OscCapturedEntryValidator, entry)).toEqual([]);
  });

  test.each([
    ['i above int32', { type: 'i', value: 2 ** 31 }],
    ['h as a number', { type: 'h', value: 5 }],
    ['b with upper-case hex', { type: 'b', value: 'FF' }],
    ['b with an odd number of digits', { type: 'b', value: 'abc' }],
    ['f as an unknown string', { type: 'f', value: 'inf' }],
    ['I as a number', { type: 'I', value: Number.POSITIVE_INFINITY }],
    ['r with a channel above 255', { type: 'r', value: { red: 256, green: 0, blue: 0, alpha: 0 } }],
    ['t without unix_seconds', { type: 't', value: { seconds: 1, fraction: 0, immediately: false } }],
    ['unknown type tag', { type: 'x', value: 1 }],
    ['array of a bad argument', { type: 'array', value: [{ type: 'i', value: 'one' }] }],
  ])('OscJsonArg rejects %s', (_case, arg) => {
    expect(OscJsonArgValidator.Check(arg)).toBe(false);
  });

  test('OscMessages rejects more than 100 entries and a negative dropped count', () => {
    const entry = capture(encodeMessage('/a', [{ type: 'i', value: 1 }]))[0];
    const full = { messages: Array.from({ length: 100 }, () => entry), dropped: 7 };

    expect(schemaErrors(OscMessagesValidator, full)).toEqual([]);
    expect(OscMessagesValidator.Check({ ...full, messages: [...full.messages, entry] })).toBe(false);
    expect(OscMessagesValidator.Check({ ...full, dropped: -1 })).toBe(false);
    expect(OscMessagesValidator.Check({ messages: [{ ...entry, kind: 'note' }], dropped: 0 })).toBe(false);
  });

  test('OscStats accepts a statistics snapshot and rejects a missing forward count', () => {
    const stats = new AddressStats();
    stats.countPacket();
    for (const entry of capture(encodeMessage('/every/type', EVERY_TYPE))) stats.countEntry(entry);
    const payload = {
      ...stats.snapshot(ARRIVAL.received_at + 1),
      forwarded: { '127.0.0.1:9000': 1 },
      forward_errors: { '127.0.0.1:9000': 0 },
    };

    expect(schemaErrors(OscStatsValidator, payload)).toEqual([]);
    const { forward_errors: _omitted, ...withoutErrors } = payload;
    expect(OscStatsValidator.Check(withoutErrors)).toBe(false);
    expect(OscStatsValidator.Check({ ...payload, packets: 1.5 })).toBe(false);
  });
});
