/**
 * Screen 4, OSC: packet counts and malformed packets, per-address rates, and
 * the latest captured messages with their type tags, arguments and source.
 */
import type { OscCapturedEntry, OscJsonArg } from '@vj/bus';
import { FRESH_FOR_MS } from '../../model/telemetry';
import { cell, clip, colour, escapeTags, heading, rightCell } from '../format';
import type { RenderContext, Screen } from '../screen';

const OSC_DEBUGGER = 'osc_debugger';
const ADDRESS_WIDTH = 28;

export const oscScreen: Screen = {
  title: 'OSC',
  kinds: new Set(['osc', 'status']),
  render(context: RenderContext): string {
    const { model, width, height, nowMs } = context;
    const telemetry = model.telemetry;
    const stats = telemetry.oscStats?.value;
    const lines: string[] = [];
    if (stats === undefined) {
      const running = model.bus.workers()[OSC_DEBUGGER] !== undefined;
      lines.push(
        escapeTags(
          clip(
            running
              ? 'osc_debugger runs but has sent no osc.stats yet.'
              : 'osc_debugger is not running; start it with pnpm start or pnpm --filter @vj/worker-osc-debug dev.',
            width,
          ),
        ),
      );
    } else {
      const malformed = `malformed ${stats.malformed}`;
      const ageMs = nowMs - (telemetry.oscStats?.receivedAtMs ?? nowMs);
      const stale =
        ageMs > FRESH_FOR_MS.oscStats
          ? colour('yellow', `  stale: osc.stats ${Math.round(ageMs / 1000)} s old`)
          : '';
      lines.push(
        `${escapeTags(`packets ${stats.packets}  messages ${stats.messages}  bundles ${stats.bundles}  `)}${stats.malformed > 0 ? colour('red', malformed) : malformed}${stale}`,
      );
    }

    const addresses = Object.entries(stats?.addresses ?? {}).sort(
      (a, b) => b[1].rate_per_s - a[1].rate_per_s,
    );
    const addressRoom = Math.max(1, Math.min(addresses.length, Math.floor((height - 4) / 3)));
    const addressWidth = Math.min(ADDRESS_WIDTH + Math.max(0, width - 80), 60);
    const shown = addressRoom < addresses.length ? `, ${addressRoom} shown` : '';
    lines.push(heading(`Addresses (${addresses.length}${shown}) by rate`, width));
    if (addresses.length === 0) lines.push('none yet');
    for (const [address, entry] of addresses.slice(0, addressRoom)) {
      const text = `${cell(address, addressWidth)} ${rightCell(entry.rate_per_s.toFixed(1), 7)}/s ${rightCell(String(entry.count), 9)}  ${formatArgs(entry.last_args)}`;
      lines.push(escapeTags(clip(text, width)));
    }

    const messageRoom = Math.max(0, height - lines.length - 1);
    lines.push(heading('Latest messages', width));
    if (telemetry.oscEntries.length === 0) lines.push('none yet');
    for (const entry of telemetry.oscEntries.slice(0, messageRoom)) {
      lines.push(entryLine(entry, addressWidth, width));
    }
    return lines.slice(0, height).join('\n');
  },
};

function entryLine(entry: OscCapturedEntry, addressWidth: number, width: number): string {
  const time = new Date(entry.received_at * 1000).toISOString().slice(11, 23);
  const source = `← ${entry.source_address}:${entry.source_port}`;
  if (entry.kind === 'malformed') {
    return colour(
      'red',
      escapeTags(clip(`${time} malformed at byte ${entry.offset}: ${entry.reason} ${source}`, width)),
    );
  }
  const head = `${time} ${cell(entry.address, addressWidth)} ,${entry.type_tags} `;
  const room = Math.max(0, width - head.length - source.length - 1);
  return `${escapeTags(head)}${escapeTags(cell(formatArgs(entry.args), room))} ${colour('cyan', escapeTags(source))}`;
}

/** Formats OSC arguments compactly: floats with 3 decimals, strings quoted, arrays in brackets. */
function formatArgs(args: readonly OscJsonArg[]): string {
  return args.map(formatArg).join(' ');
}

function formatArg(arg: OscJsonArg): string {
  switch (arg.type) {
    case 'f':
    case 'd':
      return typeof arg.value === 'number' ? arg.value.toFixed(3) : arg.value;
    case 's':
    case 'S':
      return JSON.stringify(arg.value);
    case 'array':
      return `[${formatArgs(arg.value)}]`;
    case 't':
      return arg.value.immediately ? 'immediately' : String(arg.value.unix_seconds);
    case 'r':
      return `rgba(${arg.value.red},${arg.value.green},${arg.value.blue},${arg.value.alpha})`;
    case 'm':
      return `midi(${arg.value.port},${arg.value.status},${arg.value.data1},${arg.value.data2})`;
    default:
      return String(arg.value);
  }
}
