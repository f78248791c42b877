/**
 * The live input device source: captures from a PortAudio input device
 * through naudiodon, and reopens it when it disappears or stalls.
 */
import { EventEmitter } from 'node:events';
import { isVjError, VjError } from '@vj/bus';
import { AudioErrorCodes } from '../errors';
import { describeDevice, listInputDevices } from './device-list';
import { loadNaudiodon, type Naudiodon, resolveNaudiodon } from './device-naudiodon';
import {
  type DeviceSourceOptions,
  type ResolvedDeviceSourceOptions,
  resolveDeviceSourceOptions,
} from './device-options';
import { type NaudiodonSampleFormat, probeDevice } from './device-probe';
import { loadDeviceChoice, type SavedDeviceChoice, saveDeviceChoice, selectDevice } from './device-select';
import { DeviceStream } from './device-stream';
import type { AudioSource, SourceEvents, SourceInfo, SourceStatus } from './source';

export type { DeviceSourceOptions } from './device-options';

/**
 * An AudioSource over a live input device. `start()` selects the device (see
 * selectDevice), saves an explicitly requested one as the user's choice when
 * `vjHome` is set, and opens it. Status turns `open` with the first block.
 *
 * The source reports `no_input` with the reason when the device is absent,
 * fails to open, stops delivering audio for `stallTimeoutMs`, or its stream
 * ends or errors. It then closes the stream and tries again after
 * `retryInitialMs` (0.5 s), doubling the delay up to `retryMaxMs` (10 s) and
 * resetting it when a block arrives. Each
 * attempt rescans the devices and finds the device again by name and host
 * API. Each failed attempt or loss is emitted as an `error` event when the
 * source has an `error` listener.
 *
 * Blocks hold `framesPerBuffer` frames of interleaved float samples;
 * `startFrame` counts delivered frames, so the gap of a reopen is not counted.
 *
 * `start()` rejects with a VjError: VJ_AUDIO_DEVICE_INVALID_OPTIONS,
 * VJ_AUDIO_DEVICE_NAUDIODON_MISSING when naudiodon cannot be loaded. Error
 * events carry VJ_AUDIO_DEVICE_NOT_FOUND, VJ_AUDIO_DEVICE_OPEN_FAILED,
 * VJ_AUDIO_DEVICE_LOST, VJ_AUDIO_DEVICE_CLOSE_TIMEOUT,
 * VJ_AUDIO_DEVICE_LIST_FAILED and VJ_AUDIO_DEVICE_CHOICE_INVALID or
 * VJ_AUDIO_DEVICE_CHOICE_WRITE_FAILED.
 *
 * @example
 * const source = new DeviceSource({ device: 'BlackHole', vjHome });
 * source.on('block', (block) => analyser.push(block));
 * source.on('status', (status, reason) => log.info({ status, reason }, 'audio input changed'));
 * source.on('error', (error) => log.warn({ err: error }, 'audio input failed'));
 * await source.start();
 */
export class DeviceSource extends EventEmitter<SourceEvents> implements AudioSource {
  readonly kind = 'device' as const;
  private readonly options: Readonly<ResolvedDeviceSourceOptions>;
  private naudiodon: Naudiodon | undefined;
  private naudiodonPath = '';
  private saved: SavedDeviceChoice | undefined;
  /** Name and host API of the device once selected; every reopen looks for this one. */
  private target: SavedDeviceChoice | undefined;
  private stream: DeviceStream | undefined;
  private currentInfo: SourceInfo;
  private currentStatus: SourceStatus = 'no_input';
  private currentReason: string | undefined;
  private retryDelayMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private framesDelivered = 0;
  private started = false;
  private stopping: Promise<void> | undefined;
  private attempting: Promise<void> | undefined;

