import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { devAudioDir } from '@vj/test-support';
import { readAudioFile } from '../../src/sources/audio-file';
import { WavFileReader } from '../../src/sources/wav-file-reader';
import { concatSamples, peakOf, sameSamples } from './audio-test-helpers';

// The development clips live beside the checkout (devAudioDir finds them) and are
// never copied into the repository.
const CORPUS_DIR = devAudioDir();
const MANIFEST_PATH = join(CORPUS_DIR, 'manifest.json');

interface ManifestEntry {
  name: string;
  sample_rate: number;
  channels: number;
  excerpt_length_s: number;
}

// Missing clips are reported through a failing test, not a skip, so a broken checkout is noticed.
const entries: ManifestEntry[] = existsSync(MANIFEST_PATH)
  ? (JSON.parse(readFileSync(MANIFEST_PATH, 'utf8')) as { files: ManifestEntry[] }).files
  : [];

describe('readAudioFile of the development clips', () => {
  test('manifest of the development clips exists and lists files', () => {
    expect(existsSync(MANIFEST_PATH)).toBe(true);
    expect(entries.length).toBeGreaterThan(0);
  });

  test.each(entries)('readAudioFile decodes $name as the manifest describes', async (entry) => {
    const decoded = await readAudioFile(join(CORPUS_DIR, entry.name));

    expect(decoded.sampleRate).toBe(entry.sample_rate);
    expect(decoded.channels).toBe(entry.channels);
    expect(decoded.frames / decoded.sampleRate).toBeCloseTo(entry.excerpt_length_s, 3);
    expect(decoded.samples).toHaveLength(decoded.frames * decoded.channels);
    expect(decoded.warnings).toEqual([]);
    expect(peakOf(decoded.samples)).toBeGreaterThan(0.01);
    expect(peakOf(decoded.samples)).toBeLessThanOrEqual(1);
  });

  test('WavFileReader streams a stereo clip to the same samples as readAudioFile', async () => {
    const stereo = entries.find((entry) => entry.channels === 2);
    if (stereo === undefined) throw new Error('The manifest lists no stereo clip');
    const path = join(CORPUS_DIR, stereo.name);
    const whole = await readAudioFile(path);

    const reader = await WavFileReader.open(path);
    const blocks: Float32Array[] = [];
    try {
      for (let block = await reader.read(4096); block !== null; block = await reader.read(4096))
        blocks.push(block);
    } finally {
      await reader.close();
    }

    expect(sameSamples(concatSamples(blocks), whole.samples)).toBe(true);
  });
});
