import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeTempDir, removeDir } from '@vj/test-support';
import pino from 'pino';
import { loadRestartHistory, saveRestartHistory } from '../src/restart-history';

describe('restart history file', () => {
  let dir: string;
  const warnings: string[] = [];
  const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });

  beforeEach(async () => {
    dir = await makeTempDir('vj-restart-history-');
    warnings.length = 0;
  });

  afterEach(async () => {
    await removeDir(dir);
  });

  test('saved history loads back', async () => {
    const file = path.join(dir, 'restarts.json');

    await saveRestartHistory(file, { audio_analyzer: [1, 2], log_aggregator: [] });

    await expect(loadRestartHistory(file, log)).resolves.toEqual({
      audio_analyzer: [1, 2],
      log_aggregator: [],
    });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      restarts: { audio_analyzer: [1, 2], log_aggregator: [] },
    });
  });

  test('missing file is an empty history', async () => {
    await expect(loadRestartHistory(path.join(dir, 'absent.json'), log)).resolves.toEqual({});
    expect(warnings).toEqual([]);
  });

  test('invalid file is empty with a warning', async () => {
    const file = path.join(dir, 'restarts.json');
    writeFileSync(file, '{"restarts": [1, 2');

    await expect(loadRestartHistory(file, log)).resolves.toEqual({});
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('restart history invalid');
  });

  test('times that are not numbers are dropped', async () => {
    const file = path.join(dir, 'restarts.json');
    writeFileSync(
      file,
      JSON.stringify({ restarts: { audio_analyzer: [5, 'soon', null, 7], example_worker: 'never' } }),
    );

    await expect(loadRestartHistory(file, log)).resolves.toEqual({ audio_analyzer: [5, 7] });
  });
});
