/**
 * Decoding of non-WAV files with FFmpeg: ffprobe finds the first audio
 * stream's rate and channels, then ffmpeg writes that stream as raw 32-bit
 * float PCM (f32le) to its stdout at the same rate and channels.
 */
import { type ChildProcessByStdio, execFile, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';
import type { DecodedAudio } from './wav';

/** Locations and environment of the FFmpeg programs. */
export interface FfmpegOptions {
  /** Path or name of ffmpeg (default "ffmpeg"). */
  ffmpegPath?: string;
  /** Path or name of ffprobe (default "ffprobe"). */
  ffprobePath?: string;
  /** Environment of the children, whose PATH finds programs given by name (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** The first audio stream of a file, as ffprobe reports it. */
export interface AudioStreamInfo {
  /** Sample rate in Hz. */
  sampleRate: number;
  channels: number;
  /** FFmpeg's codec name, such as "mp3", "flac" or "vorbis". */
  codec: string;
  /** Duration in seconds, undefined when the container does not state it. */
  durationS: number | undefined;
}

/** A running ffmpeg decoder. */
export interface FfmpegProcess {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Resolves once the child has exited or failed to start. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError: Error | undefined }>;
  /** Text that ffmpeg wrote to stderr so far, trimmed to its last 4096 characters. */
  stderrText(): string;
}

// ffprobe reads little more than a file's header, so the limit only stops a hung probe.
const PROBE_TIMEOUT_MS = 30_000;
const MAX_STDERR_CHARS = 4096;

/**
 * Runs ffprobe on the file at `path` and returns its first audio stream.
 *
 * Throws a VjError with code VJ_AUDIO_FFMPEG_NOT_FOUND when ffprobe is missing,
 * VJ_AUDIO_FFMPEG_FAILED with ffprobe's own message when it cannot read the
 * file, and VJ_AUDIO_FFMPEG_NO_AUDIO_STREAM when the file has no audio.
 *
 * @example
 * const { sampleRate, channels } = await probeAudioStream('set/track.flac');
 */
export function probeAudioStream(path: string, ffmpegOptions: FfmpegOptions = {}): Promise<AudioStreamInfo> {
  const ffprobe = ffmpegOptions.ffprobePath ?? 'ffprobe';
  const args = ['-v', 'error', '-select_streams', 'a:0'];
  args.push(
    '-show_entries',
    'stream=codec_name,sample_rate,channels,duration',
    '-of',
    'json',
    '-i',
    fileUrl(path),
  );

  return new Promise((resolve, reject) => {
    const execOptions = {
      timeout: PROBE_TIMEOUT_MS,
      maxBuffer: 1 << 20,
      env: ffmpegOptions.env ?? process.env,
    };
    execFile(ffprobe, args, execOptions, (error, stdout, stderr) => {
      if (error) {
        const spawnCode = (error as NodeJS.ErrnoException).code;
        if (spawnCode === 'ENOENT' || spawnCode === 'EACCES')
          reject(ffmpegNotFound('ffprobe', ffprobe, path, error));
        else reject(ffmpegFailed('ffprobe', path, describeExit(error.code, error.signal), stderr, error));
        return;
      }
      try {
        resolve(parseProbe(stdout, path));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}

/**
 * Starts ffmpeg decoding the first audio stream of the file at `path` to f32le
 * on its stdout, with `stream`'s rate and channels. Resolves once the child
 * has started.
 *
 * Throws a VjError with code VJ_AUDIO_FFMPEG_NOT_FOUND when ffmpeg is missing.
 *
 * @example
 * const decoder = await startFfmpeg(path, await probeAudioStream(path));
 * decoder.child.stdout.on('data', onPcm);
 */
export async function startFfmpeg(
  path: string,
  stream: AudioStreamInfo,
  ffmpegOptions: FfmpegOptions = {},
): Promise<FfmpegProcess> {
  const ffmpeg = ffmpegOptions.ffmpegPath ?? 'ffmpeg';
  // -nostdin stops ffmpeg from reading the worker's stdin for its interactive keys.
  const args = ['-nostdin', '-v', 'error', '-i', fileUrl(path), '-map', '0:a:0', '-f', 'f32le'];
  args.push('-ac', String(stream.channels), '-ar', String(stream.sampleRate), '-');
  const child = spawn(ffmpeg, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: ffmpegOptions.env ?? process.env,
  });

  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-MAX_STDERR_CHARS);
  });
  const exited = new Promise<Awaited<FfmpegProcess['exited']>>((resolve) => {
    child.once('error', (error) => resolve({ code: null, signal: null, spawnError: error }));
    child.once('close', (code, signal) => resolve({ code, signal, spawnError: undefined }));
  });

  const started = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (error) => resolve(error));
  });
  if (started !== undefined) throw ffmpegNotFound('ffmpeg', ffmpeg, path, started);
  return { child, exited, stderrText: () => stderr.trim() };
}

