/** The JSON document that one `pnpm bench` run writes, and the figures read from it. */
import type { LatencyResult } from '../latency';
import type { RoundTripResult } from '../round-trip';
import type { ThroughputResult } from '../throughput';
import type { GoalCheck } from './goals';
import type { MachineInfo } from './machine';
import type { SourceRevision } from './source';

/** A throughput result and the label of its publisher in tables. */
export interface LabelledThroughput {
  label: string;
  result: ThroughputResult;
}

/** Everything one run measured. Benchmarks left out with `--only` are absent. */
export interface BenchResult {
  /** ISO 8601 start time of the run. */
  date: string;
  machine: MachineInfo;
  /** Revision of the code measured; absent when git was not available. */
  source?: SourceRevision;
  /** Command line of the run, for reproduction. */
  command: string;
  /** Wall-clock time of the whole run, in s. */
  durationS: number;
  /** The TelemetryPublisher pair first, then the pre-encoded raw sender. */
  throughput?: LabelledThroughput[];
  latency?: LatencyResult;
  roundTrip?: RoundTripResult;
  goals: GoalCheck[];
  /** Highest share of CPU that other processes took during any measurement, in percent. */
  maxOtherCpuPercent: number;
}

/** Share of CPU used by other processes above which a run is flagged as disturbed, in percent. */
export const DISTURBED_OTHER_CPU_PERCENT = 10;

/** Finds the highest `otherPercent` of all the measurements in a result, or 0 when /proc was not readable. */
export function maxOtherCpu(result: Omit<BenchResult, 'maxOtherCpuPercent' | 'goals'>): number {
  const loads = [
    ...(result.throughput ?? []).flatMap(({ result: run }) => [
      run.flood?.cpuLoad,
      ...run.paced.map((paced) => paced.cpuLoad),
    ]),
    result.latency?.cpuLoad,
    result.roundTrip?.cpuLoad,
  ];
  return loads.reduce((max, load) => Math.max(max, load?.otherPercent ?? 0), 0);
}
