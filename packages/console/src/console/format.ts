/**
 * Text helpers of the screens: blessed tag escaping, fixed-width cells, level
 * bars, durations and clock times. Every width is in terminal columns, and
 * every character drawn here takes one column.
 */

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const COLUMN_BLOCKS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/** Escapes `{` and `}` so that text from the bus is shown as is and never read as a blessed tag. */
export function escapeTags(text: string): string {
  return text.replace(/[{}]/g, (brace) => (brace === '{' ? '{open}' : '{close}'));
}

/** Cuts `text` to `width` columns with a trailing `…`, or pads it with spaces on the right. */
export function cell(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return `${text.slice(0, Math.max(0, width - 1))}…`;
  return text.padEnd(width);
}

/** Like cell(), padded on the left, for numbers. */
export function rightCell(text: string, width: number): string {
  if (text.length > width) return cell(text, width);
  return text.padStart(width);
}

/** Cuts `text` to `width` columns without padding. */
export function clip(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

/** Cuts `text` to `width` columns from the left, keeping its end, as for file paths. */
/** Breaks text into lines of at most `width` characters at spaces; a longer word is cut. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line = `${line} ${word}`;
    else {
      lines.push(clip(line, width));
      line = word;
    }
  }
  if (line !== '') lines.push(clip(line, width));
  return lines;
}

export function clipStart(text: string, width: number): string {
  return text.length > width ? `…${text.slice(text.length - Math.max(0, width - 1))}` : text;
}

/** Draws a horizontal bar of `value` (0–1) over `width` columns, with eighth-block precision. */
export function bar(value: number, width: number): string {
  const clamped = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
  const eighths = Math.round(clamped * width * 8);
  const full = Math.floor(eighths / 8);
  const partial = EIGHTHS[eighths % 8] ?? '';
  return `${'█'.repeat(full)}${partial}`.padEnd(width);
}

/**
 * Draws values 0–1 as vertical columns `height` rows high, each value
 * `columnWidth` columns wide. Returns the rows from top to bottom.
 */
export function columns(values: readonly number[], height: number, columnWidth: number): string[] {
  const rows: string[] = [];
  for (let row = height - 1; row >= 0; row--) {
    let line = '';
    for (const value of values) {
      const clamped = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
      // Eighths of this row that the column fills, 0 to 8.
      const level = Math.round(clamped * height * 8) - row * 8;
      const block = COLUMN_BLOCKS[Math.min(8, Math.max(0, level))] ?? ' ';
      line += block.repeat(columnWidth);
    }
    rows.push(line);
  }
  return rows;
}

/** Formats a duration in seconds as `42s`, `3m05s`, `2h04m` or `3d04h`. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–';
  const whole = Math.max(0, Math.floor(seconds));
  if (whole < 60) return `${whole}s`;
  if (whole < 3600) return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
  if (whole < 86400)
    return `${Math.floor(whole / 3600)}h${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')}m`;
  return `${Math.floor(whole / 86400)}d${String(Math.floor((whole % 86400) / 3600)).padStart(2, '0')}h`;
}

/** Formats an age in seconds with one decimal under a minute: `0.4s`, `12.0s`, then as formatDuration. */
export function formatAge(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–';
  return seconds < 60 ? `${Math.max(0, seconds).toFixed(1)}s` : formatDuration(seconds);
}

/** Formats a position in seconds as `m:ss`. */
export function formatClock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '-:--';
  const whole = Math.max(0, Math.floor(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
}

/** Formats Unix ms as local `HH:MM:SS`. */
export function timeOfDay(unixMs: number): string {
  const date = new Date(unixMs);
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((part) => String(part).padStart(2, '0'))
    .join(':');
}

/** Draws a section heading as a rule across `width` columns: `── Workers ─────`. */
export function heading(title: string, width: number): string {
  const text = `── ${title} `;
  return `{bold}${escapeTags(clip(text, width))}{/bold}${'─'.repeat(Math.max(0, width - text.length))}`;
}

/** blessed colour of a worker health or lifecycle state. */
export function healthColour(health: string): string {
  switch (health) {
    case 'healthy':
      return 'green';
    case 'starting':
    case 'checking':
    case 'restarting':
    case 'hung':
    case 'stale':
    case 'no reply':
      return 'yellow';
    case 'stopped':
      return 'white';
    default:
      return 'red';
  }
}

/** Wraps already escaped `text` in a blessed foreground colour tag. */
export function colour(name: string, text: string): string {
  return `{${name}-fg}${text}{/${name}-fg}`;
}
