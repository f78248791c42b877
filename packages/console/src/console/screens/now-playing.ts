/**
 * Screen 3, Now playing: the player, artist, title and album, a progress bar
 * and whether it plays. The position moves on between reports while playing.
 */
import type { PlaybackStatus } from '@vj/bus';
import { bar, clip, colour, escapeTags, formatClock, heading, wrap } from '../format';
import type { RenderContext, Screen } from '../screen';

const SPOTIFY_MONITOR = 'spotify_monitor';
const LABEL_WIDTH = 9;
const STATUS_COLOURS: Record<PlaybackStatus, string> = {
  playing: 'green',
  paused: 'yellow',
  stopped: 'white',
};

export const nowPlayingScreen: Screen = {
  title: 'Now playing',
  kinds: new Set(['now_playing', 'status']),
  render(context: RenderContext): string {
    const { model, width, nowMs } = context;
    const received = model.telemetry.nowPlaying;
    const lines = [heading('Now playing', width)];
    if (received === undefined) {
      const running = model.bus.workers()[SPOTIFY_MONITOR] !== undefined;
      lines.push(
        escapeTags(
          clip(
            running
              ? 'spotify_monitor runs but has sent no spotify.state yet.'
              : 'spotify_monitor is not running; start it with pnpm start or pnpm --filter @vj/worker-spotify dev.',
            width,
          ),
        ),
      );
      return lines.join('\n');
    }

    const state = received.value;
    lines.push(field('player', `${state.player ?? '–'} (${state.backend})`, width));
    lines.push(`${'status'.padEnd(LABEL_WIDTH)}${colour(STATUS_COLOURS[state.status], state.status)}`);
    if (state.availability !== 'ok') {
      // The hint tells the user what to do, so it wraps instead of being cut at the screen's edge.
      for (const line of wrap(`${state.availability}: ${state.hint ?? ''}`, width)) {
        lines.push(colour('yellow', escapeTags(line)));
      }
    }
    lines.push('');
    lines.push(field('artist', state.artist ?? '–', width));
    lines.push(field('title', state.title ?? '–', width));
    lines.push(field('album', state.album ?? '–', width));
    lines.push('');

    // Between reports the position is extrapolated here as the worker does, so the bar moves every second.
    const elapsedS = state.status === 'playing' ? (nowMs - received.receivedAtMs) / 1000 : 0;
    const duration = state.duration_s;
    const position =
      state.position_s === null
        ? null
        : Math.min(duration ?? Number.POSITIVE_INFINITY, state.position_s + elapsedS);
    const times = ` ${formatClock(position)} / ${formatClock(duration)}`;
    const fraction = position !== null && duration !== null && duration > 0 ? position / duration : 0;
    lines.push(`${colour('green', bar(fraction, Math.max(4, width - times.length - 1)))}${times}`);
    lines.push('');
    lines.push(escapeTags(clip(`track changes seen: ${state.track_changes}`, width)));
    if (state.missing.length > 0) {
      lines.push(escapeTags(clip(`left empty by the player: ${state.missing.join(', ')}`, width)));
    }
    return lines.slice(0, context.height).join('\n');
  },
};

function field(label: string, value: string, width: number): string {
  return `{bold}${label.padEnd(LABEL_WIDTH)}{/bold}${escapeTags(clip(value, Math.max(0, width - LABEL_WIDTH)))}`;
}
