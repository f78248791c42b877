import type { CapturedEntry, JsonArg } from './entry';

/** Length of the window over which `rate_per_s` is measured, in seconds. */
export const RATE_WINDOW_S = 5;

/** Statistics of one OSC address. */
export interface AddressStatistics {
  count: number;
  /** Messages per second over the last RATE_WINDOW_S seconds. */
  rate_per_s: number;
  last_args: JsonArg[];
  /** Unix seconds. */
  first_seen: number;
  /** Unix seconds. */
  last_seen: number;
}

/** Totals and per-address statistics, as get_stats and `osc.stats` send them. */
export interface StatsSnapshot {
  /** Datagrams received. */
  packets: number;
  /** Messages received, those inside bundles included. */
  messages: number;
  /** Bundles received, nested ones included. */
  bundles: number;
  /** Datagrams that were not valid OSC. */
  malformed: number;
  addresses: Record<string, AddressStatistics>;
}

interface AddressRecord {
  count: number;
  lastArgs: JsonArg[];
  firstSeen: number;
  lastSeen: number;
  // One bucket per whole Unix second, indexed by that second modulo RATE_WINDOW_S.
  bucketCounts: Uint32Array;
  bucketSeconds: Float64Array;
}

/**
 * Counts captured traffic: totals of packets, messages, bundles and malformed
 * packets, and per address the count, recent rate, last arguments and first
 * and last receive time. Times come from the entries, so tests control them.
 *
 * @example
 * const stats = new AddressStats();
 * stats.countPacket();
 * stats.countEntry(entry);
 * stats.snapshot(Date.now() / 1000);
 */
export class AddressStats {
  private packets = 0;
  private messages = 0;
  private bundles = 0;
  private malformed = 0;
  private readonly byAddress = new Map<string, AddressRecord>();

  /** Counts one received datagram. */
  countPacket(): void {
    this.packets++;
  }

  /** Counts one bundle. */
  countBundle(): void {
    this.bundles++;
  }

  /** Counts one captured entry at its `received_at` time. */
  countEntry(entry: CapturedEntry): void {
    if (entry.kind === 'malformed') {
      this.malformed++;
      return;
    }

    this.messages++;
    const second = Math.floor(entry.received_at);
    let record = this.byAddress.get(entry.address);
    if (record === undefined) {
      record = {
        count: 0,
        lastArgs: [],
        firstSeen: entry.received_at,
        lastSeen: entry.received_at,
        bucketCounts: new Uint32Array(RATE_WINDOW_S),
        bucketSeconds: new Float64Array(RATE_WINDOW_S).fill(-1),
      };
      this.byAddress.set(entry.address, record);
    }
    record.count++;
    record.lastArgs = entry.args;
    record.lastSeen = entry.received_at;

    const slot = second % RATE_WINDOW_S;
    if (record.bucketSeconds[slot] !== second) {
      record.bucketSeconds[slot] = second;
      record.bucketCounts[slot] = 0;
    }
    (record.bucketCounts[slot] as number)++;
  }

  /**
   * Returns the totals and per-address statistics at `nowS` (Unix seconds).
   * The rate counts messages of the current second and the RATE_WINDOW_S - 1
   * before it, divided by RATE_WINDOW_S.
   */
  snapshot(nowS: number): StatsSnapshot {
    const currentSecond = Math.floor(nowS);
    const addresses: Record<string, AddressStatistics> = {};
    for (const [address, record] of this.byAddress) {
      let recent = 0;
      for (let slot = 0; slot < RATE_WINDOW_S; slot++) {
        const age = currentSecond - (record.bucketSeconds[slot] as number);
        if (age >= 0 && age < RATE_WINDOW_S) recent += record.bucketCounts[slot] as number;
      }
      addresses[address] = {
        count: record.count,
        rate_per_s: recent / RATE_WINDOW_S,
        last_args: record.lastArgs,
        first_seen: record.firstSeen,
        last_seen: record.lastSeen,
      };
    }
    return {
      packets: this.packets,
      messages: this.messages,
      bundles: this.bundles,
      malformed: this.malformed,
      addresses,
    };
  }

  /** Resets every count. */
  clear(): void {
    this.packets = 0;
    this.messages = 0;
    this.bundles = 0;
    this.malformed = 0;
    this.byAddress.clear();
  }
}
