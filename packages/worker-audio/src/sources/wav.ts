/**
 * Whole-buffer WAV decoding, for offline analysis and tests. Real-time
 * playback of long files reads incrementally with WavFileReader instead.
 */

import { sampleDecoderFor } from './pcm';
import { parseWavHeaderFromBuffer, type WavFormat } from './wav-header';

/** Audio decoded in full, as `readAudioFile` and `decodeWav` return it. */
export interface DecodedAudio {
  /** Sample rate in Hz. */
  sampleRate: number;
  channels: number;
  /** Interleaved samples in -1..1, `frames * channels` long. */
  samples: Float32Array;
  /** Samples per channel. */
  frames: number;
  /** Problems that did not stop decoding (a truncated data chunk, ffmpeg warnings), one sentence each. */
  warnings: string[];
}

/** A decoded WAV file with the format its fmt chunk declares. */
export interface DecodedWav extends DecodedAudio {
  format: WavFormat;
}

/**
 * Decodes the RIFF/WAVE bytes `bytes` into interleaved float samples in -1..1.
 * `name` (a path or a label) appears in messages. Reads 8-bit unsigned and
 * 16/24/32-bit signed PCM, 32/64-bit IEEE float, plain or
 * WAVE_FORMAT_EXTENSIBLE, with any number of channels and any sample rate.
 * Unknown chunks (LIST, fact, bext and others) are skipped. A data chunk
 * shorter than declared is decoded as far as it goes and reported in
 * `warnings`.
 *
 * Throws a VjError with a VJ_AUDIO_WAV_* code (see `parseWavHeaderFromBuffer`)
 * when the header cannot be read or the encoding is not supported.
 *
 * @example
 * const { sampleRate, channels, samples } = decodeWav(await readFile('loop.wav'), 'loop.wav');
 */
export function decodeWav(bytes: Buffer, name = 'buffer'): DecodedWav {
  const layout = parseWavHeaderFromBuffer(bytes, name);
  const { format, frames } = layout;
  const decode = sampleDecoderFor(format.encoding, format.bitsPerSample / 8);
  // parseWavHeaderFromBuffer rejects every encoding that has no decoder.
  if (decode === undefined)
    throw new Error(`No sample decoder for ${format.encoding} ${format.bitsPerSample}-bit`);

  const samples = new Float32Array(frames * format.channels);
  decode(bytes, layout.dataOffset, samples, 0, samples.length);
  return {
    sampleRate: format.sampleRate,
    channels: format.channels,
    samples,
    frames,
    warnings: layout.warnings,
    format,
  };
}
