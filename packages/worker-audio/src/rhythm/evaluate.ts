/**
 * `pnpm eval:rhythm`: runs the offline analysis of `vj-audio analyze --json`
 * over every clip of the development set, scores its tempo and tracked beats
 * against the manifest's ground truth, and prints the results beside the
 * anchors (aubio, aubiotrack, bpm-tools). The tracker's cost per frame is
 * timed on its own over the same clips.
 *
 * Usage: node --import tsx src/rhythm/evaluate.ts [--dir AUDIO_DIR]
 *   [--write docs/benchmarks.md] [--json FILE]
 * `--dir` defaults to the shared development set beside the checkout.
 * `--write` replaces the "## Rhythm tracking" section of that Markdown file
 * (or appends it), leaving the rest of the file as it is.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readAudioFile } from '../sources/audio-file';
import { measureAnalyzerCost } from './evaluation/analyzer-cost';
import { type Anchors, formatReport, type ScoredClip, summarizeCost } from './evaluation/report';
import { type ClipTruth, scoreClip } from './evaluation/scoring';
import { traceAnalysis, traceRhythm } from './evaluation/trace';

const SECTION_HEADING = '## Rhythm tracking';
/** Clip of the whole-analyser timing, the one the package benchmark times too. */
const COST_CLIP = 'xm-house-145bpm.wav';

interface ManifestEntry extends ClipTruth {
  anchors?: Anchors;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dir: { type: 'string' }, write: { type: 'string' }, json: { type: 'string' } },
  });
  const dir = values.dir ?? (await import('@vj/test-support')).devAudioDir();
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    files: ManifestEntry[];
  };

  // The whole analyser is timed first, in a fresh heap, before the clips fill it with garbage.
  const costAudio = await readAudioFile(path.join(dir, COST_CLIP));
  const analyzerCost = summarizeCost([measureAnalyzerCost(costAudio)]);

  const clips: ScoredClip[] = [];
  const costs: Float64Array[] = [];
  for (const entry of manifest.files) {
    const audio = await readAudioFile(path.join(dir, entry.name));
    // The first pass warms up the JIT so that the measured costs are those of a running worker.
    if (clips.length === 0) {
      traceRhythm(audio);
    }
    costs.push(traceRhythm(audio).costUs);
    clips.push({ score: scoreClip(entry, traceAnalysis(audio)), anchors: entry.anchors ?? {} });
  }

  const report = formatReport(clips, summarizeCost(costs), analyzerCost, COST_CLIP);
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
  const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, load average ${load} at the end`;
  const section = [
    SECTION_HEADING,
    '',
    `Produced by \`pnpm --filter @vj/worker-audio eval:rhythm\` on ${machine}, over the ${clips.length} clips of the development set (30 s each). The scores come from \`analyzeDecoded\`, the offline analysis behind \`vj-audio analyze --json\`, with its default settings (1024-sample Hann window, hop 512 at 44.1 kHz, noise gate −60 dBFS).`,
    '',
    report,
    '',
  ].join('\n');
  process.stdout.write(`${section}\n`);
  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify(clips, null, 1)}\n`);
  }
  if (values.write !== undefined) {
    writeSection(values.write, section);
  }
}

/** Replaces the rhythm section of the Markdown file `file`, or appends it when there is none. */
function writeSection(file: string, section: string): void {
  const text = readFileSync(file, 'utf8');
  const start = text.indexOf(`\n${SECTION_HEADING}\n`);
  if (start < 0) {
    writeFileSync(file, `${text.trimEnd()}\n\n${section}`);
    return;
  }
  const next = text.indexOf('\n## ', start + SECTION_HEADING.length + 1);
  const rest = next < 0 ? '' : text.slice(next);
  writeFileSync(file, `${text.slice(0, start + 1)}${section}${rest}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
