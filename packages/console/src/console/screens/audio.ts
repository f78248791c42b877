/**
 * Screen 2, Audio: the input, tempo, beat, pitch and structure, live bars for
 * the 7 bands and RMS, the 32-bin spectrum and the analyser's timing stats.
 */
import { type AudioFeatures, type AudioStats, BandNames, type BeatOverride, type InputStatus } from '@vj/bus';
import { AUDIO_ANALYZER } from '../../model/actions';
import { bar, clip, clipStart, colour, columns, escapeTags, formatAge, heading } from '../format';
import type { RenderContext, Screen } from '../screen';

/** How long the beat indicator stays lit after an `audio.beat`, in ms. */
export const BEAT_FLASH_MS = 150;

/** Age after which the last frame is marked stale, in ms. */
const STALE_AFTER_MS = 2000;
const LABEL_WIDTH = 10;
const VALUE_WIDTH = 6;
const STATS_LINES = 3;
const INPUT_STATUS_COLOURS: Record<InputStatus, string> = {
  signal: 'green',
  silent: 'yellow',
  clipping: 'red',
  no_input: 'red',
};

export const audioScreen: Screen = {
  title: 'Audio',
  kinds: new Set(['audio', 'beat', 'status']),
  render(context: RenderContext): string {
    const { model, width, height, nowMs } = context;
    const telemetry = model.telemetry;
    const features = telemetry.audio;
    const stats = telemetry.audioStats?.value;
    const lines = [inputLine(features?.value, stats, width)];

    if (features === undefined) {
      const running = model.bus.workers()[AUDIO_ANALYZER] !== undefined;
      lines.push(
        '',
        escapeTags(
          clip(
            running
              ? 'audio_analyzer runs but has sent no audio.features yet; check its input (d picks a device).'
              : 'audio_analyzer is not running; start it with pnpm start or pnpm --filter @vj/worker-audio dev.',
            width,
          ),
        ),
      );
      lines.push(...statsLines(stats, width));
      return lines.join('\n');
    }

    const frame = features.value;
    const ageMs = nowMs - features.receivedAtMs;
    const beatLit = telemetry.beat !== undefined && nowMs - telemetry.beat.receivedAtMs < BEAT_FLASH_MS;
    lines.push(tempoLine(frame, beatLit, telemetry.beatCount, width));
    lines.push(beatLine(frame, width));
    lines.push(structureLine(frame, ageMs, width));

    const barWidth = Math.max(4, width - LABEL_WIDTH - VALUE_WIDTH - 1);
    lines.push(heading('Levels', width));
    BandNames.forEach((band, index) => {
      lines.push(levelLine(band, frame.bands[index] ?? 0, barWidth, 'cyan'));
    });
    lines.push(levelLine('rms', frame.rms, barWidth, 'green'));

    const spectrumRows = Math.max(2, height - lines.length - 1 - (STATS_LINES + 1));
    lines.push(heading('Spectrum (32 bins)', width));
    const columnWidth = Math.max(1, Math.floor((width - 1) / frame.spectrum.length));
    for (const row of columns(frame.spectrum, spectrumRows, columnWidth)) {
      lines.push(colour('magenta', row));
    }
    lines.push(...statsLines(stats, width));
    return lines.slice(0, height).join('\n');
  },
};

function inputLine(frame: AudioFeatures | undefined, stats: AudioStats | undefined, width: number): string {
  const description = stats?.source.description ?? '';
  // The analyser's description usually starts with the kind ("file /path/set.wav"), so it is not repeated.
  const source =
    stats === undefined
      ? 'input: –'
      : description.startsWith(stats.source.kind)
        ? description
        : `${stats.source.kind} ${description}`;
  const status = frame?.input_status ?? stats?.input_status;
  const peak = frame?.input_peak_dbfs ?? stats?.input_peak_dbfs;
  const peakText = peak === undefined ? '' : `  peak ${peak.toFixed(1)} dBFS`;
  const statusText = status === undefined ? '' : `  ${status}`;
  const room = Math.max(8, width - statusText.length - peakText.length);
  const shown = source.startsWith('input: ')
    ? source
    : `input: ${clipStart(source, room - 'input: '.length)}`;
  return `${escapeTags(shown)}${colour(INPUT_STATUS_COLOURS[status ?? 'silent'], statusText)}${peakText}`;
}

