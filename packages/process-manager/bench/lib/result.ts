/**
 * The figures of one bench run, as printed and as written with --json, and
 * the check against the recovery goal.
 */
import type { RestartPolicyOptions } from '../../src';
import type { ColdStartResult, StartVariant } from '../cold-start';
import type { KillSample, RecoveryResult } from '../recovery';
import type { MachineInfo, SourceRevision } from './machine';
import { type DurationSummary, median, summarizeDurations } from './stats';

/** Recovery goal: kill -9 to a healthy health_check response, for a first restart, in ms. */
export const RECOVERY_GOAL_MS = 500;

/** Settings a run used. */
export interface BenchSettings {
  kills: number;
  settleMs: number;
  restartPolicy: RestartPolicyOptions;
  starts: number;
  probeIntervalMs: number;
  probeRequestTimeoutMs: number;
}

/** Figures of the recovery phase: one summary per step of the recovery. */
export interface RecoverySummary {
  exit: DurationSummary;
  online: DurationSummary;
  restartedEvent: DurationSummary;
  health: DurationSummary;
  /** From pm2's `online` event to the healthy response: the worker's own start under pm2. */
  onlineToHealth: DurationSummary;
  delay: DurationSummary;
  /** Distinct `attempt` values of the worker_restarted events. */
  attempts: number[];
  /** Kills after which the pid of worker_restarted was not the pid that responded to health_check. */
  pidMismatches: number;
}

/** Verdict on the recovery goal for one set of kills. */
export interface GoalVerdict {
  kills: number;
  /** Kills whose healthy response came within the limit. */
  withinLimit: number;
  /** True when every kill recovered within the limit. */
  met: boolean;
  p50Ms: number;
  maxMs: number;
}

/** Check of the recovery goal for each way of running the worker that was measured. */
export interface GoalCheck {
  limitMs: number;
  /** Worker run with `node --import tsx`, as defineEcosystem makes it. */
  tsx?: GoalVerdict;
  /** Worker run from the bundle under pm2, measured. */
  built?: GoalVerdict;
  /**
   * Estimate for the bundle from the tsx kills: each kill's time minus the
   * difference between the median tsx start and the median bundle start.
   */
  builtEstimate?: GoalVerdict & { savedMs: number };
}

/** Recovery measurement with its summary. */
export type RecoveryPhase = RecoveryResult & { summary: RecoverySummary };

/** Everything one run measured. */
export interface BenchResult {
  date: string;
  source: SourceRevision | undefined;
  command: string;
  durationS: number;
  machine: MachineInfo;
  settings: BenchSettings;
  /** The bundle of the built variant, when a phase used it. */
  bundle?: { bytes: number; esbuildVersion: string };
  /** Kills of the worker run through tsx. */
  recovery?: RecoveryPhase;
  /** Kills of the worker run from the bundle. */
  recoveryBuilt?: RecoveryPhase;
  coldStart?: ColdStartResult & { summary: Record<StartVariant, DurationSummary> };
  goal: GoalCheck;
}

/** Summarises the samples of each step of the recovery. */
export function summarizeRecovery(samples: readonly KillSample[]): RecoverySummary {
  return {
    exit: summarizeDurations(samples.map((sample) => sample.exitMs)),
    online: summarizeDurations(samples.map((sample) => sample.onlineMs)),
    restartedEvent: summarizeDurations(samples.map((sample) => sample.restartedEventMs)),
    health: summarizeDurations(samples.map((sample) => sample.healthMs)),
    onlineToHealth: summarizeDurations(samples.map((sample) => sample.healthMs - sample.onlineMs)),
    delay: summarizeDurations(samples.map((sample) => sample.delayMs)),
    attempts: [...new Set(samples.map((sample) => sample.attempt))].sort((a, b) => a - b),
    pidMismatches: samples.filter((sample) => sample.restartedPid !== sample.newPid).length,
  };
}

/** Checks the goal on each measured set of kills, and estimates it for the bundle from the tsx kills and the starts. */
export function checkGoal(
  recovery: RecoveryResult | undefined,
  recoveryBuilt: RecoveryResult | undefined,
  coldStart: ColdStartResult | undefined,
): GoalCheck {
  const goal: GoalCheck = { limitMs: RECOVERY_GOAL_MS };
  const tsxMs = recovery?.samples.map((sample) => sample.healthMs);
  if (tsxMs !== undefined) goal.tsx = verdictOf(tsxMs);
  if (recoveryBuilt !== undefined)
    goal.built = verdictOf(recoveryBuilt.samples.map((sample) => sample.healthMs));
  if (tsxMs !== undefined && coldStart !== undefined) {
    const savedMs = median(coldStart.samplesMs.tsx) - median(coldStart.samplesMs.built);
    goal.builtEstimate = { ...verdictOf(tsxMs.map((ms) => ms - savedMs)), savedMs };
  }
  return goal;
}

function verdictOf(healthMs: readonly number[]): GoalVerdict {
  const summary = summarizeDurations(healthMs);
  const withinLimit = healthMs.filter((ms) => ms < RECOVERY_GOAL_MS).length;
  return {
    kills: healthMs.length,
    withinLimit,
    met: healthMs.length > 0 && withinLimit === healthMs.length,
    p50Ms: summary.p50Ms,
    maxMs: summary.maxMs,
  };
}
