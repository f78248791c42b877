import { appendFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { AggregatedLogRecord, VjError } from '@vj/bus';
import { makeTempDir, removeDir, waitFor } from '@vj/test-support';
import { LogWriter, loadRecords, logFilePath } from '../../src';

let dir: string;

beforeEach(async () => {
  dir = await makeTempDir('vj-logs-store');
});

afterEach(async () => {
  await removeDir(dir);
});

function record(seq: number, worker = 'audio_analyzer'): AggregatedLogRecord {
  return {
    time: 1_700_000_000 + seq / 1000,
    mono_ms: seq,
    seq,
    worker,
    level: 'info',
    msg: `frame ${seq} analysed`,
    pid: 4242,
    fields: { frame: seq },
    via: 'bus',
    stream: null,
    origin_seq: seq,
  };
}

function seqsIn(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => (JSON.parse(line) as AggregatedLogRecord).seq);
}

async function openWriter(
  maxFileBytes: number,
  maxFiles: number,
  errors: VjError[] = [],
): Promise<LogWriter> {
  return LogWriter.open({ dir, maxFileBytes, maxFiles, onError: (error) => errors.push(error) });
}

describe('LogWriter', () => {
  test('rotation under continuous writes keeps every sequence number exactly once', async () => {
    const errors: VjError[] = [];
    const writer = await openWriter(64 * 1024, 50, errors);
    const count = 3000;

    // Writes in bursts with a turn of the event loop between them, so rotations overlap with writes.
    for (let seq = 1; seq <= count; seq++) {
      writer.append(record(seq));
      if (seq % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await writer.close();

    const files = readdirSync(dir);
    expect(writer.stats.rotations).toBeGreaterThanOrEqual(5);
    expect(files.length).toBe(writer.stats.rotations + 1);
    const seqs = files.flatMap((name) => seqsIn(path.join(dir, name))).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: count }, (_, index) => index + 1));
    expect(writer.stats.unpersisted).toBe(0);
    expect(errors).toEqual([]);
  });

  test('rotation keeps max_files files holding the newest records in order', async () => {
    const writer = await openWriter(4 * 1024, 3);

    for (let seq = 1; seq <= 1000; seq++) writer.append(record(seq));
    await waitFor(() => writer.pendingLines === 0, { timeoutMs: 10000, message: 'writes settled' });
    await writer.close();

    expect(readdirSync(dir).sort()).toEqual(['aggregated.1.log', 'aggregated.2.log', 'aggregated.log']);
    const kept = [2, 1, 0].flatMap((index) => seqsIn(logFilePath(dir, index)));
    expect(kept.at(-1)).toBe(1000);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, index) => (kept[0] as number) + index));
  });

  test('writer hands one drain of records to the file in one turn', async () => {
    const writer = await openWriter(10 * 1024 * 1024, 5);
    // About 200 bytes each: a 100 ms drain of 1000 records, well past the 16 KiB that a stream buffers by default.
    for (let seq = 1; seq <= 1000; seq++) writer.append(record(seq));

    // Nothing waits in the writer's own queue, which holds only what the stream refused.
    expect(writer.pendingLines).toBe(0);
    await writer.close();
    expect(seqsIn(logFilePath(dir, 0))).toHaveLength(1000);
  });

  test('writer starts a fresh line after a line cut short by a crash', async () => {
    await mkdir(dir, { recursive: true });
    writeFileSync(logFilePath(dir, 0), `${JSON.stringify(record(1))}\n{"time":17000`);
    const writer = await openWriter(1024 * 1024, 5);

    writer.append(record(2));
    await writer.close();
    const loaded = await loadRecords(dir, 10);

    expect(loaded.records.map((entry) => entry.seq)).toEqual([1, 2]);
    expect(loaded.corruptLines.get('aggregated.log')).toBe(1);
  });
});

describe('loadRecords', () => {
  test('loadRecords returns the newest records and each worker highest sequence number', async () => {
    await mkdir(dir, { recursive: true });
    const lines = (seqs: number[], worker?: string): string =>
      seqs.map((seq) => `${JSON.stringify(record(seq, worker))}\n`).join('');
    writeFileSync(logFilePath(dir, 2), lines([1, 2, 3], 'spotify_monitor'));
    writeFileSync(logFilePath(dir, 1), lines([4, 5, 6]));
    writeFileSync(logFilePath(dir, 0), lines([7, 8]));
    appendFileSync(logFilePath(dir, 1), 'not json at all\n{"seq":"wrong shape"}\n');

    const loaded = await loadRecords(dir, 4);

    expect(loaded.records.map((entry) => entry.seq)).toEqual([5, 6, 7, 8]);
    expect(Object.fromEntries(loaded.lastSeq)).toEqual({ audio_analyzer: 8, spotify_monitor: 3 });
    expect(Object.fromEntries(loaded.corruptLines)).toEqual({ 'aggregated.1.log': 2 });
  });

  test('loadRecords of a missing folder returns nothing', async () => {
    const loaded = await loadRecords(path.join(dir, 'never-created'), 10);

    expect(loaded.records).toEqual([]);
    expect(loaded.lastSeq.size).toBe(0);
  });
});
