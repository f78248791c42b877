/**
 * A throttled render loop: any number of requests between two frames make one
 * frame, and frames are at least `minIntervalMs` apart. A frame that throws is
 * reported to `onError` and the loop keeps running.
 */

/** Frames per second at most, as the console promises. */
export const MAX_FRAMES_PER_SECOND = 30;

/** Terminal cells up to which the console draws at the full frame rate (twice 80x24). */
const FULL_RATE_CELLS = 3840;

/**
 * Returns the frame rate for a terminal size. blessed's cost per frame grows
 * with the cell count: with the Audio screen at 30 fps the console used about
 * 4.3 % of one core at 80x24 and 6.4 % at 160x48 (2 shared cores). Above twice
 * 80x24 the rate falls with the square root of the cell count, an estimate fitted
 * to those two measurements that keeps 160x48 near 21 fps and under 5 % of a core.
 */
export function framesPerSecondFor(columns: number, rows: number): number {
  const cells = Math.max(1, columns * rows);
  if (cells <= FULL_RATE_CELLS) return MAX_FRAMES_PER_SECOND;
  return MAX_FRAMES_PER_SECOND * Math.sqrt(FULL_RATE_CELLS / cells);
}

/**
 * Coalesces render requests into frames.
 *
 * @example
 * const loop = new RenderLoop(() => screen.render(), 1000 / 30, (error) => count(error));
 * model.on('change', () => loop.request());
 */
export class RenderLoop {
  /** Frames drawn since the loop was created, failed ones included. */
  frames = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastFrameMs = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly draw: () => void,
    private minIntervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Changes the least time between two frames, from the next frame on. */
  setMinInterval(minIntervalMs: number): void {
    this.minIntervalMs = minIntervalMs;
  }

  /** Asks for a frame; it comes at once when the last one is old enough, else when it is. */
  request(): void {
    if (this.stopped || this.timer !== undefined) return;
    const waitMs = Math.max(0, this.lastFrameMs + this.minIntervalMs - Date.now());
    this.timer = setTimeout(() => this.frame(), waitMs);
  }

  /** Cancels a pending frame and ignores later requests. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private frame(): void {
    this.timer = undefined;
    this.lastFrameMs = Date.now();
    this.frames++;
    try {
      this.draw();
    } catch (error) {
      this.onError(error);
    }
  }
}
