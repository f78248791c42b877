import {
  type DecodedPacket,
  decodePacket,
  encodeBundle,
  encodeMessage,
  NTP_UNIX_OFFSET_SECONDS,
  OSC_TIME_TAG_IMMEDIATELY,
  type OscArg,
  OscErrorCodes,
  timeTagFromUnixSeconds,
} from '../../src';

function decodeMessage(buffer: Buffer) {
  const packet = decodePacket(buffer);
  if (packet.kind !== 'message') throw new Error(`expected a message, received ${JSON.stringify(packet)}`);
  return packet;
}

describe('encodeMessage and decodePacket', () => {
  const cases: Array<[string, OscArg, unknown]> = [
    ['i', { type: 'i', value: -2147483648 }, -2147483648],
    ['f', { type: 'f', value: 3.14 }, Math.fround(3.14)],
    ['s', { type: 's', value: 'hello wörld' }, 'hello wörld'],
    ['S', { type: 'S', value: 'sym' }, 'sym'],
    ['b', { type: 'b', value: Buffer.from([1, 2, 3, 4, 5]) }, Buffer.from([1, 2, 3, 4, 5])],
    ['h', { type: 'h', value: -9223372036854775808n }, -9223372036854775808n],
    ['d', { type: 'd', value: Math.E }, Math.E],
    ['c', { type: 'c', value: 'x' }, 'x'],
    [
      'r',
      { type: 'r', value: { red: 255, green: 128, blue: 0, alpha: 7 } },
      { red: 255, green: 128, blue: 0, alpha: 7 },
    ],
    [
      'm',
      { type: 'm', value: { port: 0, status: 0x90, data1: 64, data2: 127 } },
      { port: 0, status: 0x90, data1: 64, data2: 127 },
    ],
    ['T', { type: 'T', value: true }, true],
    ['F', { type: 'F', value: false }, false],
    ['N', { type: 'N', value: null }, null],
    ['I', { type: 'I', value: Number.POSITIVE_INFINITY }, Number.POSITIVE_INFINITY],
  ];

  test.each(cases)('type %s round-trips its value', (tag, arg, expected) => {
    const message = decodeMessage(encodeMessage('/t/x', [arg]));

    expect(message.address).toBe('/t/x');
    expect(message.typeTags).toBe(tag);
    expect(message.args).toHaveLength(1);
    expect(message.args[0]?.type).toBe(tag);
    expect(message.args[0]?.value).toEqual(expected);
  });

  test('type t round-trips seconds, fraction and Unix time', () => {
    const timeTag = timeTagFromUnixSeconds(1_700_000_000.5);
    const [arg] = decodeMessage(encodeMessage('/t', [{ type: 't', value: timeTag }])).args;

    expect(arg).toEqual({
      type: 't',
      value: {
        seconds: 1_700_000_000 + NTP_UNIX_OFFSET_SECONDS,
        fraction: 2 ** 31,
        unixSeconds: 1_700_000_000.5,
        immediately: false,
      },
    });
  });

  test('blob of every padding length round-trips', () => {
    for (let size = 0; size <= 8; size++) {
      const blob = Buffer.alloc(size, 0xab);
      const encoded = encodeMessage('/b', [{ type: 'b', value: blob }]);
      const [arg] = decodeMessage(encoded).args;

      expect(encoded.length % 4).toBe(0);
      expect(arg).toEqual({ type: 'b', value: blob });
    }
  });

  test('string of every padding length round-trips', () => {
    for (let length = 0; length <= 8; length++) {
      const text = 'a'.repeat(length);
      const [arg] = decodeMessage(encodeMessage(`/${text}`, [{ type: 's', value: text }])).args;

      expect(arg).toEqual({ type: 's', value: text });
    }
  });

  test('message with several types keeps their order', () => {
    const args: OscArg[] = [
      { type: 'i', value: 1 },
      { type: 's', value: 'two' },
      { type: 'd', value: 3.5 },
      { type: 'T', value: true },
      { type: 'h', value: 5n },
    ];
    const message = decodeMessage(encodeMessage('/mix', args));

    expect(message.typeTags).toBe('isdTh');
    expect(message.args).toEqual(args);
  });

  test('nested arrays round-trip', () => {
    const args: OscArg[] = [
      { type: 'i', value: 1 },
      {
        type: 'array',
        value: [
          { type: 's', value: 'a' },
          { type: 'array', value: [{ type: 'f', value: 0.5 }] },
          { type: 'array', value: [] },
        ],
      },
      { type: 'N', value: null },
    ];
    const message = decodeMessage(encodeMessage('/arrays', args));

    expect(message.typeTags).toBe('i[s[f][]]N');
    expect(message.args).toEqual(args);
  });

  test('message without arguments round-trips', () => {
    expect(decodeMessage(encodeMessage('/ping', []))).toEqual({
      kind: 'message',
      address: '/ping',
      typeTags: '',
      args: [],
    });
  });

  test('message without a type tag string decodes with no arguments', () => {
    expect(decodePacket(Buffer.from('/old\0\0\0\0', 'latin1'))).toEqual({
      kind: 'message',
      address: '/old',
      typeTags: '',
      args: [],
    });
  });
});

