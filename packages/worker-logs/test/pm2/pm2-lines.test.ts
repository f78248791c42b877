import { type PendingRecord, Pm2LineParser, type Pm2Output, stripDatePrefix } from '../../src';

function output(data: string, stream: 'stdout' | 'stderr' = 'stdout'): Pm2Output {
  return { appName: 'audio_analyzer', pmId: 3, stream, data, atMs: 1_700_000_000_000 };
}

function parse(...chunks: Pm2Output[]): PendingRecord[] {
  const records: PendingRecord[] = [];
  const parser = new Pm2LineParser(
    (record) => records.push(record),
    () => 1,
  );
  for (const chunk of chunks) parser.push(chunk);
  parser.flush(true);
  return records;
}

describe('Pm2LineParser', () => {
  test('pino line becomes a structured record with its fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: 1_700_000_000_500,
      pid: 77,
      worker: 'audio_analyzer',
      msg: 'clip',
      peak: 1.2,
    });

    const [record] = parse(output(`${line}\n`));

    expect(record).toMatchObject({
      level: 'warn',
      msg: 'clip',
      pid: 77,
      time: 1_700_000_000.5,
      fields: { peak: 1.2 },
      via: 'pm2',
      stream: 'stdout',
      structured: true,
    });
  });

  test('plain lines take level info from stdout and error from stderr', () => {
    const records = parse(output('hello\n'), output('oops\n', 'stderr'));

    expect(records.map((record) => [record.msg, record.level])).toEqual([
      ['hello', 'info'],
      ['oops', 'error'],
    ]);
    expect(records[0]?.time).toBe(1_700_000_000);
  });

  test('date prefix of pm2 time option is removed', () => {
    expect(stripDatePrefix('2026-12-04T22:24:01: {"a":1}')).toBe('{"a":1}');
    expect(stripDatePrefix('2026 was a year')).toBe('2026 was a year');
  });

  test('line cut across two chunks is joined', () => {
    const records = parse(output('first half, '), output('second half\nnext\n'));

    expect(records.map((record) => record.msg)).toEqual(['first half, second half', 'next']);
  });

  test('stack frames join the error line they follow', () => {
    const stderr = [
      '2026-12-04T22:24:01: Error: boom',
      '2026-12-04T22:24:01:     at loadSettings (/app/main.ts:2:9)',
      '2026-12-04T22:24:01:     at main (/app/main.ts:5:1)',
      '2026-12-04T22:24:01: ',
      '2026-12-04T22:24:01: Node.js v20.20.2',
      '',
    ].join('\n');

    const records = parse(output(stderr, 'stderr'));

    expect(records.map((record) => record.msg)).toEqual([
      'Error: boom\n    at loadSettings (/app/main.ts:2:9)\n    at main (/app/main.ts:5:1)',
      'Node.js v20.20.2',
    ]);
  });

  test('plain line takes the learnt pid', () => {
    const pino = JSON.stringify({ level: 30, time: 1, pid: 555, msg: 'started' });

    const records = parse(output(`${pino}\nplain after\n`));

    expect(records[1]).toMatchObject({ msg: 'plain after', pid: 555, structured: false });
  });
});
