/**
 * The `vj-audio` command line: offline analysis of audio files.
 *
 * @example
 * vj-audio analyze set/track.wav --json
 */
import { BandNames, isVjError } from '@vj/bus';
import { Command, InvalidArgumentError } from 'commander';
import type { FrameFeatures } from '../analysis/types';
import { type AnalysisSummary, analyzeFile } from './analyze';

function parseInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed)) throw new InvalidArgumentError(`expected an integer, received "${value}"`);
  return parsed;
}

function frameLine(frame: FrameFeatures): string {
  return JSON.stringify({
    frame: frame.frame,
    time_s: frame.timeS,
    bands: frame.bands,
    rms: frame.rms,
    is_onset: frame.isOnset,
    flux: frame.flux,
    bpm: frame.bpm,
    bpm_confidence: frame.bpmConfidence,
    pitch_hz: frame.pitchHz,
    pitch_confidence: frame.pitchConfidence,
    centroid_hz: frame.centroidHz,
    loudness_momentary_lufs: frame.loudnessMomentaryLufs,
    input_peak_dbfs: frame.inputPeakDbfs,
    input_status: frame.inputStatus,
  });
}

function formatSummary(summary: AnalysisSummary): string {
  const lines = [
    `file            ${summary.file}`,
    `duration        ${summary.duration_s.toFixed(2)} s, ${summary.sample_rate} Hz, ${summary.channels} channel(s)`,
    `tempo           ${summary.bpm > 0 ? `${summary.bpm.toFixed(1)} BPM` : 'no estimate'} (confidence ${summary.bpm_confidence.toFixed(2)})`,
    `beats           ${summary.beats_s.length}`,
    `onsets          ${summary.onsets_s.length}`,
    `analysis        ${summary.frames} frames in ${summary.analysis_s.toFixed(2)} s (${summary.speed_x_realtime}x real time)`,
    '',
    'level           mean    p95     max',
  ];
  for (const name of [...BandNames, 'rms']) {
    const stats = summary.levels[name];
    if (stats === undefined) continue;
    lines.push(
      `${name.padEnd(15)} ${stats.mean.toFixed(3)}   ${stats.p95.toFixed(3)}   ${stats.max.toFixed(3)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Builds the command tree; `write` receives stdout text, so tests can run it in-process. */
export function buildProgram(write: (text: string) => void): Command {
  const program = new Command('vj-audio')
    .description('Audio analysis of the vj toolkit: the same analysis as the live worker, run over files.')
    .exitOverride()
    .configureOutput({ writeOut: write });

  program
    .command('analyze')
    .description(
      'Analyse an audio file as fast as possible and print a summary (WAV natively, other formats through ffmpeg).',
    )
    .argument('<file>', 'audio file to analyse')
    .option('--json', 'print the summary as one JSON object instead of a table')
    .option('--frames', 'print one JSON line per analysis frame before the summary')
    .option(
      '--window <samples>',
      'analysis window in samples, a power of two from 256 to 8192',
      parseInteger,
      1024,
    )
    .option('--hop <samples>', 'samples between analysis frames, up to the window size', parseInteger, 512)
    .action(
      async (file: string, options: { json?: boolean; frames?: boolean; window: number; hop: number }) => {
        const summary = await analyzeFile(file, {
          analysis: { windowSize: options.window, hopSize: options.hop },
          onFrame: options.frames ? (frame) => write(`${frameLine(frame)}\n`) : undefined,
        });
        write(options.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
      },
    );
  return program;
}

/**
 * Runs the command line and returns the exit code: 0 on success, 1 for an
 * input the analysis could not read, 2 for a usage error.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const program = buildProgram((text) => process.stdout.write(text));
  try {
    await program.parseAsync(argv as string[]);
    return 0;
  } catch (error) {
    if (isVjError(error)) {
      process.stderr.write(`vj-audio: ${error.message} [${error.code}]\n`);
      return 1;
    }
    const code = (error as { code?: string; exitCode?: number }).code;
    if (typeof code === 'string' && code.startsWith('commander.')) {
      // commander has already printed its message or the help text.
      return code === 'commander.helpDisplayed' || code === 'commander.version' ? 0 : 2;
    }
    throw error;
  }
}
