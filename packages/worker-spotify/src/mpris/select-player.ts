/**
 * Choice of the MPRIS player to follow when several are on the bus.
 */
import type { PlaybackStatus } from '@vj/bus';

/** A player that may be chosen: its bus name without the MPRIS prefix, and its status. */
export interface PlayerCandidate {
  name: string;
  status: PlaybackStatus;
}

/**
 * Chooses the player to follow. The preferred one (`spotify`, or
 * `spotify.instance123` for a second instance) wins when present. Otherwise
 * the order is: the current choice while it plays, the first that plays, the
 * current choice while it is still there, the first one. Keeping the current
 * choice stops the worker from switching between two players that both play.
 * Returns undefined when `candidates` is empty.
 *
 * @example
 * selectPlayer([{ name: 'mpv', status: 'paused' }, { name: 'vlc', status: 'playing' }], 'spotify', 'mpv'); // 'vlc'
 */
export function selectPlayer(
  candidates: readonly PlayerCandidate[],
  preferred: string,
  current: string | undefined,
): string | undefined {
  if (preferred !== '') {
    const match = candidates.find(
      (player) => player.name === preferred || player.name.startsWith(`${preferred}.instance`),
    );
    if (match !== undefined) return match.name;
  }

  const kept = candidates.find((player) => player.name === current);
  if (kept?.status === 'playing') return kept.name;
  const playing = candidates.find((player) => player.status === 'playing');
  if (playing !== undefined) return playing.name;
  return kept?.name ?? candidates[0]?.name;
}