/**
 * Decodes the whole first audio stream of the file at `path` with ffmpeg, at
 * its own rate and channels. Whatever ffmpeg writes to stderr while it still
 * succeeds comes back in `warnings`.
 *
 * Throws a VjError with code VJ_AUDIO_FFMPEG_NOT_FOUND, VJ_AUDIO_FFMPEG_FAILED
 * or VJ_AUDIO_FFMPEG_NO_AUDIO_STREAM.
 *
 * @example
 * const { samples, sampleRate } = await decodeWithFfmpeg('set/track.mp3');
 */
export async function decodeWithFfmpeg(
  path: string,
  ffmpegOptions: FfmpegOptions = {},
): Promise<DecodedAudio> {
  const stream = await probeAudioStream(path, ffmpegOptions);
  const decoder = await startFfmpeg(path, stream, ffmpegOptions);
  const chunks: Buffer[] = [];
  decoder.child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  const { code, signal } = await decoder.exited;
  if (code !== 0) throw ffmpegFailed('ffmpeg', path, describeExit(code, signal), decoder.stderrText());

  const bytes = Buffer.concat(chunks);
  const frames = Math.floor(bytes.length / (4 * stream.channels));
  const samples = new Float32Array(frames * stream.channels);
  for (let i = 0; i < samples.length; i++) samples[i] = bytes.readFloatLE(4 * i);
  const stderr = decoder.stderrText();
  const warnings = stderr === '' ? [] : [`ffmpeg reported while decoding: ${stderr}`];
  return { sampleRate: stream.sampleRate, channels: stream.channels, samples, frames, warnings };
}

/**
 * Builds the VjError for an ffmpeg or ffprobe run on `path` that failed with
 * `exit` (as "exit code 1"), quoting the last line of `stderr`.
 */
export function ffmpegFailed(
  program: string,
  path: string,
  exit: string,
  stderr: string,
  cause?: unknown,
): VjError {
  const lines = stderr.trim().split('\n');
  const lastLine = lines[lines.length - 1] ?? '';
  const detail = lastLine === '' ? 'without a message' : `with "${lastLine}"`;
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_FFMPEG_FAILED,
    `${program} failed on audio file "${path}" (${exit}) ${detail}; check that the file is a complete audio file that ffmpeg can play`,
    { path, program, shortMessage: `${program} could not decode "${path}"`, stderr: stderr.trim(), cause },
  );
}

/** Describes how a child ended, as "exit code 1" or "signal SIGKILL". */
export function describeExit(
  code: number | string | null | undefined,
  signal: string | null | undefined,
): string {
  if (signal) return `signal ${signal}`;
  return `exit code ${code ?? 'unknown'}`;
}

function parseProbe(stdout: string, path: string): AudioStreamInfo {
  const parsed = JSON.parse(stdout) as { streams?: Array<Record<string, unknown>> };
  const stream = parsed.streams?.[0];
  if (stream === undefined) {
    throw new VjError(
      AudioErrorCodes.VJ_AUDIO_FFMPEG_NO_AUDIO_STREAM,
      `Audio file "${path}" contains no audio stream according to ffprobe; give a file with sound`,
      { path, shortMessage: `"${path}" has no audio stream` },
    );
  }

  const sampleRate = Number(stream.sample_rate);
  const channels = Number(stream.channels);
  if (!(sampleRate > 0 && Number.isInteger(sampleRate) && channels > 0 && Number.isInteger(channels))) {
    const reported = `sample rate ${String(stream.sample_rate)} and ${String(stream.channels)} channels`;
    throw ffmpegFailed(
      'ffprobe',
      path,
      'exit code 0',
      `ffprobe reported ${reported} for the first audio stream`,
    );
  }
  const durationS = Number(stream.duration);
  return {
    sampleRate,
    channels,
    codec: String(stream.codec_name ?? 'unknown'),
    durationS: Number.isFinite(durationS) ? durationS : undefined,
  };
}

function ffmpegNotFound(
  program: 'ffmpeg' | 'ffprobe',
  command: string,
  path: string,
  cause: unknown,
): VjError {
  const where = command.includes('/') ? `at "${command}"` : 'on PATH';
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_FFMPEG_NOT_FOUND,
    `${program} was not found ${where}, but it is needed to decode "${path}", which is not a RIFF/WAVE file; install FFmpeg (apt install ffmpeg, brew install ffmpeg, or https://ffmpeg.org/download.html) or convert the file to WAV`,
    { path, program, command, shortMessage: `${program} is not installed`, cause },
  );
}

// The "file:" protocol makes ffmpeg read a local file even when its name looks
// like another protocol, such as "pipe:1" or "http:…".
function fileUrl(path: string): string {
  return `file:${path}`;
}
