/** Default number of entries that the capture buffer keeps. */
export const DEFAULT_RING_CAPACITY = 500;

/**
 * Fixed-capacity ring of entries: push() is O(1) and overwrites the oldest
 * entry once the ring is full, so memory stays bounded however fast packets
 * arrive.
 *
 * @example
 * const ring = new RingBuffer<string>(2);
 * ring.push('a'); ring.push('b'); ring.push('c');
 * ring.latest(10); // ['c', 'b']
 */
export class RingBuffer<T> {
  readonly capacity: number;
  private readonly slots: Array<T | undefined>;
  // Index of the slot that the next push() writes.
  private head = 0;
  private count = 0;

  /** @throws RangeError when `capacity` is not a positive integer. */
  constructor(capacity: number = DEFAULT_RING_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Ring buffer capacity must be a positive integer, received ${capacity}`);
    }
    this.capacity = capacity;
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Number of entries held, at most `capacity`. */
  get size(): number {
    return this.count;
  }

  /** Appends `entry`, dropping the oldest one when the ring is full. */
  push(entry: T): void {
    this.slots[this.head] = entry;
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /**
   * Returns up to `limit` entries, newest first, keeping only those for which
   * `filter` returns true when a filter is given.
   */
  latest(limit: number, filter?: (entry: T) => boolean): T[] {
    const result: T[] = [];
    for (let i = 1; i <= this.count && result.length < limit; i++) {
      const entry = this.slots[(this.head - i + this.capacity) % this.capacity] as T;
      if (filter === undefined || filter(entry)) result.push(entry);
    }
    return result;
  }

  /** Removes every entry. */
  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  /** Returns a ring of `capacity` that contains the newest entries of this one, in the same order. */
  resized(capacity: number): RingBuffer<T> {
    const ring = new RingBuffer<T>(capacity);
    const newest = this.latest(capacity);
    for (let i = newest.length - 1; i >= 0; i--) ring.push(newest[i] as T);
    return ring;
  }
}
