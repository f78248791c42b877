import { decodePacket, encodeBundle, encodeMessage, OSC_TIME_TAG_IMMEDIATELY } from '../../src';

// Builds a packet from latin1 text with NULs written as '\0', so each case shows its bytes.
function bytes(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

function int32(value: number): string {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer.toString('latin1');
}

describe('decodePacket of malformed packets', () => {
  const cases: Array<[string, Buffer, RegExp, number]> = [
    ['empty packet', Buffer.alloc(0), /^Packet at offset 0 is empty\.$/, 0],
    [
      'size not a multiple of 4',
      bytes('/abc\0\0\0\0,i\0'),
      /^Packet size 11 at offset 0 is not a multiple of 4 bytes\.$/,
      0,
    ],
    [
      'truncated string',
      bytes('/t/x\0\0\0\0,s\0\0abcd'),
      /^Argument 's' at offset 12 has no NUL terminator and is truncated at offset 16\.$/,
      12,
    ],
    [
      'truncated address',
      bytes('/abc'),
      /^Address at offset 0 has no NUL terminator and is truncated at offset 4\.$/,
      0,
    ],
    [
      'missing padding',
      bytes('/t/x\0\0\0\0,s\0\0abcd\0efg'),
      /^Argument 's' at offset 12 has bad padding: byte 17 is 0x65 instead of NUL\.$/,
      17,
    ],
    [
      'nonzero padding after the address',
      bytes('/t\0x,\0\0\0'),
      /^Address at offset 0 has bad padding: byte 3 is 0x78 instead of NUL\.$/,
      3,
    ],
    [
      'unknown type tag',
      bytes('/t/x\0\0\0\0,ix\0\0\0\0\0'),
      /^Type tag string has unknown type tag 'x' at offset 10\.$/,
      10,
    ],
    [
      'blob size beyond the end',
      bytes(`/b\0\0,b\0\0${int32(100)}abcd`),
      /^Argument 'b' size 100 at offset 8 exceeds the 4 bytes left in the packet\.$/,
      8,
    ],
    [
      'negative blob size',
      bytes(`/b\0\0,b\0\0${int32(-4)}`),
      /^Argument 'b' size -4 at offset 8 is negative\.$/,
      8,
    ],
    [
      'truncated int32',
      bytes('/t/x\0\0\0\0,ii\0\0\0\0\0'),
      /^Argument 'i' at offset 16 needs 4 bytes but is truncated at offset 16\.$/,
      16,
    ],
    [
      'address without a slash',
      bytes('abc\0,\0\0\0'),
      /^Address 'abc' at offset 0 does not start with '\/'\.$/,
      0,
    ],
    [
      'type tag string without a comma',
      bytes('/a\0\0i\0\0\0\0\0\0\0'),
      /^Type tag string 'i' at offset 4 does not start with ','\.$/,
      4,
    ],
    [
      'unbalanced open bracket',
      bytes('/a\0\0,[i\0\0\0\0\0'),
      /^Type tag string has unbalanced array brackets: 1 '\[' never closed\.$/,
      5,
    ],
    [
      'unbalanced close bracket',
      bytes('/a\0\0,i]\0\0\0\0\0'),
      /^Type tag string has unbalanced array brackets: '\]' at offset 6 closes no '\['\.$/,
      6,
    ],
    [
      'bytes after the last argument',
      bytes('/a\0\0,\0\0\0\0\0\0\0'),
      /^Message at offset 0 has 4 bytes after its last argument at offset 8\.$/,
      8,
    ],
    [
      '#bundle without time tag',
      bytes('#bundle\0'),
      /^Bundle time tag at offset 8 needs 4 bytes but is truncated at offset 8\.$/,
      8,
    ],
    [
      'bundle element size beyond the bundle',
      bytes(`#bundle\0\0\0\0\0\0\0\0\x01${int32(40)}/a\0\0,\0\0\0`),
      /^Bundle element size 40 at offset 16 exceeds the 8 bytes left in the bundle\.$/,
      16,
    ],
    [
      'bundle element of 0 bytes',
      bytes(`#bundle\0\0\0\0\0\0\0\0\x01${int32(0)}`),
      /^Packet at offset 20 is empty\.$/,
      20,
    ],
    [
      'bundle element size not a multiple of 4',
      bytes(`#bundle\0\0\0\0\0\0\0\0\x01${int32(6)}/a\0\0,\0\0\0`),
      /^Packet size 6 at offset 20 is not a multiple of 4 bytes\.$/,
      20,
    ],
  ];

  test.each(cases)('decodePacket reports %s', (_name, packet, reason, offset) => {
    const decoded = decodePacket(packet);

    expect(decoded.kind).toBe('malformed');
    if (decoded.kind !== 'malformed') return;
    expect(decoded.reason).toMatch(reason);
    expect(decoded.offset).toBe(offset);
    expect(decoded.hex).toBe(hexWords(packet));
  });

  test('decodePacket reports a malformed message inside a nested bundle at its absolute offset', () => {
    const bad = bytes('/a\0\0,q\0\0');
    const packet = encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [bad])]);
    const decoded = decodePacket(packet);

    expect(decoded).toMatchObject({
      kind: 'malformed',
      reason: "Type tag string has unknown type tag 'q' at offset 45.",
      offset: 45,
    });
  });

  test('decodePacket reports bundles nested 33 levels deep', () => {
    let packet = encodeMessage('/deep', []);
    for (let level = 0; level < 33; level++) packet = encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [packet]);

    expect(decodePacket(packet)).toMatchObject({
      kind: 'malformed',
      reason: expect.stringMatching(/nested deeper than 32 levels/),
    });
  });

  test('decodePacket bounds the hex dump to 256 bytes', () => {
    const packet = Buffer.alloc(400, 0x41);
    const decoded = decodePacket(packet);

    expect(decoded.kind).toBe('malformed');
    if (decoded.kind !== 'malformed') return;
    expect(decoded.hex.startsWith('41414141 41414141')).toBe(true);
    expect(decoded.hex.split(' ').filter((word) => word.length === 8)).toHaveLength(64);
    expect(decoded.hex.endsWith('(144 more bytes)')).toBe(true);
  });

  test('decodePacket reads 10 000 nested array brackets without a stack overflow', () => {
    const tags = `,${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const packet = Buffer.concat([bytes('/a\0\0'), bytes(tags), Buffer.alloc(4 - (tags.length % 4))]);

    expect(decodePacket(packet).kind).toBe('message');
  });
});

function hexWords(packet: Buffer): string {
  return (packet.toString('hex').match(/.{1,8}/g) ?? []).join(' ');
}