  constructor(options: DeviceSourceOptions = {}) {
    super();
    this.options = resolveDeviceSourceOptions(options);
    this.retryDelayMs = this.options.retryInitialMs;
    this.currentInfo = {
      kind: 'device',
      description: 'no input device yet',
      sampleRate: this.options.sampleRate ?? 48_000,
      channels: this.options.channels ?? 2,
      realtime: true,
    };
  }

  /** Describes the device of the current or last stream; before the first open, the requested or default format. */
  info(): SourceInfo {
    return this.currentInfo;
  }

  status(): SourceStatus {
    return this.currentStatus;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;

    this.naudiodonPath = resolveNaudiodon(this.options.naudiodonModule);
    this.naudiodon = loadNaudiodon(this.options.naudiodonModule);
    if (this.options.vjHome !== null) {
      const loaded = await loadDeviceChoice(this.options.vjHome);
      this.saved = loaded.choice;
      if (loaded.error !== undefined) this.report(loaded.error);
    }

    await this.runAttempt();
  }

  stop(): Promise<void> {
    if (this.stopping === undefined) this.stopping = this.shutDown();
    return this.stopping;
  }

  private async shutDown(): Promise<void> {
    clearTimeout(this.retryTimer);
    await this.attempting;
    await this.closeStream();
  }

  private runAttempt(): Promise<void> {
    this.attempting = this.attempt().finally(() => {
      this.attempting = undefined;
    });
    return this.attempting;
  }

  private async attempt(): Promise<void> {
    this.attempts += 1;
    const runOptions = {
      naudiodonPath: this.naudiodonPath,
      moduleName: this.options.naudiodonModule,
      env: this.options.env,
      timeoutMs: this.options.scanTimeoutMs,
    };

    try {
      if (this.target === undefined) await this.selectTarget();
      if (this.stopping !== undefined) return;
      if (this.target === undefined) return;

      const probe = await probeDevice(
        {
          ...this.target,
          channels: this.options.channels,
          sampleRate: this.options.sampleRate,
          sampleFormats: sampleFormatsToTry(this.options.sampleFormat),
          framesPerBuffer: this.options.framesPerBuffer,
        },
        runOptions,
      );
      if (this.stopping !== undefined) return;
      if (probe.device === undefined) {
        const reason = `Input device "${this.target.name}" (${this.target.hostApi}) is not present`;
        this.failAttempt(reason, this.notFound(reason));
        return;
      }
      if (probe.opened === undefined) {
        const messages = probe.failures.map((failure) => failure.message).join('; ');
        const reason = `Input device ${describeDevice(probe.device)} could not be opened (PortAudio: ${messages})`;
        this.failAttempt(
          reason,
          this.deviceError(
            'VJ_AUDIO_DEVICE_OPEN_FAILED',
            `${reason}; choose other channels or another sample rate`,
          ),
        );
        return;
      }

      this.openStream(probe.opened);
    } catch (error) {
      if (!isVjError(error)) throw error;
      this.failAttempt(error.message, error);
    }
  }

  private async selectTarget(): Promise<void> {
    const listing = await listInputDevices({
      naudiodonModule: this.options.naudiodonModule,
      env: this.options.env,
      timeoutMs: this.options.scanTimeoutMs,
      log: this.options.log,
    });
    const selection = selectDevice(listing.devices, this.options.device, this.saved);
    if (selection.device === undefined) {
      this.failAttempt(selection.reason, this.notFound(selection.reason));
      return;
    }

    this.target = { name: selection.device.name, hostApi: selection.device.hostApi };
    const requested = selection.by === 'name' || selection.by === 'index';
    if (requested && this.options.vjHome !== null) {
      try {
        await saveDeviceChoice(this.options.vjHome, this.target);
      } catch (error) {
        this.report(error as VjError);
      }
    }
  }

