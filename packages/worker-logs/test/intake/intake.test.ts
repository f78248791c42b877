import { Intake, type PendingRecord, plainRecord } from '../../src';

function line(worker: string, text: string, timeMs: number): PendingRecord {
  return plainRecord(text, worker, 'stdout', timeMs, 100, 0);
}

describe('Intake', () => {
  test('full queue drops its oldest records and counts them for that worker only', () => {
    const intake = new Intake(3);

    for (let i = 1; i <= 5; i++) intake.push(line('noisy', `n${i}`, 1000 + i));
    intake.push(line('quiet', 'q1', 1003.5));
    const { records, dropped } = intake.drain();

    expect(records.map((record) => record.msg)).toEqual(['n3', 'q1', 'n4', 'n5']);
    expect(Object.fromEntries(dropped)).toEqual({ noisy: 2 });
  });

  test('drain empties the queues and resets the drop counts', () => {
    const intake = new Intake(1);
    intake.push(line('noisy', 'a', 1));
    intake.push(line('noisy', 'b', 2));
    intake.drain();

    intake.push(line('noisy', 'c', 3));
    const { records, dropped } = intake.drain();

    expect(records.map((record) => record.msg)).toEqual(['c']);
    expect(dropped.size).toBe(0);
    expect(intake.queued).toBe(0);
  });

  test('intake rejects a capacity below 1', () => {
    expect(() => new Intake(0)).toThrow(RangeError);
  });
});
