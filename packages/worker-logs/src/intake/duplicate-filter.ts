/**
 * Recognises a record that arrives by both routes. A worker's pino line goes
 * to its stdout, which pm2 forwards, and to the bus as a LogRecord. The stdout
 * copy carries no sequence number, so two copies match on worker, pid, time
 * in ms, level and message.
 */
import type { PendingRecord } from './record';

/** Time after which a record's key is forgotten, so a copy arriving later is stored again, in ms. */
export const DEFAULT_DUPLICATE_WINDOW_MS = 10_000;
/**
 * Maximum keys kept; the oldest are forgotten first, so memory stays bounded during a flood.
 * NOTE: a flood of more than this many structured lines inside one pm2-to-bus delay makes the filter forget
 * keys before their second copy arrives, so such copies are stored twice; the value is an estimate, not measured.
 */
export const DEFAULT_MAX_KEYS = 50_000;

/**
 * Characters of a message that go into a key. Longer messages add their length instead of the rest, so a key
 * stays small however long the line. NOTE: two messages of one length that differ only after this many
 * characters, logged by one process in the same ms at the same level, are taken as copies of one record.
 */
const KEY_MESSAGE_CHARS = 256;

interface Sighting {
  bus: number;
  pm2: number;
  /**
   * The last copy queued under this key, which a later copy from the other route completes.
   * It is undefined once releaseRecords() has run, because the record was then stored or dropped.
   */
  record: PendingRecord | undefined;
  firstSeenMs: number;
}

/**
 * Counts copies per key and route. Identical lines within one ms are common
 * in a flood, so a key may stand for several records: a copy is a duplicate
 * while the other route has delivered more copies of the key than this one.
 * Each route delivers a process's lines in order, so the counts pair the
 * copies up whatever the interleaving.
 *
 * @example
 * const filter = new DuplicateFilter();
 * if (!filter.isDuplicate(record, Date.now())) intake.push(record);
 */
export class DuplicateFilter {
  private readonly sightings = new Map<string, Sighting>();
  // Sightings that still hold a record, so releaseRecords() need not walk every key.
  private holding: Sighting[] = [];
  private readonly windowMs: number;
  private readonly maxKeys: number;

  constructor(windowMs = DEFAULT_DUPLICATE_WINDOW_MS, maxKeys = DEFAULT_MAX_KEYS) {
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
  }

  /** Number of keys held. */
  get size(): number {
    return this.sightings.size;
  }

  /**
   * Returns true when `record` is the second copy of one already seen through
   * the other route. The first copy, if not yet stored, then takes the route
   * and the fields that only the second copy has (origin_seq or stream).
   */
  isDuplicate(record: PendingRecord, nowMs: number): boolean {
    if (!record.structured || record.pid === null || record.via === 'both') return false;
    this.forgetOld(nowMs);

    const key = keyOf(record);
    const sighting = this.sightings.get(key);
    if (sighting === undefined) {
      const created: Sighting = {
        bus: record.via === 'bus' ? 1 : 0,
        pm2: record.via === 'pm2' ? 1 : 0,
        record,
        firstSeenMs: nowMs,
      };
      this.sightings.set(key, created);
      this.holding.push(created);
      return false;
    }

    const fromBus = record.via === 'bus';
    const mine = fromBus ? sighting.bus : sighting.pm2;
    const other = fromBus ? sighting.pm2 : sighting.bus;
    if (fromBus) sighting.bus++;
    else sighting.pm2++;
    if (other > mine) {
      if (sighting.record !== undefined) completeCopy(sighting.record, record);
      return true;
    }
    if (sighting.record === undefined) this.holding.push(sighting);
    sighting.record = record;
    return false;
  }

  /**
   * Lets go of the records held for completion, keeping their keys. Call it
   * after each drain of the intake: every queued record has then been stored
   * or dropped, and a stored one can no longer change. Without it the filter
   * would keep up to `maxKeys` whole records, fields included, alive.
   */
  releaseRecords(): void {
    for (const sighting of this.holding) sighting.record = undefined;
    this.holding = [];
  }

  /** Forgets every key. */
  clear(): void {
    this.sightings.clear();
    this.holding = [];
  }

  private forgetOld(nowMs: number): void {
    // A Map iterates in insertion order, so the oldest keys come first.
    for (const [key, sighting] of this.sightings) {
      const expired = nowMs - sighting.firstSeenMs > this.windowMs;
      if (!expired && this.sightings.size < this.maxKeys) return;
      this.sightings.delete(key);
    }
  }
}

function keyOf(record: PendingRecord): string {
  const message =
    record.msg.length <= KEY_MESSAGE_CHARS
      ? record.msg
      : `${record.msg.length}\u0000${record.msg.slice(0, KEY_MESSAGE_CHARS)}`;
  return `${record.worker}\u0000${record.pid}\u0000${Math.round(record.time * 1000)}\u0000${record.level}\u0000${message}`;
}

function completeCopy(first: PendingRecord, second: PendingRecord): void {
  if (first.committed) return;
  first.via = 'both';
  if (second.origin_seq !== null) first.origin_seq = second.origin_seq;
  if (second.stream !== null) first.stream = second.stream;
}
