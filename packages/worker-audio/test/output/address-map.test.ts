import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isVjError } from '@vj/bus';
import { makeTempDir, removeDir } from '@vj/test-support';
import { applyAddressMap, loadAddressMap, parseAddressMap } from '../../src/output/address-map';
import { frameMessages, OscAddresses } from '../../src/output/osc-messages';
import { sampleFrame } from './fixtures';

function expectInvalid(json: unknown, fragment: string): void {
  let caught: unknown;
  try {
    parseAddressMap(json, 'map.json');
  } catch (error) {
    caught = error;
  }
  expect(isVjError(caught, 'VJ_AUDIO_ADDRESS_MAP_INVALID')).toBe(true);
  expect((caught as Error).message).toContain(fragment);
}

describe('frameMessages', () => {
  test('builds every address with its type tags', () => {
    const messages = frameMessages(sampleFrame());
    const byAddress = new Map(
      messages.map((message) => [message.address, message.args.map((arg) => arg.type).join('')]),
    );
    expect(byAddress.get(OscAddresses.levels)).toBe('f'.repeat(8));
    expect(byAddress.get(OscAddresses.spectrum)).toBe('f'.repeat(32));
    expect(byAddress.get(OscAddresses.beat)).toBe('if');
    expect(byAddress.get(OscAddresses.bpm)).toBe('ff');
    expect(byAddress.get(OscAddresses.pitch)).toBe('ff');
    expect(byAddress.get(OscAddresses.structure)).toBe('iiff');
    expect(byAddress.get(OscAddresses.hits)).toBe('f'.repeat(7));
    expect(byAddress.get(OscAddresses.presence)).toBe('f'.repeat(7));
    expect(byAddress.get(OscAddresses.loudness)).toBe('ff');
    expect(byAddress.get(OscAddresses.onset)).toBe('if');
    expect(byAddress.get(OscAddresses.beatPhase)).toBe('f');
    expect(byAddress.get(OscAddresses.bar)).toBe('ii');
    expect(byAddress.get(OscAddresses.bpmAlt)).toBe('ff');
    expect(messages).toHaveLength(Object.keys(OscAddresses).length);
  });

  test('puts RMS after the seven bands', () => {
    const levels = frameMessages(sampleFrame()).find((message) => message.address === OscAddresses.levels);
    expect(levels?.args.map((arg) => arg.value)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]);
  });
});

describe('parseAddressMap', () => {
  test('renames, drops and rescales', () => {
    const map = parseAddressMap(
      {
        '/audio/levels': { address: '/layer1/levels', scale: { to: [0, 127] } },
        '/audio/spectrum': false,
        '/audio/bpm': { address: '/tempo' },
      },
      'map.json',
    );
    const mapped = applyAddressMap(frameMessages(sampleFrame()), map, '/vj');

    expect(mapped.map((message) => message.address)).not.toContain('/vj/audio/spectrum');
    const levels = mapped.find((message) => message.address === '/vj/layer1/levels');
    expect(levels?.args.map((arg) => arg.value)).toEqual(
      [12.7, 25.4, 38.1, 50.8, 63.5, 76.2, 88.9, 101.6].map((value) => expect.closeTo(value, 6)),
    );
    expect(mapped.find((message) => message.address === '/vj/tempo')?.args.map((arg) => arg.value)).toEqual([
      128, 0.9,
    ]);
    expect(mapped.find((message) => message.address === '/vj/audio/pitch')).toBeDefined();
  });

  test('rescales floats only', () => {
    const map = parseAddressMap({ '/audio/beat': { scale: { from: [0, 1], to: [0, 10] } } }, 'map.json');
    const beat = applyAddressMap(frameMessages(sampleFrame()), map, '').find(
      (message) => message.address === '/audio/beat',
    );
    expect(beat?.args).toEqual([
      { type: 'i', value: 1 },
      { type: 'f', value: 2.5 },
    ]);
  });

  test('rejects unknown addresses', () =>
    expectInvalid({ '/audio/nope': false }, 'unknown address "/audio/nope"'));
  test('rejects a non-object map', () => expectInvalid([1, 2], 'expected a JSON object'));
  test('rejects a bad rule', () => expectInvalid({ '/audio/bpm': 'x' }, '"/audio/bpm" must be false'));
  test('rejects unknown rule fields', () =>
    expectInvalid({ '/audio/bpm': { rename: '/x' } }, 'unknown fields rename'));
  test('rejects an address without slash', () =>
    expectInvalid({ '/audio/bpm': { address: 'tempo' } }, 'must be an OSC address'));
  test('rejects a bad scale range', () =>
    expectInvalid({ '/audio/bpm': { scale: { to: [0] } } }, 'scale.to must be two finite numbers'));
  test('rejects an empty source range', () =>
    expectInvalid(
      { '/audio/bpm': { scale: { from: [1, 1], to: [0, 1] } } },
      'scale.from must be two different numbers',
    ));
});

describe('loadAddressMap', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeTempDir('vj-address-map-');
  });
  afterAll(() => removeDir(dir));

  test('reads a map file', () => {
    const file = path.join(dir, 'good.json');
    writeFileSync(file, JSON.stringify({ '/audio/pitch': false }));
    expect(loadAddressMap(file).get('/audio/pitch')).toBe(false);
  });

  test('names a missing file', () => {
    const file = path.join(dir, 'missing.json');
    expect(() => loadAddressMap(file)).toThrow(
      expect.objectContaining({
        code: 'VJ_AUDIO_ADDRESS_MAP_UNREADABLE',
        message: expect.stringContaining(file),
      }),
    );
  });

  test('names a file that is not JSON', () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ "/audio/pitch": ');
    expect(() => loadAddressMap(file)).toThrow(
      expect.objectContaining({
        code: 'VJ_AUDIO_ADDRESS_MAP_UNREADABLE',
        message: expect.stringContaining('not valid JSON'),
      }),
    );
  });
});
