/**
 * Screen 5, Logs: the aggregated log (or, without the log aggregator, each
 * worker's own records) with level colours, a worker and level filter, and
 * scrolling back from the newest line.
 */
import type { LogLevel } from '@vj/bus';
import type { LogLine } from '../../model/log-buffer';
import { cell, clip, colour, escapeTags, heading, timeOfDay } from '../format';
import type { RenderContext, Screen } from '../screen';

const LEVEL_COLOURS: Record<LogLevel, string> = {
  trace: 'gray',
  debug: 'blue',
  info: 'green',
  warn: 'yellow',
  error: 'red',
  fatal: 'magenta',
};
const WORKER_WIDTH = 16;

export const logsScreen: Screen = {
  title: 'Logs',
  kinds: new Set(['logs', 'status']),
  render(context: RenderContext): string {
    const { model, view, width, height } = context;
    const lines = model.telemetry.logs.filtered(view.logFilter);
    const room = Math.max(1, height - 2);
    const scroll = clampScroll(view.logScroll, lines.length, room);
    const end = lines.length - scroll;
    const shown = lines.slice(Math.max(0, end - room), end);

    const source =
      model.bus.workers().log_aggregator === undefined ? 'workers (no log_aggregator)' : 'log_aggregator';
    const position = scroll === 0 ? 'following' : `${scroll} lines up, End follows`;
    const filter = `worker ${view.logFilter.worker ?? 'all'} (w)  level ${view.logFilter.minLevel}+ (l)  ${shown.length}/${lines.length} lines, ${position}`;
    const output = [heading(`Logs from ${source}`, width), escapeTags(clip(filter, width))];
    if (lines.length === 0) output.push('no log lines match yet');
    for (const line of shown) output.push(logLine(line, width));
    return output.slice(0, height).join('\n');
  },
};

/** Keeps a scroll offset between 0 (newest line at the bottom) and the top of the buffer. */
export function clampScroll(scroll: number, total: number, room: number): number {
  return Math.min(Math.max(0, scroll), Math.max(0, total - room));
}

function logLine(line: LogLine, width: number): string {
  const fields = Object.keys(line.fields).length === 0 ? '' : ` ${JSON.stringify(line.fields)}`;
  const level = colour(LEVEL_COLOURS[line.level], line.level.toUpperCase().padEnd(5));
  const head = `${timeOfDay(line.time * 1000)} `;
  const rest = `${cell(line.worker, WORKER_WIDTH)} ${line.msg}${fields}`;
  return `${head}${level} ${escapeTags(clip(rest, Math.max(0, width - head.length - 6)))}`;
}
