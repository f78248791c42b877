/**
 * Flood control: one bounded queue per worker between arrival and storage.
 * A full queue drops its oldest record to take the new one (newest wins), so
 * the lines just before a crash survive a flood, and one noisy worker never
 * takes queue space from another.
 */
import type { PendingRecord } from './record';

/** Default capacity of each worker's queue, in records; the aggregator drains the queues every 100 ms. */
export const DEFAULT_QUEUE_SIZE = 1000;

/** Result of one drain: the records in time order, and the count each worker's queue dropped since the previous drain. */
export interface Drained {
  records: PendingRecord[];
  dropped: Map<string, number>;
}

/**
 * Per-worker bounded queues.
 *
 * @example
 * const intake = new Intake(1000);
 * intake.push(record);
 * const { records, dropped } = intake.drain();
 */
export class Intake {
  private capacity: number;
  private readonly queues = new Map<string, WorkerQueue>();

  /** @throws RangeError when `capacity` is not a positive integer. */
  constructor(capacity = DEFAULT_QUEUE_SIZE) {
    checkCapacity(capacity);
    this.capacity = capacity;
  }

  /** Capacity of each worker's queue, in records; a change applies to queues created after it. */
  get queueSize(): number {
    return this.capacity;
  }

  set queueSize(capacity: number) {
    checkCapacity(capacity);
    this.capacity = capacity;
  }

  /** Queues `record` behind the other records of its worker, dropping that worker's oldest one when the queue is full. */
  push(record: PendingRecord): void {
    let queue = this.queues.get(record.worker);
    if (queue === undefined) {
      queue = new WorkerQueue(this.capacity);
      this.queues.set(record.worker, queue);
    }
    queue.push(record);
  }

  /** Empties every queue and returns its records sorted by time, oldest first; ties keep arrival order. */
  drain(): Drained {
    const records: PendingRecord[] = [];
    const dropped = new Map<string, number>();
    for (const [worker, queue] of this.queues) {
      queue.takeAll(records);
      if (queue.dropped > 0) dropped.set(worker, queue.dropped);
    }
    // Queues are created again on the next record, so workers that went quiet cost no memory.
    this.queues.clear();
    records.sort((a, b) => a.time - b.time);
    return { records, dropped };
  }

  /** Records waiting in all queues. */
  get queued(): number {
    let total = 0;
    for (const queue of this.queues.values()) total += queue.size;
    return total;
  }
}

/** A fixed-capacity ring of records that overwrites its oldest record when full. */
class WorkerQueue {
  dropped = 0;
  size = 0;
  private readonly slots: Array<PendingRecord | undefined>;
  // Index of the oldest record.
  private head = 0;

  constructor(capacity: number) {
    this.slots = new Array<PendingRecord | undefined>(capacity);
  }

  push(record: PendingRecord): void {
    const capacity = this.slots.length;
    if (this.size === capacity) {
      this.slots[this.head] = record;
      this.head = (this.head + 1) % capacity;
      this.dropped++;
      return;
    }
    this.slots[(this.head + this.size) % capacity] = record;
    this.size++;
  }

  takeAll(into: PendingRecord[]): void {
    const capacity = this.slots.length;
    for (let i = 0; i < this.size; i++) into.push(this.slots[(this.head + i) % capacity] as PendingRecord);
  }
}

function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`Queue capacity must be a positive integer, received ${capacity}`);
  }
}
