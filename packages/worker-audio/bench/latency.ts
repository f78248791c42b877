/**
 * End-to-end latency: a real AudioWorker in this process reads raw f32le PCM
 * from a PassThrough (the `stdin` source) and sends OSC to a UDP socket on
 * 127.0.0.1. The bench writes one 512-frame block of a clip per hop period
 * and takes, for each block, the time from the write to the arrival of its
 * `/audio/levels` datagram. Each block completes exactly one hop, so the
 * n-th datagram belongs to the n-th block.
 */
import dgram from 'node:dgram';
import { PassThrough, Writable } from 'node:stream';
import { allocatePorts, makeTempDir, removeDir } from '@vj/test-support';
import { AudioWorker } from '../src/audio-worker';
import type { DecodedAudio } from '../src/sources/wav';
import { type Distribution, distributionOf } from './stats';

const BLOCK_FRAMES = 512;
const WARMUP_BLOCKS = 200;
const LEVELS_ADDRESS = Buffer.from('/audio/levels\0');

/** Latencies in ms from the write of a block to the receipt of its `/audio/levels` datagram. */
export interface EndToEndLatency {
  blocksWritten: number;
  datagramsReceived: number;
  /** Blocks after the warm-up that got no datagram before the end of the run. */
  missing: number;
  latencyMs: Distribution;
  /** Lateness of the writes against their schedule, which shows how steady the pacing was. */
  writeLatenessMs: Distribution;
}

/** Feeds `seconds` of `audio` (after a warm-up of WARMUP_BLOCKS blocks) to the worker in real time. */
export async function measureEndToEndLatency(audio: DecodedAudio, seconds: number): Promise<EndToEndLatency> {
  const vjHome = await makeTempDir('vj-audio-bench-');
  const [commandPort, telemetryPort, oscPort] = (await allocatePorts(3)) as [number, number, number];
  const receivedMs: number[] = [];
  const receiver = dgram.createSocket('udp4');
  receiver.on('message', (datagram) => {
    if (datagram.subarray(0, LEVELS_ADDRESS.length).equals(LEVELS_ADDRESS)) {
      receivedMs.push(performance.now());
    }
  });
  await new Promise<void>((resolve) => receiver.bind(oscPort, '127.0.0.1', resolve));

  const stdin = new PassThrough();
  const worker = new AudioWorker({
    commandPort,
    telemetryPort,
    vjHome,
    manageProcess: false,
    logDestination: discard(),
    stdin,
    config: {
      source: 'stdin',
      stdin_format: 'f32le',
      stdin_rate: audio.sampleRate,
      stdin_channels: audio.channels,
      osc_targets: [{ host: '127.0.0.1', port: oscPort }],
    },
  });
  await worker.start();

  try {
    const blockCount = WARMUP_BLOCKS + Math.round((seconds * audio.sampleRate) / BLOCK_FRAMES);
    const { writtenMs, latenessMs } = await writePaced(stdin, audio, blockCount);
    // Leave time for the last datagrams to arrive.
    await sleep(100);
    const latencies: number[] = [];
    for (let block = WARMUP_BLOCKS; block < writtenMs.length && block < receivedMs.length; block++) {
      latencies.push((receivedMs[block] as number) - (writtenMs[block] as number));
    }
    return {
      blocksWritten: writtenMs.length,
      datagramsReceived: receivedMs.length,
      missing: writtenMs.length - WARMUP_BLOCKS - latencies.length,
      latencyMs: distributionOf(latencies),
      writeLatenessMs: distributionOf(latenessMs.slice(WARMUP_BLOCKS)),
    };
  } finally {
    stdin.end();
    await worker.stop();
    receiver.close();
    await removeDir(vjHome);
  }
}

/**
 * Writes `blockCount` blocks of `audio` (looping it), one every hop period
 * against a fixed schedule, so that a late timer does not push later blocks.
 */
async function writePaced(
  stdin: PassThrough,
  audio: DecodedAudio,
  blockCount: number,
): Promise<{ writtenMs: number[]; latenessMs: number[] }> {
  const periodMs = (1000 * BLOCK_FRAMES) / audio.sampleRate;
  const blockSamples = BLOCK_FRAMES * audio.channels;
  const blocksInClip = Math.floor(audio.samples.length / blockSamples);
  const writtenMs: number[] = [];
  const latenessMs: number[] = [];
  const startMs = performance.now() + 50;

  for (let block = 0; block < blockCount; block++) {
    const dueMs = startMs + block * periodMs;
    const waitMs = dueMs - performance.now();
    if (waitMs > 0) {
      await sleep(waitMs);
    }
    const offset = (block % blocksInClip) * blockSamples;
    const samples = audio.samples.subarray(offset, offset + blockSamples);
    const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    const now = performance.now();
    writtenMs.push(now);
    latenessMs.push(now - dueMs);
    stdin.write(bytes);
  }
  return { writtenMs, latenessMs };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function discard(): Writable {
  return new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });
}