describe('encodeBundle and decodePacket', () => {
  test('nested bundles round-trip with their time tags', () => {
    const inner = encodeBundle({ seconds: 3_900_000_000, fraction: 123 }, [
      encodeMessage('/inner', [{ type: 'i', value: 2 }]),
    ]);
    const outer = encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [
      encodeMessage('/first', [{ type: 's', value: 'x' }]),
      inner,
    ]);

    const expected: DecodedPacket = {
      kind: 'bundle',
      timeTag: {
        seconds: 0,
        fraction: 1,
        unixSeconds: -NTP_UNIX_OFFSET_SECONDS + 2 ** -32,
        immediately: true,
      },
      elements: [
        { kind: 'message', address: '/first', typeTags: 's', args: [{ type: 's', value: 'x' }] },
        {
          kind: 'bundle',
          timeTag: {
            seconds: 3_900_000_000,
            fraction: 123,
            unixSeconds: 3_900_000_000 - NTP_UNIX_OFFSET_SECONDS + 123 / 2 ** 32,
            immediately: false,
          },
          elements: [{ kind: 'message', address: '/inner', typeTags: 'i', args: [{ type: 'i', value: 2 }] }],
        },
      ],
    };
    expect(decodePacket(outer)).toEqual(expected);
  });

  test('time tag immediately decodes with its flag set', () => {
    const packet = decodePacket(encodeBundle(OSC_TIME_TAG_IMMEDIATELY, []));

    expect(packet.kind).toBe('bundle');
    if (packet.kind !== 'bundle') return;
    expect(packet.timeTag.immediately).toBe(true);
    expect(packet.elements).toEqual([]);
  });
});

describe('encodeMessage', () => {
  const invalid: Array<[string, OscArg]> = [
    ['i outside int32', { type: 'i', value: 2 ** 31 }],
    ['i with a fraction', { type: 'i', value: 1.5 }],
    ['s with NUL', { type: 's', value: 'a\0b' }],
    ['h outside int64', { type: 'h', value: 2n ** 63n }],
    ['c outside ASCII', { type: 'c', value: 'é' }],
    ['c of two characters', { type: 'c', value: 'ab' }],
    ['r channel above 255', { type: 'r', value: { red: 256, green: 0, blue: 0, alpha: 0 } }],
    ['t with negative seconds', { type: 't', value: { seconds: -1, fraction: 0 } }],
    ['t from 2036-02-07 on', { type: 't', value: timeTagFromUnixSeconds(2 ** 32 - NTP_UNIX_OFFSET_SECONDS) }],
    ['array with an invalid element', { type: 'array', value: [{ type: 'i', value: Number.NaN }] }],
    ['unknown type', { type: 'x', value: 1 } as unknown as OscArg],
  ];

  test.each(invalid)('encodeMessage rejects %s with VJ_OSC_INVALID_ARGUMENT', (_name, arg) => {
    expect(() => encodeMessage('/bad', [arg])).toThrow(
      expect.objectContaining({ code: OscErrorCodes.VJ_OSC_INVALID_ARGUMENT }),
    );
  });

  test('encodeMessage rejects an address without a slash', () => {
    expect(() => encodeMessage('bad', [])).toThrow(
      expect.objectContaining({ code: OscErrorCodes.VJ_OSC_INVALID_ADDRESS }),
    );
  });

  test('encodeBundle rejects an element of 3 bytes', () => {
    expect(() => encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [Buffer.alloc(3)])).toThrow(
      expect.objectContaining({ code: OscErrorCodes.VJ_OSC_INVALID_BUNDLE_ELEMENT }),
    );
  });
});
