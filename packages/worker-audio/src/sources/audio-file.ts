/**
 * Audio files by format: RIFF/WAVE files go to the built-in decoder, every
 * other file to ffmpeg.
 */
import { readFile } from 'node:fs/promises';
import { decodeWithFfmpeg, type FfmpegOptions } from './ffmpeg';
import { FfmpegReader } from './ffmpeg-reader';
import { fileAccessError, isRiffWave } from './file-access';
import type { FrameReader } from './frame-reader';
import { type DecodedAudio, decodeWav } from './wav';
import { WavFileReader } from './wav-file-reader';

/**
 * Decodes the whole audio file at `path` for offline analysis, as interleaved
 * float samples in -1..1 at the file's own rate and channels. A file that
 * starts with a RIFF/WAVE header is decoded natively, and any other file
 * (FLAC, Ogg, MP3, RF64 and so on) goes through ffmpeg.
 *
 * Throws a VjError with code VJ_AUDIO_FILE_NOT_FOUND, VJ_AUDIO_FILE_READ_FAILED,
 * one of the VJ_AUDIO_WAV_* codes for a bad WAV file, or one of the
 * VJ_AUDIO_FFMPEG_* codes for other files.
 *
 * @example
 * const { sampleRate, channels, samples, frames, warnings } = await readAudioFile('set/track.flac');
 */
export async function readAudioFile(path: string, ffmpegOptions: FfmpegOptions = {}): Promise<DecodedAudio> {
  if (!(await isRiffWave(path))) return decodeWithFfmpeg(path, ffmpegOptions);

  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw fileAccessError(path, error);
  }
  const { sampleRate, channels, samples, frames, warnings } = decodeWav(bytes, path);
  return { sampleRate, channels, samples, frames, warnings };
}

/**
 * Opens the audio file at `path` for reading block by block: a WavFileReader
 * for RIFF/WAVE files, an FfmpegReader for any other. Throws the codes of
 * {@link readAudioFile}.
 *
 * @example
 * const reader = await openAudioFileReader('set/track.mp3');
 * const block = await reader.read(512);
 */
export async function openAudioFileReader(
  path: string,
  ffmpegOptions: FfmpegOptions = {},
): Promise<FrameReader> {
  if (await isRiffWave(path)) return WavFileReader.open(path);
  return FfmpegReader.open(path, ffmpegOptions);
}
