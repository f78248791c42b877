/**
 * Opening audio files: file system errors as VjErrors, and the check that
 * decides between the WAV decoder and ffmpeg.
 */
import { type FileHandle, open, stat } from 'node:fs/promises';
import { VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';

/**
 * Checks that `path` names a readable regular file and returns whether it starts
 * with a RIFF/WAVE header ("RIFF", a size, "WAVE"), which the built-in decoder
 * reads. Other files, including RF64 and files with a .wav name but another
 * content, go to ffmpeg.
 *
 * Throws a VjError with code VJ_AUDIO_FILE_NOT_FOUND or VJ_AUDIO_FILE_READ_FAILED.
 *
 * @example
 * const reader = (await isRiffWave(path)) ? await WavFileReader.open(path) : await FfmpegReader.open(path);
 */
export async function isRiffWave(path: string): Promise<boolean> {
  let handle: FileHandle | undefined;
  try {
    const stats = await stat(path);
    if (!stats.isFile()) throw notAFile(path);
    handle = await open(path, 'r');
    const head = Buffer.alloc(12);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return (
      bytesRead === 12 &&
      head.toString('latin1', 0, 4) === 'RIFF' &&
      head.toString('latin1', 8, 12) === 'WAVE'
    );
  } catch (error) {
    throw fileAccessError(path, error);
  } finally {
    await handle?.close();
  }
}

/**
 * Wraps a file system error met while opening or reading the audio file at
 * `path` in a VjError: VJ_AUDIO_FILE_NOT_FOUND for ENOENT and ENOTDIR,
 * VJ_AUDIO_FILE_READ_FAILED for any other. A VjError passes through unchanged.
 *
 * @example
 * try { await readFile(path) } catch (error) { throw fileAccessError(path, error) }
 */
export function fileAccessError(path: string, error: unknown): VjError {
  if (error instanceof VjError) return error;

  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new VjError(
      AudioErrorCodes.VJ_AUDIO_FILE_NOT_FOUND,
      `Audio file "${path}" was not found; check the path, which is relative to the folder the worker runs in (${process.cwd()})`,
      { path, shortMessage: `Audio file "${path}" was not found`, cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_FILE_READ_FAILED,
    `Audio file "${path}" could not be read (${reason}); check its permissions and that it is a regular file`,
    { path, shortMessage: `Audio file "${path}" could not be read`, cause: error },
  );
}

function notAFile(path: string): VjError {
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_FILE_READ_FAILED,
    `Audio file "${path}" is a folder or a device, not a regular file; give the path of an audio file`,
    { path, shortMessage: `"${path}" is not an audio file` },
  );
}
