import { BlockPacer, type BlockPacerOptions, MAX_LATE_MS } from '../../src/sources/block-pacer';
import type { AudioBlock } from '../../src/sources/source';

// 1000 Hz with 10-frame blocks: one block every 10 ms, so times read directly as block counts.
const SAMPLE_RATE = 1000;
const BLOCK_FRAMES = 10;

interface Harness {
  pacer: BlockPacer;
  blocks: AudioBlock[];
  ends: number;
  errors: unknown[];
}

// Builds a pacer over `totalBlocks` mono blocks (unlimited when undefined) whose samples hold their block index.
function makePacer(
  pace: 'realtime' | 'fast',
  totalBlocks?: number,
  overrides: Partial<BlockPacerOptions> = {},
): Harness {
  const harness: Harness = { pacer: undefined as unknown as BlockPacer, blocks: [], ends: 0, errors: [] };
  let produced = 0;
  harness.pacer = new BlockPacer({
    sampleRate: SAMPLE_RATE,
    channels: 1,
    blockFrames: BLOCK_FRAMES,
    pace,
    nextBlock: async () => {
      if (totalBlocks !== undefined && produced === totalBlocks) return null;
      produced += 1;
      return new Float32Array(BLOCK_FRAMES).fill(produced);
    },
    onBlock: (block) => harness.blocks.push(block),
    onEnd: () => {
      harness.ends += 1;
    },
    onError: (error) => harness.errors.push(error),
    now: () => Date.now(),
    ...overrides,
  });
  return harness;
}

describe('BlockPacer in realtime pace', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  test('BlockPacer delivers each block when its last sample is due', async () => {
    const { pacer, blocks } = makePacer('realtime');
    pacer.start();

    await jest.advanceTimersByTimeAsync(9);
    expect(blocks).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(blocks).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(995);
    expect(blocks).toHaveLength(100);
    pacer.stop();
  });

  test('BlockPacer does not drift over a long run', async () => {
    const { pacer, blocks } = makePacer('realtime');
    pacer.start();

    for (let second = 1; second <= 60; second++) {
      await jest.advanceTimersByTimeAsync(1000);
      expect(blocks).toHaveLength(second * 100);
    }
    pacer.stop();
  });

  test('BlockPacer stamps blocks with their scheduled time and contiguous frames', async () => {
    const { pacer, blocks } = makePacer('realtime');
    pacer.start();

    await jest.advanceTimersByTimeAsync(100);
    pacer.stop();

    expect(blocks.map((block) => block.startFrame)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(blocks.map((block) => block.capturedAtMs - 1_000_000)).toEqual([
      10, 20, 30, 40, 50, 60, 70, 80, 90, 100,
    ]);
    expect(blocks[3]).toMatchObject({ channels: 1, sampleRate: SAMPLE_RATE, frames: BLOCK_FRAMES });
    expect(blocks[3]?.samples[0]).toBe(4);
  });

  test('BlockPacer catches up a short stall in one burst', async () => {
    const { pacer, blocks } = makePacer('realtime');
    pacer.start();
    await jest.advanceTimersByTimeAsync(100);

    // The clock jumps 300 ms while no timer runs, as in a busy event loop; the
    // pending timer then fires 10 ms later, at 410 ms on the clock.
    jest.setSystemTime(Date.now() + 300);
    await jest.advanceTimersByTimeAsync(10);

    expect(blocks).toHaveLength(41);
    pacer.stop();
  });

  test('BlockPacer moves its schedule after a stall longer than MAX_LATE_MS', async () => {
    const { pacer, blocks } = makePacer('realtime');
    pacer.start();
    await jest.advanceTimersByTimeAsync(100);

    jest.setSystemTime(Date.now() + MAX_LATE_MS + 1000);
    await jest.advanceTimersByTimeAsync(10);
    const afterStall = blocks.length;
    await jest.advanceTimersByTimeAsync(100);

    expect(afterStall).toBe(11);
    expect(blocks).toHaveLength(21);
    expect(blocks.map((block) => block.startFrame)).toEqual(blocks.map((_, index) => index * BLOCK_FRAMES));
    pacer.stop();
  });

  test('BlockPacer delivers nothing after stop', async () => {
    const { pacer, blocks, errors } = makePacer('realtime');
    pacer.start();
    await jest.advanceTimersByTimeAsync(50);

    pacer.stop();
    await jest.advanceTimersByTimeAsync(1000);

    expect(blocks).toHaveLength(5);
    expect(errors).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('BlockPacer calls onEnd once after the last block', async () => {
    const harness = makePacer('realtime', 3);
    harness.pacer.start();

    await jest.advanceTimersByTimeAsync(1000);

    expect(harness.blocks).toHaveLength(3);
    expect(harness.ends).toBe(1);
    expect(jest.getTimerCount()).toBe(0);
  });

  test('BlockPacer reports a failing producer once and stops', async () => {
    const failure = new Error('disk gone');
    const harness = makePacer('realtime', undefined, {
      nextBlock: async () => {
        throw failure;
      },
    });
    harness.pacer.start();

    await jest.advanceTimersByTimeAsync(1000);

    expect(harness.errors).toEqual([failure]);
    expect(harness.blocks).toHaveLength(0);
    expect(harness.ends).toBe(0);
  });
});

describe('BlockPacer in fast pace', () => {
  test('BlockPacer delivers every block, ends and lets timers run meanwhile', async () => {
    const blocks: AudioBlock[] = [];
    let produced = 0;
    let timerRuns = 0;
    const interval = setInterval(() => {
      timerRuns += 1;
    }, 0);

    try {
      await new Promise<void>((resolve, reject) => {
        new BlockPacer({
          sampleRate: SAMPLE_RATE,
          channels: 1,
          blockFrames: BLOCK_FRAMES,
          pace: 'fast',
          // A synchronous producer: without the pacer's yields, timers would starve until the end.
          nextBlock: () => (produced === 1000 ? null : new Float32Array(BLOCK_FRAMES).fill(++produced)),
          onBlock: (block) => blocks.push(block),
          onEnd: resolve,
          onError: reject,
        }).start();
      });
    } finally {
      clearInterval(interval);
    }

    expect(blocks).toHaveLength(1000);
    expect(blocks[999]?.startFrame).toBe(9990);
    expect(blocks[999]?.samples[0]).toBe(1000);
    expect(timerRuns).toBeGreaterThan(0);
  });
});
