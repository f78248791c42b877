/**
 * One open naudiodon input stream in this process: converts its chunks to
 * float samples and watches that they keep coming.
 *
 * naudiodon 2.3.6 reports neither device loss nor stream failure. When the
 * ALSA device goes away (checked with a PulseAudio server killed under the
 * ALSA pulse plugin), PortAudio prints "Expression … failed in
 * pa_linux_alsa.c" to stderr, emits no event and stops delivering data. A
 * watchdog turns that silence into a failure. `quit()` on such a stalled
 * stream still returned within about 30 ms in that test.
 */
import { performance } from 'node:perf_hooks';
import { VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';
import type { Naudiodon, NaudiodonInput } from './device-naudiodon';
import type { NaudiodonSampleFormat } from './device-probe';

/** Device, stream format and watchdog limits of a stream. */
export interface DeviceStreamParameters {
  name: string;
  hostApi: string;
  channels: number;
  sampleRate: number;
  sampleFormat: NaudiodonSampleFormat;
  framesPerBuffer: number;
  /** A failure is reported when no chunk arrived for this long after the first one, in milliseconds. */
  stallTimeoutMs: number;
  /** A failure is reported when the first chunk takes longer than this after start, in milliseconds. */
  startTimeoutMs: number;
}

/** Receivers of the stream's output. */
export interface DeviceStreamHandlers {
  /** Interleaved float samples owned by the receiver; `capturedAtMs` is performance.now() at the chunk's arrival. */
  onSamples(samples: Float32Array, frames: number, capturedAtMs: number): void;
  /** The stream failed; called at most once, and not after close() was called. */
  onFailure(reason: string, cause?: unknown): void;
}

// Blocks PortAudio's callback may queue while JavaScript is busy. naudiodon's
// default of 2 makes the callback wait after 2 blocks (21 ms at 512 frames
// and 48 kHz), so a garbage collection pause would overflow the input.
const MAX_QUEUED_BLOCKS = 16;
const CLOSE_TIMEOUT_MS = 3000;

/** An open input stream; create it with {@link DeviceStream.open}. */
export class DeviceStream {
  /** PortAudio index of the device in this process. */
  readonly deviceId: number;
  private readonly input: NaudiodonInput;
  private readonly handlers: DeviceStreamHandlers;
  private readonly parameters: DeviceStreamParameters;
  private readonly watchdog: NodeJS.Timeout;
  private readonly startedAtMs = performance.now();
  private lastChunkAtMs: number | undefined;
  private closing: Promise<boolean> | undefined;
  private failed = false;

  /**
   * Opens and starts the named device in this process, looking up its index
   * in this process's PortAudio list just before opening.
   *
   * Throws a VjError: VJ_AUDIO_DEVICE_NOT_FOUND when this process's PortAudio
   * does not list the device, VJ_AUDIO_DEVICE_OPEN_FAILED when PortAudio
   * rejects the parameters or cannot start the stream.
   *
   * @example
   * const stream = DeviceStream.open(naudiodon, parameters, { onSamples, onFailure });
   */
  static open(
    naudiodon: Naudiodon,
    parameters: DeviceStreamParameters,
    handlers: DeviceStreamHandlers,
  ): DeviceStream {
    // getDevices() rescans unless a stream or a failed open keeps PortAudio
    // initialised; in both cases it returns the list that AudioIO will use.
    // NOTE: this and AudioIO each initialise PortAudio in this process, so ALSA
    // writes its configuration warnings to the worker's stderr on every open.
    // Only the scans in child processes are summarised.
    const device = naudiodon
      .getDevices()
      .find((each) => each.name === parameters.name && each.hostAPIName === parameters.hostApi);
    if (device === undefined) {
      throw new VjError(
        AudioErrorCodes.VJ_AUDIO_DEVICE_NOT_FOUND,
        `Input device "${parameters.name}" (${parameters.hostApi}) is not in this process's PortAudio device list, ` +
          'which stays frozen after a failed open; the source retries, and restarting the worker rescans',
        { shortMessage: `input device "${parameters.name}" not found`, device: parameters.name },
      );
    }

    const bytesPerSample = parameters.sampleFormat === 1 ? 4 : 2;
    let input: NaudiodonInput;
    try {
      input = naudiodon.AudioIO({
        inOptions: {
          deviceId: device.id,
          channelCount: parameters.channels,
          sampleRate: parameters.sampleRate,
          sampleFormat: parameters.sampleFormat,
          framesPerBuffer: parameters.framesPerBuffer,
          highwaterMark: parameters.framesPerBuffer * parameters.channels * bytesPerSample,
          maxQueue: MAX_QUEUED_BLOCKS,
          closeOnError: false,
        },
      });
    } catch (error) {
      throw openFailed(parameters, error);
    }

    const stream = new DeviceStream(device.id, input, parameters, handlers);
    try {
      input.start();
    } catch (error) {
      void stream.close();
      throw openFailed(parameters, error);
    }
    return stream;
  }

  private constructor(
    deviceId: number,
    input: NaudiodonInput,
    parameters: DeviceStreamParameters,
    handlers: DeviceStreamHandlers,
  ) {
    this.deviceId = deviceId;
    this.input = input;
    this.parameters = parameters;
    this.handlers = handlers;

    // naudiodon's own 'error' listener prints to stderr; failures go to onFailure instead.
    input.removeAllListeners('error');
    input.on('error', (error: Error) => this.fail(`the stream failed (${error.message})`, error));
    input.on('end', () => this.fail('the stream ended'));
    input.on('data', (chunk: Buffer) => this.receive(chunk));

    const checkEveryMs = Math.max(10, Math.min(250, parameters.stallTimeoutMs / 4));
    this.watchdog = setInterval(() => this.checkFlow(), checkEveryMs);
  }

  /**
   * Stops the stream with naudiodon's quit(), which waits for PortAudio to
   * stop. Resolves with false when that takes over 3 s; the stream is then
   * abandoned. Safe to call more than once.
   */
  close(): Promise<boolean> {
    if (this.closing !== undefined) return this.closing;

    clearInterval(this.watchdog);
    this.closing = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS);
      void this.input.quit(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    return this.closing;
  }

  private receive(chunk: Buffer): void {
    if (this.closing !== undefined || this.failed) return;

    const capturedAtMs = performance.now();
    this.lastChunkAtMs = capturedAtMs;
    const { channels, sampleFormat } = this.parameters;
    const bytesPerFrame = channels * (sampleFormat === 1 ? 4 : 2);
    const frames = Math.floor(chunk.length / bytesPerFrame);
    if (frames === 0) return;

    const samples =
      sampleFormat === 1 ? floatSamples(chunk, frames * channels) : int16Samples(chunk, frames * channels);
    this.handlers.onSamples(samples, frames, capturedAtMs);
  }

  private checkFlow(): void {
    const nowMs = performance.now();
    if (this.lastChunkAtMs === undefined) {
      if (nowMs - this.startedAtMs > this.parameters.startTimeoutMs) {
        this.fail(`no audio arrived within ${this.parameters.startTimeoutMs} ms of opening`);
      }
      return;
    }
    if (nowMs - this.lastChunkAtMs > this.parameters.stallTimeoutMs) {
      this.fail(`no audio arrived for ${this.parameters.stallTimeoutMs} ms`);
    }
  }

  private fail(reason: string, cause?: unknown): void {
    if (this.closing !== undefined || this.failed) return;
    this.failed = true;
    clearInterval(this.watchdog);
    this.handlers.onFailure(reason, cause);
  }
}

// Each block gets its own array because the source contract does not limit
// how long a receiver may keep a block's samples.
function floatSamples(chunk: Buffer, count: number): Float32Array {
  const samples = new Float32Array(count);
  if (chunk.byteOffset % 4 === 0) {
    samples.set(new Float32Array(chunk.buffer, chunk.byteOffset, count));
    return samples;
  }
  for (let i = 0; i < count; i++) samples[i] = chunk.readFloatLE(i * 4);
  return samples;
}

function int16Samples(chunk: Buffer, count: number): Float32Array {
  const samples = new Float32Array(count);
  if (chunk.byteOffset % 2 === 0) {
    const integers = new Int16Array(chunk.buffer, chunk.byteOffset, count);
    for (let i = 0; i < count; i++) samples[i] = (integers[i] as number) / 32768;
    return samples;
  }
  for (let i = 0; i < count; i++) samples[i] = chunk.readInt16LE(i * 2) / 32768;
  return samples;
}

function openFailed(parameters: DeviceStreamParameters, cause: unknown): VjError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  const format = parameters.sampleFormat === 1 ? 'float32' : 'int16';
  return new VjError(
    AudioErrorCodes.VJ_AUDIO_DEVICE_OPEN_FAILED,
    `Input device "${parameters.name}" (${parameters.hostApi}) could not be opened with ${parameters.channels} ch, ` +
      `${parameters.sampleRate} Hz, ${format} (PortAudio: ${detail}); choose other channels or another sample rate`,
    { shortMessage: `input device "${parameters.name}" failed to open`, device: parameters.name, cause },
  );
}
