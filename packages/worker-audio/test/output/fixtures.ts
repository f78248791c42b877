/** Frames and a loopback OSC receiver shared by the output tests. */
import dgram from 'node:dgram';
import { decode } from 'node-osc';
import type { FrameFeatures } from '../../src/analysis/types';

/** Builds a frame whose values are distinct and in range, so that a swapped argument shows. */
export function sampleFrame(overrides: Partial<FrameFeatures> = {}): FrameFeatures {
  return {
    frame: 7,
    timeS: 0.08,
    bands: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7],
    hits: [0.11, 0.21, 0.31, 0.41, 0.51, 0.61, 0.71],
    presence: [0.12, 0.22, 0.32, 0.42, 0.52, 0.62, 0.72],
    rms: 0.8,
    spectrum: Array.from({ length: 32 }, (_, index) => index / 32),
    centroidHz: 1500,
    brightness: 0.45,
    flux: 0.25,
    rolloffHz: 5000,
    flatness: 0.1,
    chroma: Array.from({ length: 12 }, (_, index) => index / 12),
    isOnset: true,
    bpm: 128,
    bpmConfidence: 0.9,
    bpmAlt: 64,
    bpmAltConfidence: 0.3,
    isBeat: true,
    beatPhase: 0.25,
    barBeat: 2,
    downbeatKnown: false,
    beatOverride: 'none',
    beatChecked: true,
    beatPredicted: false,
    checkedBeatFrame: 6,
    checkedBeatTimeS: 0.07,
    checkedBarBeat: 2,
    pitchHz: 440,
    pitchConfidence: 0.95,
    loudnessMomentaryLufs: -14.5,
    loudnessShortTermLufs: -15.25,
    isBuildup: false,
    isDrop: true,
    energyTrend: -0.5,
    inputPeakDbfs: -3,
    inputRmsDbfs: -12,
    inputStatus: 'signal',
    ...overrides,
  };
}

/** One received datagram, decoded by node-osc, with its raw type tags. */
export interface Received {
  address: string;
  typeTags: string;
  args: unknown[];
  raw: Buffer;
  receivedAtMs: number;
}

/** Reads the type tag string of an OSC message ("ffi…" without the comma). */
export function typeTagsOf(datagram: Buffer): string {
  const addressEnd = datagram.indexOf(0);
  const tagsStart = Math.ceil((addressEnd + 1) / 4) * 4;
  const tagsEnd = datagram.indexOf(0, tagsStart);
  return datagram.subarray(tagsStart + 1, tagsEnd).toString('ascii');
}

/** A UDP receiver on 127.0.0.1 that keeps every datagram. */
export class Receiver {
  readonly messages: Received[] = [];
  readonly bundles: Array<{ elements: Array<{ address: string; args: unknown[] }> }> = [];
  private readonly socket = dgram.createSocket('udp4');

  async listen(port: number): Promise<void> {
    this.socket.on('message', (raw) => {
      const decoded = decode(raw) as {
        oscType: string;
        address: string;
        args: Array<{ value: unknown }>;
        elements: never[];
      };
      if (decoded.oscType === 'bundle') {
        this.bundles.push(decoded as never);
        return;
      }
      this.messages.push({
        address: decoded.address,
        typeTags: typeTagsOf(raw),
        args: decoded.args.map((arg) => arg.value),
        raw,
        receivedAtMs: performance.now(),
      });
    });
    await new Promise<void>((resolve) => this.socket.bind(port, '127.0.0.1', resolve));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
