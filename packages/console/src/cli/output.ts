/**
 * Text output of the command line: aligned tables, durations and JSON.
 */

/** Placeholder for a value that no source has. */
export const NO_VALUE = '-';

/**
 * Renders rows under a header as columns padded with spaces, two spaces
 * apart, with a trailing newline. The last column is not padded.
 *
 * @example
 * formatTable(['NAME', 'PID'], [['example_worker', '4242']]);
 * // "NAME            PID\nexample_worker  4242\n"
 */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const lines = [header, ...rows].map((cells) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

/**
 * Renders a duration in seconds for a table: tenths below 10 s, then whole
 * seconds, minutes and hours, e.g. `4.2s`, `42s`, `3m 05s`, `2h 07m`.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return NO_VALUE;
  const clamped = Math.max(0, seconds);
  if (clamped < 10) return `${clamped.toFixed(1)}s`;

  const whole = Math.floor(clamped);
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m ${String(whole % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/** Renders a value as indented JSON with a trailing newline. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
