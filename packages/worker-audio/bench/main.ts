/**
 * `pnpm bench` in packages/worker-audio: the audio analyser's speed, measured
 * four ways and compared with its goals.
 *
 * 1. Analysis time per frame of `Analyzer.process` (bench/frame-time.ts).
 * 2. End-to-end latency from a block written to the `stdin` source to its
 *    `/audio/levels` datagram on loopback (bench/latency.ts).
 * 3. Offline throughput of `analyzeDecoded` over the development set (bench/offline.ts).
 * 4. CPU and RSS of `src/main.ts` analysing a live stream (bench/live-cpu.ts).
 *
 * Usage: node --import tsx bench/main.ts [--only frame,latency,offline,live]
 *   [--latency-seconds 20] [--live-seconds 30] [--json FILE]
 * The clips are read in place from the development set beside the checkout.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { devAudioDir } from '@vj/test-support';
import { type FrameTimes, measureFrameTimes } from './frame-time';
import { type EndToEndLatency, measureEndToEndLatency } from './latency';
import { type LiveUsage, measureLiveUsage } from './live-cpu';
import { describeMachine, formatMachine, type MachineInfo } from './machine';
import { measureOfflineThroughput, type OfflineThroughput, readClips } from './offline';
import { formatTable, goalRows } from './report';

/** Clip of the per-frame, latency and live measurements: 30 s of steady house music at 44.1 kHz, stereo. */
const CLIP_NAME = 'xm-house-145bpm.wav';
const SECTIONS = ['frame', 'latency', 'offline', 'live'] as const;

/** Everything one run measured, as `--json` writes it. */
export interface BenchResult {
  machine: MachineInfo;
  loadAverageAtEnd: [number, number, number];
  frame?: FrameTimes;
  latency?: EndToEndLatency;
  offline?: OfflineThroughput;
  live?: LiveUsage;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string', default: SECTIONS.join(',') },
      'latency-seconds': { type: 'string', default: '20' },
      'live-seconds': { type: 'string', default: '30' },
      json: { type: 'string' },
    },
  });
  const only = new Set(values.only.split(','));
  const latencySeconds = Number(values['latency-seconds']);
  const liveSeconds = Number(values['live-seconds']);
  const unknown = [...only].filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0 || !(latencySeconds > 0) || !(liveSeconds > 0)) {
    console.error(
      `Usage: node --import tsx bench/main.ts [--only ${SECTIONS.join(',')}] [--latency-seconds S] [--live-seconds S] [--json FILE]`,
    );
    process.exitCode = 2;
    return;
  }

  const packageDir = path.resolve(__dirname, '..');
  const machine = describeMachine(packageDir);
  for (const line of formatMachine(machine)) console.log(line);
  const audioDir = devAudioDir();
  const clips = await readClips(audioDir);
  const clip = clips.find((entry) => entry.name === CLIP_NAME);
  if (clip === undefined) {
    throw new Error(
      `${audioDir}/manifest.json does not list ${CLIP_NAME}, which the per-frame, latency and live runs read. Restore the clip or run with --only offline`,
    );
  }
  const result: BenchResult = { machine, loadAverageAtEnd: machine.loadAverage };

  if (only.has('frame')) {
    console.log(`\nanalysis time per frame: ${CLIP_NAME}, window 1024, hop 512, all features …`);
    result.frame = measureFrameTimes(clip.audio);
  }
  if (only.has('latency')) {
    console.log(`end-to-end latency: ${latencySeconds} s of ${CLIP_NAME} through the stdin source …`);
    result.latency = await measureEndToEndLatency(clip.audio, latencySeconds);
  }
  if (only.has('offline')) {
    console.log(`offline throughput: ${clips.length} clips of ${audioDir} …`);
    result.offline = measureOfflineThroughput(clips);
  }
  if (only.has('live')) {
    console.log(`live CPU and RSS: src/main.ts on ${CLIP_NAME} in real time for ${liveSeconds} s …`);
    result.live = await measureLiveUsage(packageDir, path.join(audioDir, CLIP_NAME), liveSeconds);
  }
  result.loadAverageAtEnd = os.loadavg() as [number, number, number];

  console.log('');
  console.log(formatTable(goalRows(result)));
  console.log(
    `\nload average at end (1, 5, 15 min): ${result.loadAverageAtEnd.map((v) => v.toFixed(2)).join(', ')}`,
  );
  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`figures written to ${values.json}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
