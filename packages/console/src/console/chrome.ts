/**
 * The lines around the screens: the tab bar at the top, the status line at
 * the bottom and the key help.
 */
import { clip, colour, escapeTags, timeOfDay } from './format';
import type { Screen } from './screen';

/** Fields of the app that the status line reads. */
export interface StatusSource {
  status: { ok: boolean | undefined; text: string; atMs: number } | undefined;
  errorCount: number;
  lastError: string | undefined;
  model: { invalidMessages: number; handlerErrors: number; telemetry: { invalidPayloads: number } };
}

/** Key help shown by `?`. */
export const HELP_TEXT = [
  ' 1-5        switch screen: Overview, Audio, Now playing, OSC, Logs',
  ' ↑ ↓  j k   select a worker (Overview), scroll (Logs)',
  ' PgUp PgDn  scroll the logs a page; End follows new lines',
  ' w  l       Logs: cycle the worker filter, the minimum level',
  ' r          restart the selected worker (process manager)',
  ' s          stop the selected worker, or start it when stopped',
  ' d          pick the audio input device',
  ' Space  t   tap the tempo (two taps or more)',
  ' *  /       double or halve the tempo',
  ' [  ]       move the beat 10 ms earlier or later',
  ' b  a       beat 1 is here; back to automatic tracking',
  ' ?  Esc     show or hide this help',
  ' q  C-c     quit; every worker keeps running',
].join('\n');

/** Builds the tab bar: ` vj  1 Overview  2 Audio …  ? help  q quit`, the visible screen in inverse. */
export function headerText(screens: readonly Screen[], current: number, width: number): string {
  const tabs = screens.map((screen, index) => {
    const label = ` ${index + 1} ${screen.title} `;
    return index === current ? `{inverse}${label}{/inverse}` : label;
  });
  const plainLength = screens.reduce(
    (total, screen, index) => total + ` ${index + 1} ${screen.title} `.length,
    0,
  );
  const right = ' ? help  q quit ';
  const left = '{bold} vj {/bold}';
  const gap = Math.max(1, width - 4 - plainLength - right.length);
  return `${left}${tabs.join('')}${' '.repeat(gap)}${right}`;
}

/** Builds the status line: the last action result on the left, error counts on the right. */
export function statusText(source: StatusSource, width: number, nowMs: number): string {
  const problems: string[] = [];
  if (source.errorCount > 0) problems.push(`errors ${source.errorCount}: ${source.lastError ?? ''}`);
  const invalid = source.model.invalidMessages + source.model.telemetry.invalidPayloads;
  if (invalid > 0) problems.push(`invalid messages ${invalid}`);
  if (source.model.handlerErrors > 0) problems.push(`handler errors ${source.model.handlerErrors}`);
  const right = clip(problems.join('  '), Math.floor(width / 2));

  const status = source.status;
  const leftRoom = Math.max(0, width - right.length - 1);
  if (status === undefined) {
    return `${escapeTags(clip('ready; ? shows the keys', leftRoom).padEnd(leftRoom))} ${colour('red', escapeTags(right))}`;
  }
  const ageS = (nowMs - status.atMs) / 1000;
  const stamp = `${timeOfDay(status.atMs)} `;
  const text = escapeTags(clip(`${stamp}${status.text}`, leftRoom).padEnd(leftRoom));
  return `${colour(tintOf(status.ok, ageS), text)} ${colour('red', escapeTags(right))}`;
}

/** Colour of the status text: green for ok, red for an error, yellow while pending, plain after 10 s. */
function tintOf(ok: boolean | undefined, ageS: number): string {
  if (ageS > 10) return 'white';
  if (ok === undefined) return 'yellow';
  return ok ? 'green' : 'red';
}
