import type { AggregatedLogRecord } from '@vj/bus';
import { parseQuery, runQuery } from '../src';

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
  ])('parseQuery rejects %j', (payload, field) => {
    expect(() => parseQuery(payload)).toThrow(
      expect.objectContaining({
        code: 'VJ_BUS_INVALID_PAYLOAD',
        fields: { field, value: Object.values(payload)[0] },
      }),
    );
  });
});
