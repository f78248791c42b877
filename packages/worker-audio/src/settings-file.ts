/**
 * Run-time settings that survive a restart. Every key changed with
 * `set_config` (or `set_device`) is saved in `$VJ_HOME/audio_analyzer.settings.json`
 * and applied again at start. A crash in the middle of a show then does not
 * send the analyser back to its default input.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type AudioConfig, checkAudioConfigKey } from './audio-config';

/** File name of the saved settings inside VJ_HOME. */
export const SETTINGS_FILE = 'audio_analyzer.settings.json';

/** Saved settings and the problems found while reading them. */
export interface LoadedSettings {
  settings: Partial<AudioConfig>;
  /** One sentence per key or file problem; the key is then left out. */
  problems: string[];
}

/**
 * Reads the saved settings. A missing file gives none; an unreadable or
 * corrupt file, or an invalid key, is reported in `problems` and skipped.
 */
export function loadSettings(vjHome: string): LoadedSettings {
  const file = path.join(vjHome, SETTINGS_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { settings: {}, problems: [] };
    return {
      settings: {},
      problems: [`${file} could not be read (${code ?? String(error)}); it is ignored`],
    };
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return {
      settings: {},
      problems: [`${file} is not valid JSON (${(error as Error).message}); it is ignored`],
    };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { settings: {}, problems: [`${file} does not hold a JSON object; it is ignored`] };
  }

  const settings: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    const verdict = checkAudioConfigKey(key, value);
    if (verdict === true) settings[key] = value;
    else problems.push(`saved setting ${key} in ${file} is skipped: ${verdict}`);
  }
  return { settings: settings as Partial<AudioConfig>, problems };
}

/** Writes the settings atomically (a temporary file, then a rename). */
export async function saveSettings(vjHome: string, settings: Partial<AudioConfig>): Promise<void> {
  const file = path.join(vjHome, SETTINGS_FILE);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await mkdir(vjHome, { recursive: true });
  try {
    await writeFile(temporary, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Removes the saved settings; a missing file is not an error. */
export async function clearSettings(vjHome: string): Promise<void> {
  await rm(path.join(vjHome, SETTINGS_FILE), { force: true });
}
