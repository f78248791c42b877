/**
 * Start-up settings from the environment: `VJ_AUDIO_CONFIG` contains either a
 * JSON object of settings or the path of a JSON file with one, so a pm2 app
 * entry or a shell can choose the input without a command.
 *
 * @example
 * VJ_AUDIO_CONFIG='{"source":"file","file":"set.wav"}' pnpm --filter @vj/worker-audio start
 */
import { readFileSync } from 'node:fs';
import { VjError } from '@vj/bus';
import type { AudioConfig } from './audio-config';

/**
 * Reads the settings named by `VJ_AUDIO_CONFIG`; empty when it is unset.
 *
 * @throws VjError VJ_AUDIO_INVALID_CONFIG when the value is neither a JSON
 *   object nor a readable file containing one.
 */
export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<AudioConfig> {
  const value = env.VJ_AUDIO_CONFIG?.trim();
  if (value === undefined || value === '') return {};

  let text = value;
  let origin = 'VJ_AUDIO_CONFIG';
  if (!value.startsWith('{')) {
    origin = `the file ${value} named by VJ_AUDIO_CONFIG`;
    try {
      text = readFileSync(value, 'utf8');
    } catch (error) {
      throw new VjError(
        'VJ_AUDIO_INVALID_CONFIG',
        `VJ_AUDIO_CONFIG names ${value}, which could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)}); set it to a JSON object or the path of a JSON file`,
        { cause: error, path: value, shortMessage: 'VJ_AUDIO_CONFIG file unreadable' },
      );
    }
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new VjError(
      'VJ_AUDIO_INVALID_CONFIG',
      `${origin} is not valid JSON (${(error as Error).message}); fix it or unset VJ_AUDIO_CONFIG`,
      {
        cause: error,
        shortMessage: 'VJ_AUDIO_CONFIG is not JSON',
      },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new VjError(
      'VJ_AUDIO_INVALID_CONFIG',
      `${origin} must be a JSON object of settings such as {"source":"demo"}, received ${JSON.stringify(parsed)}`,
      {
        shortMessage: 'VJ_AUDIO_CONFIG is not an object',
      },
    );
  }
  return parsed as Partial<AudioConfig>;
}
