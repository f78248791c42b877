import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AggregatedLogRecord } from '@vj/bus';
import { makeTempDir, removeDir } from '@vj/test-support';
import { parseQuery, runFileQuery, runQuery } from '../src';

function record(
  seq: number,
  level: AggregatedLogRecord['level'],
  worker: string,
  msg: string,
  time: number,
): AggregatedLogRecord {
  return {
    time,
    mono_ms: 0,
    seq,
    worker,
    level,
    msg,
    pid: 1,
    fields: { scene: `scene-${seq}` },
    via: 'bus',
    stream: null,
    origin_seq: seq,
  };
}

const RECORDS = [
  record(1, 'debug', 'audio_analyzer', 'frame analysed', 100),
  record(2, 'warn', 'audio_analyzer', 'input clipped', 101),
  record(3, 'error', 'osc_debugger', 'port in use', 102),
  record(4, 'info', 'osc_debugger', 'Port changed', 102),
];

describe('query', () => {
  test('level returns that level and above', () => {
    const result = runQuery(RECORDS, parseQuery({ level: 'warn' }));

    expect(result.records.map((entry) => entry.seq)).toEqual([3, 2]);
    expect(result).toMatchObject({ matched: 2, buffered: 4 });
  });

  test('text matches message or fields case-insensitively', () => {
    expect(runQuery(RECORDS, parseQuery({ text: 'PORT' })).records.map((entry) => entry.seq)).toEqual([4, 3]);
    expect(runQuery(RECORDS, parseQuery({ text: 'scene-1' })).records.map((entry) => entry.seq)).toEqual([1]);
  });

  test('since, until, worker and limit combine', () => {
    const result = runQuery(
      RECORDS,
      parseQuery({ since: 101, until: 102, worker: 'osc_debugger', limit: 1 }),
    );

    expect(result.records.map((entry) => entry.seq)).toEqual([4]);
    expect(result.matched).toBe(2);
  });

  test.each([
    [{ level: 'loud' }, 'level'],
    [{ worker: 3 }, 'worker'],
    [{ text: 5 }, 'text'],
    [{ since: 'yesterday' }, 'since'],
    [{ limit: 0 }, 'limit'],
    [{ files: 'yes' }, 'files'],
  ])('parseQuery rejects %j', (payload, field) => {
    expect(() => parseQuery(payload)).toThrow(
      expect.objectContaining({
        code: 'VJ_BUS_INVALID_PAYLOAD',
        fields: { field, value: Object.values(payload)[0] },
      }),
    );
  });
});

describe('query over the log files', () => {
  let dir: string;

  beforeEach(async () => {
    dir = path.join(await makeTempDir('vj-logs-query-'), 'logs');
    mkdirSync(dir);
  });

  afterEach(async () => {
    await removeDir(path.dirname(dir));
  });

  /** Writes `records` as a log file, one JSON line each, with optional extra raw lines. */
  function writeLog(name: string, records: AggregatedLogRecord[], extra = ''): void {
    writeFileSync(
      path.join(dir, name),
      `${records.map((entry) => JSON.stringify(entry)).join('\n')}\n${extra}`,
    );
  }

  test('old records come from rotated files', async () => {
    writeLog('aggregated.1.log', [record(1, 'warn', 'audio_analyzer', 'device lost', 50)]);
    writeLog('aggregated.log', [record(2, 'info', 'audio_analyzer', 'device back', 60)]);
    const memory = [record(3, 'info', 'audio_analyzer', 'frame rate low', 70)];

    const result = await runFileQuery(dir, memory, parseQuery({ files: true }));

    expect(result.records.map((entry) => entry.seq)).toEqual([3, 2, 1]);
    expect(result.matched).toBe(3);
    expect(result.buffered).toBe(1);
    expect(result.files_searched).toBe(2);
    expect(runQuery(memory, parseQuery({ text: 'device lost' })).matched).toBe(0);
  });

  test('record in memory and file counts once', async () => {
    const written = record(2, 'info', 'audio_analyzer', 'device back', 60);
    writeLog('aggregated.log', [record(1, 'info', 'audio_analyzer', 'device lost', 50), written]);

    const result = await runFileQuery(dir, [written], parseQuery({ files: true, text: 'device' }));

    expect(result.records.map((entry) => entry.seq)).toEqual([2, 1]);
    expect(result.matched).toBe(2);
  });

  test('limit keeps the newest across files', async () => {
    const old = Array.from({ length: 50 }, (_, index) =>
      record(index + 1, 'info', 'osc_debugger', 'tick', 100 + index),
    );
    const recent = Array.from({ length: 50 }, (_, index) =>
      record(index + 51, 'info', 'osc_debugger', 'tick', 150 + index),
    );
    writeLog('aggregated.1.log', old);
    writeLog('aggregated.log', recent, '{"cut short');

    const result = await runFileQuery(dir, [], parseQuery({ files: true, limit: 3, worker: 'osc_debugger' }));

    expect(result.records.map((entry) => entry.seq)).toEqual([100, 99, 98]);
    expect(result.matched).toBe(100);
  });

  test('missing log folder searches memory only', async () => {
    const memory = [record(1, 'info', 'audio_analyzer', 'started', 10)];

    const result = await runFileQuery(path.join(dir, 'absent'), memory, parseQuery({ files: true }));

    expect(result.records).toHaveLength(1);
    expect(result.files_searched).toBe(0);
  });
});
