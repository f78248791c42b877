import { RingBuffer } from '../../src/capture/ring-buffer';

describe('RingBuffer', () => {
  test('ring returns entries newest first', () => {
    const ring = new RingBuffer<number>(5);
    for (const value of [1, 2, 3]) ring.push(value);

    expect(ring.latest(10)).toEqual([3, 2, 1]);
    expect(ring.size).toBe(3);
  });

  test('ring drops the oldest entries beyond its capacity', () => {
    const ring = new RingBuffer<number>(3);
    for (let value = 1; value <= 7; value++) ring.push(value);

    expect(ring.size).toBe(3);
    expect(ring.latest(10)).toEqual([7, 6, 5]);
  });

  test('ring latest stops at the limit', () => {
    const ring = new RingBuffer<number>(10);
    for (let value = 1; value <= 10; value++) ring.push(value);

    expect(ring.latest(2)).toEqual([10, 9]);
  });

  test('ring latest keeps only entries that pass the filter', () => {
    const ring = new RingBuffer<number>(4);
    for (let value = 1; value <= 9; value++) ring.push(value);

    expect(ring.latest(10, (value) => value % 2 === 0)).toEqual([8, 6]);
    expect(ring.latest(1, (value) => value % 2 === 1)).toEqual([9]);
  });

  test('ring clear empties it and later pushes start over', () => {
    const ring = new RingBuffer<number>(2);
    ring.push(1);
    ring.push(2);
    ring.clear();

    expect(ring.size).toBe(0);
    expect(ring.latest(5)).toEqual([]);
    ring.push(3);
    expect(ring.latest(5)).toEqual([3]);
  });

  test('ring resized keeps the newest entries in order', () => {
    const ring = new RingBuffer<number>(5);
    for (let value = 1; value <= 5; value++) ring.push(value);

    const smaller = ring.resized(2);
    const larger = ring.resized(8);

    expect(smaller.latest(10)).toEqual([5, 4]);
    expect(larger.latest(10)).toEqual([5, 4, 3, 2, 1]);
    expect(larger.capacity).toBe(8);
  });

  test('ring defaults to 500 entries and rejects a capacity below 1', () => {
    expect(new RingBuffer().capacity).toBe(500);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
    expect(() => new RingBuffer(1.5)).toThrow(RangeError);
  });
});