function tempoLine(frame: AudioFeatures, beatLit: boolean, beatCount: number, width: number): string {
  const bpm =
    frame.bpm > 0 ? `BPM ${frame.bpm.toFixed(1)} (confidence ${frame.bpm_confidence.toFixed(2)})` : 'BPM –';
  const beat = beatLit ? '{black-fg}{yellow-bg} ● BEAT {/yellow-bg}{/black-fg}' : ' ○ beat ';
  const pitch =
    frame.pitch_hz > 0
      ? `pitch ${frame.pitch_hz.toFixed(1)} Hz (${frame.pitch_confidence.toFixed(2)})`
      : 'pitch –';
  const text = `${bpm}   `;
  return `${escapeTags(text)}${beat}${escapeTags(clip(`  beats ${beatCount}   ${pitch}`, Math.max(0, width - text.length - 8)))}`;
}

/** Screen label of each beat override. */
const OVERRIDE_LABELS: Record<BeatOverride, string> = {
  none: 'automatic',
  tap: 'MANUAL: tapped tempo',
  octave: 'MANUAL: tempo doubled or halved',
  nudge: 'MANUAL: beat nudged',
  resync: 'MANUAL: beat 1 set',
};

/** Builds the line with the beat's place in the bar and whether the performer has taken over the beat. */
function beatLine(frame: AudioFeatures, width: number): string {
  const barBeat = frame.bar_beat ?? 0;
  const bar =
    barBeat > 0
      ? `bar beat ${barBeat} (${frame.downbeat_known === true ? 'beat 1 known' : 'counted from the lock'})`
      : 'bar beat –';
  const override = frame.beat_override ?? 'none';
  const mode = OVERRIDE_LABELS[override];
  const plain = `${bar}   `;
  if (override === 'none') {
    return escapeTags(clip(`${plain}${mode}`, width));
  }
  const hint = clip(`${mode}; a returns to automatic`, Math.max(0, width - plain.length));
  return `${escapeTags(plain)}${colour('yellow', escapeTags(hint))}`;
}

function structureLine(frame: AudioFeatures, ageMs: number, width: number): string {
  const buildup = frame.is_buildup === true ? colour('yellow', 'BUILD-UP') : 'build-up ·';
  const drop = frame.is_drop === true ? colour('red', 'DROP') : 'drop ·';
  const trend = frame.energy_trend === undefined ? '' : `  trend ${signed(frame.energy_trend)}`;
  const loudness =
    frame.loudness_momentary_lufs === undefined ? '' : `  ${frame.loudness_momentary_lufs.toFixed(1)} LUFS`;
  const stale =
    ageMs > STALE_AFTER_MS ? colour('yellow', `  stale: last frame ${formatAge(ageMs / 1000)} ago`) : '';
  return `${buildup}  ${drop}${escapeTags(clip(`${trend}${loudness}  frame ${frame.frame}`, width))}${stale}`;
}

function levelLine(label: string, value: number, barWidth: number, barColour: string): string {
  return `${label.padEnd(LABEL_WIDTH)}${colour(barColour, bar(value, barWidth))} ${value.toFixed(2).padStart(VALUE_WIDTH - 1)}`;
}

function statsLines(stats: AudioStats | undefined, width: number): string[] {
  const lines = [heading('Analyser', width)];
  if (stats === undefined) return [...lines, 'no audio.stats yet'];
  const timing = `capture age p50 ${stats.capture_age_ms.p50.toFixed(1)} p99 ${stats.capture_age_ms.p99.toFixed(1)} ms   analysis p50 ${stats.analysis_ms.p50.toFixed(2)} p99 ${stats.analysis_ms.p99.toFixed(2)} ms`;
  const counts = `frames ${stats.frames}  ${stats.frames_per_s.toFixed(1)}/s  dropped ${stats.dropped_blocks}  OSC sent ${stats.osc_sent}  errors ${stats.osc_errors}`;
  return [...lines, escapeTags(clip(counts, width)), escapeTags(clip(timing, width))];
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : ''}${value.toFixed(2)}`;
}
