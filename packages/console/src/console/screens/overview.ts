/**
 * Screen 1, Overview: a line of key metrics, one row per worker and the last
 * lifecycle events. With no worker at all it shows how to start them.
 */
import type { SystemModel } from '../../model/system-model';
import { FRESH_FOR_MS, freshValue } from '../../model/telemetry';
import type { WorkerRow } from '../../model/workers';
import {
  cell,
  clip,
  colour,
  escapeTags,
  formatAge,
  formatDuration,
  heading,
  healthColour,
  rightCell,
  timeOfDay,
} from '../format';
import type { RenderContext, Screen } from '../screen';

// Fixed column widths at 80 columns; the name and pm2 columns take what a wider terminal adds.
const NAME_WIDTH = 16;
const HEALTH_WIDTH = 10;
const PM2_WIDTH = 9;
const PID_WIDTH = 7;
const UPTIME_WIDTH = 7;
const RESTARTS_WIDTH = 4;
const HEARTBEAT_WIDTH = 6;
const PORTS_WIDTH = 11;
const FIXED_WIDTH =
  2 +
  NAME_WIDTH +
  HEALTH_WIDTH +
  PM2_WIDTH +
  PID_WIDTH +
  UPTIME_WIDTH +
  RESTARTS_WIDTH +
  HEARTBEAT_WIDTH +
  PORTS_WIDTH +
  7;
const MIN_EVENT_LINES = 3;
// Registry names are at most 64 characters but in practice under 20; pm2's longest status is "waiting restart".
const MAX_NAME_WIDTH = 28;
const MAX_PM2_WIDTH = 16;

export const overviewScreen: Screen = {
  title: 'Overview',
  kinds: new Set(['workers', 'events', 'status']),
  render(context: RenderContext): string {
    const { model, width, height, nowMs } = context;
    const rows = model.workers(nowMs);
    const lines = [metricsLine(model, nowMs, width), processManagerLine(model, width)];
    if (rows.length === 0) return [...lines, '', ...emptyHelp(model, width)].join('\n');

    const extra = Math.max(0, width - FIXED_WIDTH);
    const nameWidth = Math.min(MAX_NAME_WIDTH, NAME_WIDTH + Math.ceil(extra / 2));
    const pm2Width = Math.min(MAX_PM2_WIDTH, PM2_WIDTH + Math.floor(extra / 2));
    const tableRoom = Math.max(1, height - lines.length - 2 - (MIN_EVENT_LINES + 1));
    const visible = visibleRows(rows, context.view.selectedWorker, tableRoom);

    lines.push(heading(`Workers (${rows.length})`, width));
    lines.push(
      `{underline}${cell('  NAME', nameWidth + 2)} ${cell('HEALTH', HEALTH_WIDTH)} ${cell('PM2', pm2Width)} ${rightCell('PID', PID_WIDTH)} ${rightCell('UPTIME', UPTIME_WIDTH)} ${rightCell('RST', RESTARTS_WIDTH)} ${rightCell('HB', HEARTBEAT_WIDTH)} ${cell('CMD/TEL', PORTS_WIDTH)}{/underline}`,
    );
    for (const row of visible) {
      lines.push(workerLine(row, row.name === context.view.selectedWorker, nameWidth, pm2Width));
    }

    const eventRoom = Math.max(0, height - lines.length - 1);
    lines.push(heading('Events', width));
    lines.push(...eventLines(model, eventRoom, width));
    return lines.slice(0, height).join('\n');
  },
};

function metricsLine(model: SystemModel, nowMs: number, width: number): string {
  const telemetry = model.telemetry;
  const features = freshValue(telemetry.audio, nowMs, FRESH_FOR_MS.audio);
  const bpm = features !== undefined && features.bpm > 0 ? features.bpm.toFixed(1) : '–';
  const peak = features?.input_peak_dbfs;
  const level =
    peak === undefined
      ? features === undefined
        ? '–'
        : `rms ${features.rms.toFixed(2)}`
      : `${peak.toFixed(1)} dBFS`;
  const playing = freshValue(telemetry.nowPlaying, nowMs, FRESH_FOR_MS.nowPlaying);
  const track =
    playing === undefined
      ? '–'
      : playing.title === null
        ? nowPlayingState(playing.availability, playing.hint !== null)
        : `${playing.artist ?? '?'} – ${playing.title}`;
  const oscRate = sumRates(model, nowMs);
  const errors = telemetry.errorsInLastMinute(nowMs);
  const errorsText = errors > 0 ? colour('red', `errors/min ${errors}`) : `errors/min ${errors}`;
  const before = `BPM ${bpm}  in ${level}  ♪ `;
  const after = `  OSC ${oscRate}  errors/min ${errors}`;
  const trackRoom = Math.max(8, width - before.length - after.length);
  return `${escapeTags(`${before}${clip(track, trackRoom)}  OSC ${oscRate}`)}  ${errorsText}`;
}

