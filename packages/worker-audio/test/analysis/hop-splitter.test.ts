import { HopSplitter } from '../../src/analysis/hop-splitter';

describe('HopSplitter', () => {
  test('push mixes stereo to the mean of the channels', () => {
    const splitter = new HopSplitter(2);
    const hops: number[][] = [];
    splitter.push(Float32Array.of(1, 0, 0.5, 0.5), 2, (hop) => hops.push(Array.from(hop)));
    expect(hops).toEqual([[0.5, 0.5]]);
  });

  test('push keeps the remainder between blocks', () => {
    const splitter = new HopSplitter(4);
    const hops: number[][] = [];
    splitter.push(Float32Array.of(1, 2, 3), 1, (hop) => hops.push(Array.from(hop)));
    expect(hops).toHaveLength(0);
    expect(splitter.pending).toBe(3);
    splitter.push(Float32Array.of(4, 5, 6, 7, 8, 9), 1, (hop) => hops.push(Array.from(hop)));
    expect(hops).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    expect(splitter.pending).toBe(1);
  });

  test('reset drops the pending samples', () => {
    const splitter = new HopSplitter(4);
    splitter.push(Float32Array.of(1, 2, 3), 1, () => undefined);
    splitter.reset();
    expect(splitter.pending).toBe(0);
  });

  test('push rejects a channel count of 0', () => {
    expect(() => new HopSplitter(4).push(new Float32Array(4), 0, () => undefined)).toThrow(RangeError);
  });
});
