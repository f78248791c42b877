import { decodePacket, encodeBundle, encodeMessage, OSC_TIME_TAG_IMMEDIATELY } from '../../src';

const RUNS = 20_000;

// Set VJ_FUZZ_SEED to replay a failure; every assertion message prints the seed.
const SEED = Number(process.env.VJ_FUZZ_SEED ?? Date.now() % 2 ** 32) >>> 0;

// xorshift32 (Marsaglia 2003): small, fast and reproducible from one seed.
function createRandom(seed: number): (limit: number) => number {
  let state = seed || 1;
  return (limit) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % limit;
  };
}

function validPackets(): Buffer[] {
  const message = encodeMessage('/fuzz/all', [
    { type: 'i', value: -7 },
    { type: 'f', value: 0.25 },
    { type: 's', value: 'abc' },
    { type: 'b', value: Buffer.from([1, 2, 3, 4, 5]) },
    { type: 'h', value: 1234567890123n },
    { type: 't', value: { seconds: 3_900_000_000, fraction: 5 } },
    { type: 'd', value: Math.PI },
    { type: 'S', value: 'sym' },
    { type: 'c', value: 'x' },
    { type: 'r', value: { red: 1, green: 2, blue: 3, alpha: 4 } },
    { type: 'm', value: { port: 0, status: 0x90, data1: 64, data2: 127 } },
    { type: 'T', value: true },
    { type: 'F', value: false },
    { type: 'N', value: null },
    { type: 'I', value: Number.POSITIVE_INFINITY },
    {
      type: 'array',
      value: [
        { type: 'i', value: 1 },
        { type: 'array', value: [{ type: 's', value: 'in' }] },
      ],
    },
  ]);
  const bundle = encodeBundle(OSC_TIME_TAG_IMMEDIATELY, [
    message,
    encodeBundle({ seconds: 1, fraction: 2 }, [
      encodeMessage('/inner', [{ type: 'b', value: Buffer.alloc(9) }]),
    ]),
  ]);
  return [message, bundle, encodeMessage('/', [])];
}

function describeFailure(kind: string, run: number, input: Buffer, detail: string): string {
  return `decodePacket failed on ${kind} input ${run} with VJ_FUZZ_SEED=${SEED} (${input.toString('hex')}): ${detail}`;
}

// Returns undefined when decodePacket returns one of the three kinds without throwing, else a failure message.
function checkDecode(kind: string, run: number, input: Buffer): string | undefined {
  try {
    const decoded = decodePacket(input);
    if (decoded.kind === 'message' || decoded.kind === 'bundle') return undefined;
    if (decoded.kind === 'malformed' && typeof decoded.reason === 'string' && decoded.reason.length > 0)
      return undefined;
    return describeFailure(kind, run, input, `returned ${JSON.stringify(decoded)}`);
  } catch (error) {
    return describeFailure(kind, run, input, `threw ${String(error)}`);
  }
}

describe('decodePacket under fuzzing', () => {
  test('decodePacket returns a result for random buffers', () => {
    const random = createRandom(SEED);
    const failures: string[] = [];

    for (let run = 0; run < RUNS; run++) {
      // Mostly sizes that are multiples of 4, which get past the first check.
      const size = random(4) === 0 ? random(64) : random(17) * 4;
      const input = Buffer.alloc(size);
      for (let index = 0; index < size; index++) input[index] = random(256);
      // Some start like a bundle or a message, so the fuzzing reaches deeper code.
      if (size >= 8 && random(3) === 0) input.write(random(2) === 0 ? '#bundle\0' : '/a\0\0,', 0, 'latin1');

      const failure = checkDecode('random', run, input);
      if (failure !== undefined) failures.push(failure);
    }

    expect(failures.slice(0, 3)).toEqual([]);
  });

  test('decodePacket returns a result for mutated valid packets', () => {
    const random = createRandom(SEED ^ 0x9e3779b9);
    const packets = validPackets();
    const failures: string[] = [];

    for (let run = 0; run < RUNS; run++) {
      const original = packets[random(packets.length)] ?? Buffer.alloc(0);
      const input = Buffer.from(original);
      const mutation = random(3);
      let mutated = input;
      if (mutation === 0) input[random(input.length)] = random(256);
      if (mutation === 1) mutated = input.subarray(0, random(input.length));
      if (mutation === 2) mutated = input.subarray(0, input.length - 4 * (1 + random(input.length / 4)));

      const failure = checkDecode(`mutation ${mutation}`, run, mutated);
      if (failure !== undefined) failures.push(failure);
    }

    expect(failures.slice(0, 3)).toEqual([]);
  });
});