/**
 * Returns the short state shown where the track would be, such as "no
 * player". The hint is a whole sentence, so only the Now playing screen has room for it.
 */
function nowPlayingState(availability: string, hasHint: boolean): string {
  const state = availability.replace(/_/g, ' ');
  return hasHint ? `${state} (3 shows why)` : state;
}

function sumRates(model: SystemModel, nowMs: number): string {
  const stats = freshValue(model.telemetry.oscStats, nowMs, FRESH_FOR_MS.oscStats);
  if (stats === undefined) return '–';
  let total = 0;
  for (const address of Object.values(stats.addresses)) total += address.rate_per_s;
  return `${Math.round(total)}/s`;
}

function processManagerLine(model: SystemModel, width: number): string {
  const view = model.processManager;
  if (view.state === 'ok')
    return colour('green', escapeTags(clip(`process manager: ${view.workers.length} supervised`, width)));
  if (view.state === 'error')
    return colour(
      'red',
      escapeTags(clip(`process manager: ${view.error}; lifecycle columns are stale`, width)),
    );
  return colour(
    'yellow',
    escapeTags(clip('process manager: not running; lifecycle columns empty, r and s unavailable', width)),
  );
}

function emptyHelp(model: SystemModel, width: number): string[] {
  const text = [
    `No workers are running (registry: ${model.bus.registry.path}).`,
    '',
    'Start every worker under pm2 with:   pnpm start',
    'or run one alone, restarting on change:',
    '  pnpm --filter @vj/worker-audio dev',
    '  pnpm --filter @vj/worker-example dev',
    '(likewise worker-spotify, worker-osc-debug, worker-logs, process-manager).',
    '',
    'Workers appear here by themselves once they register.',
  ];
  return text.map((line) => escapeTags(clip(line, width)));
}

function visibleRows(rows: WorkerRow[], selected: string | undefined, room: number): WorkerRow[] {
  if (rows.length <= room) return rows;
  const index = Math.max(
    0,
    rows.findIndex((row) => row.name === selected),
  );
  const first = Math.min(Math.max(0, index - room + 1), rows.length - room);
  return rows.slice(first, first + room);
}

function workerLine(row: WorkerRow, selected: boolean, nameWidth: number, pm2Width: number): string {
  const marker = selected ? '▶ ' : '  ';
  const name = escapeTags(cell(row.name, nameWidth));
  const health = colour(healthColour(row.health), escapeTags(cell(row.health, HEALTH_WIDTH)));
  const rest = [
    cell(row.pm2Status ?? '–', pm2Width),
    rightCell(row.pid === undefined ? '–' : String(row.pid), PID_WIDTH),
    rightCell(formatDuration(row.uptimeS), UPTIME_WIDTH),
    rightCell(row.restarts === undefined ? '–' : String(row.restarts), RESTARTS_WIDTH),
    rightCell(formatAge(row.heartbeatAgeS), HEARTBEAT_WIDTH),
    cell(row.ports === undefined ? '–' : `${row.ports.command}/${row.ports.telemetry}`, PORTS_WIDTH),
  ].join(' ');
  const line = `${marker}${name} ${health} ${escapeTags(rest)}`;
  return selected ? `{inverse}${line}{/inverse}` : line;
}

function eventLines(model: SystemModel, room: number, width: number): string[] {
  if (model.events.length === 0) return [escapeTags(clip('no lifecycle events yet', width))];
  return model.events.slice(0, room).map((event) => {
    const text = `${timeOfDay(event.atMs)}  ${cell(event.worker, 16)} ${cell(event.event, 16)} ${event.detail}`;
    const line = escapeTags(clip(text, width));
    return event.event === 'worker_crashed' || event.event === 'worker_errored' ? colour('red', line) : line;
  });
}
