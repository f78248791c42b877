/** Default number of records that the aggregator keeps in memory. */
export const DEFAULT_BUFFER_SIZE = 2000;

/**
 * Fixed-capacity ring: push() is O(1) and overwrites the oldest item once the
 * ring is full, so memory stays bounded however fast records arrive.
 *
 * @example
 * const ring = new RingBuffer<number>(2);
 * ring.push(1); ring.push(2); ring.push(3);
 * ring.toArray(); // [2, 3]
 */
export class RingBuffer<T> {
  readonly capacity: number;
  private readonly slots: Array<T | undefined>;
  // Index of the slot that the next push() writes.
  private head = 0;
  private count = 0;

  /** @throws RangeError when `capacity` is not a positive integer. */
  constructor(capacity: number = DEFAULT_BUFFER_SIZE) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`Ring buffer capacity must be a positive integer, received ${capacity}`);
    }
    this.capacity = capacity;
    this.slots = new Array<T | undefined>(capacity);
  }

  /** Number of items held, at most `capacity`. */
  get size(): number {
    return this.count;
  }

  /** Appends `item`, dropping the oldest one when the ring is full. */
  push(item: T): void {
    this.slots[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Returns the items, oldest first. */
  toArray(): T[] {
    const items: T[] = [];
    const start = (this.head - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) items.push(this.slots[(start + i) % this.capacity] as T);
    return items;
  }

  /** Removes every item. */
  clear(): void {
    this.slots.fill(undefined);
    this.head = 0;
    this.count = 0;
  }

  /** Returns a ring of `capacity` that contains the newest items of this one, in the same order. */
  resized(capacity: number): RingBuffer<T> {
    const ring = new RingBuffer<T>(capacity);
    const items = this.toArray();
    for (const item of items.slice(Math.max(0, items.length - capacity))) ring.push(item);
    return ring;
  }
}