  private openStream(opened: {
    channels: number;
    sampleRate: number;
    sampleFormat: NaudiodonSampleFormat;
  }): void {
    const target = this.target as SavedDeviceChoice;
    const naudiodon = this.naudiodon as Naudiodon;
    const stream = DeviceStream.open(
      naudiodon,
      {
        ...target,
        ...opened,
        framesPerBuffer: this.options.framesPerBuffer,
        stallTimeoutMs: this.options.stallTimeoutMs,
        startTimeoutMs: this.options.startTimeoutMs,
      },
      {
        onSamples: (samples, frames, capturedAtMs) => this.deliver(samples, frames, capturedAtMs),
        onFailure: (failure, cause) => void this.handleLoss(failure, cause),
      },
    );
    this.stream = stream;

    const format = opened.sampleFormat === 1 ? 'float32' : 'int16';
    const device = { id: stream.deviceId, name: target.name, hostApi: target.hostApi };
    this.currentInfo = {
      kind: 'device',
      description: `${describeDevice(device)} ${opened.sampleRate} Hz ${opened.channels} ch ${format}`,
      sampleRate: opened.sampleRate,
      channels: opened.channels,
      realtime: true,
      device,
    };
  }

  private deliver(samples: Float32Array, frames: number, capturedAtMs: number): void {
    if (this.currentStatus !== 'open') {
      this.retryDelayMs = this.options.retryInitialMs;
      this.setStatus('open', `Input device ${this.currentInfo.description} is capturing`);
    }

    const { channels, sampleRate } = this.currentInfo;
    const startFrame = this.framesDelivered;
    this.framesDelivered += frames;
    this.emit('block', { samples, channels, sampleRate, frames, startFrame, capturedAtMs });
  }

  private async handleLoss(failure: string, cause: unknown): Promise<void> {
    const name = this.target?.name ?? 'unknown';
    const reason = `Input device "${name}" stopped delivering audio: ${failure}`;
    this.setStatus('no_input', reason);
    this.report(
      this.deviceError('VJ_AUDIO_DEVICE_LOST', `${reason}; the source reopens it when it is back`, cause),
    );

    await this.closeStream();
    this.scheduleRetry();
  }

  private failAttempt(reason: string, error: VjError): void {
    this.setStatus('no_input', reason);
    this.report(error);
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopping !== undefined) return;

    const delayMs = this.retryDelayMs;
    this.retryDelayMs = Math.min(delayMs * 2, this.options.retryMaxMs);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.runAttempt(), delayMs);
  }

  private async closeStream(): Promise<void> {
    const stream = this.stream;
    if (stream === undefined) return;
    this.stream = undefined;

    const closed = await stream.close();
    if (!closed) {
      this.report(
        this.deviceError(
          'VJ_AUDIO_DEVICE_CLOSE_TIMEOUT',
          `Input device "${this.target?.name}" did not stop within 3 s, so its stream was abandoned; ` +
            'restart the worker if the device does not come back',
        ),
      );
    }
  }

  private setStatus(status: SourceStatus, reason: string): void {
    if (status === this.currentStatus && reason === this.currentReason) return;
    this.currentStatus = status;
    this.currentReason = reason;
    this.emit('status', status, reason);
  }

  private report(error: VjError): void {
    // An 'error' event without a listener would throw from a timer callback.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private notFound(reason: string): VjError {
    return this.deviceError(
      'VJ_AUDIO_DEVICE_NOT_FOUND',
      `${reason}; connect the device or choose another one`,
    );
  }

  private deviceError(code: keyof typeof AudioErrorCodes, message: string, cause?: unknown): VjError {
    const retryInMs = this.stopping === undefined ? this.retryDelayMs : undefined;
    return new VjError(AudioErrorCodes[code], message, {
      shortMessage: message.split(';')[0],
      device: this.target?.name,
      attempt: this.attempts,
      retryInMs,
      cause,
    });
  }
}

function sampleFormatsToTry(format: ResolvedDeviceSourceOptions['sampleFormat']): NaudiodonSampleFormat[] {
  if (format === 'float32') return [1];
  if (format === 'int16') return [16];
  return [1, 16];
}
