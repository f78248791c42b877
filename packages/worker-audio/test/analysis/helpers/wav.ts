/**
 * Minimal reader of 16-bit PCM WAV files for the analysis tests, and access
 * to the development clips beside the checkout. It reads only what those
 * clips use: RIFF/WAVE, a `fmt ` chunk with format 1 and 16 bits, a `data` chunk.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { devAudioDir } from '@vj/test-support';

/** Decoded interleaved PCM in −1…1. */
export interface DecodedWav {
  sampleRate: number;
  channels: number;
  samples: Float32Array;
}

/** One entry of the development set's manifest, with the fields the tests read. */
export interface ClipEntry {
  name: string;
  category: string;
  tempo_stable: boolean;
  ground_truth_bpm: number | null;
  ground_truth_beats_s?: number[];
}

/** Reads the development set's manifest. */
export function readManifest(): ClipEntry[] {
  const manifestPath = path.join(devAudioDir(), 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { files: ClipEntry[] };
  return manifest.files;
}

/** Decodes the development clip `name`. */
export function readClip(name: string): DecodedWav {
  return readWav16(path.join(devAudioDir(), name));
}

/** Decodes a 16-bit PCM WAV file, or throws an Error naming the file when it has another format. */
export function readWav16(file: string): DecodedWav {
  const bytes = readFileSync(file);
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error(`${file} is not a RIFF/WAVE file`);
  }
  let offset = 12;
  let sampleRate = 0;
  let channels = 0;
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString('ascii', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      const format = bytes.readUInt16LE(body);
      channels = bytes.readUInt16LE(body + 2);
      sampleRate = bytes.readUInt32LE(body + 4);
      const bits = bytes.readUInt16LE(body + 14);
      if (format !== 1 || bits !== 16) {
        throw new Error(`${file} must be 16-bit PCM, received format ${format} with ${bits} bits`);
      }
    } else if (id === 'data') {
      const count = Math.floor(Math.min(size, bytes.length - body) / 2);
      const samples = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        samples[i] = bytes.readInt16LE(body + 2 * i) / 32768;
      }
      return { sampleRate, channels, samples };
    }
    offset = body + size + (size % 2);
  }
  throw new Error(`${file} has no data chunk`);
}
