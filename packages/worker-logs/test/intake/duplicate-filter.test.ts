import type { LogRecord } from '@vj/bus';
import { DuplicateFilter, fromBusRecord, fromPinoLine, type PendingRecord, plainRecord } from '../../src';

const TIME_MS = 1_700_000_000_123;

function busCopy(msg: string, seq: number): PendingRecord {
  const record: LogRecord = {
    time: TIME_MS / 1000,
    mono_ms: 5,
    seq,
    worker: 'audio_analyzer',
    level: 'info',
    msg,
    pid: 4242,
    fields: {},
  };
  return fromBusRecord(record, 10);
}

function stdoutCopy(msg: string): PendingRecord {
  const line = JSON.stringify({ level: 30, time: TIME_MS, pid: 4242, worker: 'audio_analyzer', msg });
  return fromPinoLine(line, 'audio_analyzer', 'stdout', 11) as PendingRecord;
}

describe('DuplicateFilter', () => {
  test('stdout copy completes the bus copy', () => {
    const filter = new DuplicateFilter();
    const first = busCopy('beat detected', 7);

    expect(filter.isDuplicate(first, 0)).toBe(false);
    expect(filter.isDuplicate(stdoutCopy('beat detected'), 1)).toBe(true);
    expect(first).toMatchObject({ via: 'both', stream: 'stdout', origin_seq: 7 });
  });

  test('identical lines in one millisecond are paired by count', () => {
    const filter = new DuplicateFilter();
    const verdicts = [
      filter.isDuplicate(busCopy('same', 1), 0),
      filter.isDuplicate(busCopy('same', 2), 0),
      filter.isDuplicate(stdoutCopy('same'), 0),
      filter.isDuplicate(stdoutCopy('same'), 0),
      filter.isDuplicate(stdoutCopy('same'), 0),
    ];

    expect(verdicts).toEqual([false, false, true, true, false]);
  });

  test('stored copy is not changed by a later duplicate', () => {
    const filter = new DuplicateFilter();
    const first = stdoutCopy('late bus copy');
    filter.isDuplicate(first, 0);
    first.committed = true;

    expect(filter.isDuplicate(busCopy('late bus copy', 3), 1)).toBe(true);
    expect(first).toMatchObject({ via: 'pm2', origin_seq: null });
  });

  test('plain lines are never duplicates', () => {
    const filter = new DuplicateFilter();
    const plain = (): PendingRecord =>
      plainRecord('Error: boom', 'audio_analyzer', 'stderr', TIME_MS, 4242, 0);

    expect(filter.isDuplicate(plain(), 0)).toBe(false);
    expect(filter.isDuplicate(plain(), 0)).toBe(false);
  });

  test('keys older than the window are forgotten', () => {
    const filter = new DuplicateFilter(1000, 100);
    filter.isDuplicate(busCopy('old', 1), 0);

    expect(filter.isDuplicate(stdoutCopy('old'), 5000)).toBe(false);
    expect(filter.size).toBe(1);
  });

  test('copy after releaseRecords is still a duplicate and leaves the first unchanged', () => {
    const filter = new DuplicateFilter();
    const first = busCopy('released', 4);
    filter.isDuplicate(first, 0);

    filter.releaseRecords();

    expect(filter.isDuplicate(stdoutCopy('released'), 1)).toBe(true);
    expect(first).toMatchObject({ via: 'bus', stream: null });
    expect(filter.size).toBe(1);
  });

  test('copy queued after a release is completed again', () => {
    const filter = new DuplicateFilter();
    filter.isDuplicate(busCopy('twice', 1), 0);
    filter.isDuplicate(stdoutCopy('twice'), 0);
    filter.releaseRecords();
    const second = busCopy('twice', 2);

    expect(filter.isDuplicate(second, 1)).toBe(false);
    expect(filter.isDuplicate(stdoutCopy('twice'), 1)).toBe(true);
    expect(second).toMatchObject({ via: 'both', stream: 'stdout', origin_seq: 2 });
  });

  test('long messages match on their length and first 256 characters', () => {
    const filter = new DuplicateFilter();
    const head = 'x'.repeat(256);
    filter.isDuplicate(busCopy(`${head}A`, 1), 0);

    expect(filter.isDuplicate(stdoutCopy(`${head}B`), 0)).toBe(true);
    expect(filter.isDuplicate(stdoutCopy(`${head}AB`), 0)).toBe(false);
  });
});
