/**
 * Restart policy of the process manager: how long to wait before restarting a
 * worker that exited without a stop request, and when to stop restarting it.
 *
 * Workers run under pm2 with `autorestart: false` because pm2 7.0.4's own
 * policy does not fit (see handleExit in its lib/God.js). Its
 * `exp_backoff_restart_delay` has no jitter and a fixed 15 s cap. Its `max_restarts` counts only restarts sooner than
 * `min_uptime` after start, so a worker that crashes a few seconds after
 * every start is restarted forever.
 *
 * The module is pure: callers pass time in as Unix ms and randomness as a
 * function, so it sets no timers and does no I/O.
 */
import { VjError } from '@vj/bus';
import { PmErrorCodes } from './errors';

/** Options of the restart policy. Every field has a default. */
export interface RestartPolicyOptions {
  /** Delay before the first restart after a quick crash, in ms (default 100). */
  baseDelayMs?: number;
  /** Multiplier of the delay from one quick crash to the next, at least 1 (default 2). */
  factor?: number;
  /** Maximum delay in ms, applied before and after jitter (default 30 000). */
  maxDelayMs?: number;
  /** Relative jitter in [0, 1): the delay is multiplied by a uniform factor in [1 − jitter, 1 + jitter] (default 0.2, and 0 turns jitter off). */
  jitter?: number;
  /** Uptime in ms after which an exit no longer counts as a quick crash, so the delay starts again from `baseDelayMs` (default 30 000). */
  stableUptimeMs?: number;
  /** Maximum number of restarts within `windowMs`, an integer of at least 0 (default 10, and 0 means never restart). */
  maxRestarts?: number;
  /** Length in ms of the sliding window in which `maxRestarts` applies (default 300 000, 5 minutes). */
  windowMs?: number;
}

/** Restart policy options after defaults and checks, frozen. */
export type ResolvedRestartPolicyOptions = Readonly<Required<RestartPolicyOptions>>;

/** Default restart policy. */
export const DEFAULT_RESTART_POLICY: ResolvedRestartPolicyOptions = Object.freeze({
  baseDelayMs: 100,
  factor: 2,
  maxDelayMs: 30_000,
  jitter: 0.2,
  stableUptimeMs: 30_000,
  maxRestarts: 10,
  windowMs: 300_000,
});

/** Decision to restart the worker after `delayMs`. */
export interface RestartDecisionRestart {
  readonly action: 'restart';
  /** Delay before the restart in whole ms, after jitter and the cap. */
  readonly delayMs: number;
  /** Number of consecutive quick crashes, 1 for the first. */
  readonly attempt: number;
  /** Delay in ms before jitter: `min(maxDelayMs, baseDelayMs * factor^(attempt - 1))`. */
  readonly baseDelayMs: number;
  /** Restarts within the window, counting this one. */
  readonly restartsInWindow: number;
}

/** Decision to leave the worker stopped until a user starts it again. */
export interface RestartDecisionGiveUp {
  readonly action: 'give_up';
  /** Restarts already made within the window. */
  readonly restartsInWindow: number;
  /** Length of the window in ms. */
  readonly windowMs: number;
  /** One sentence for logs and events, e.g. "restarted 10 times within 300 s". */
  readonly reason: string;
}

/** Outcome of `RestartTracker.exited`, discriminated on `action`. */
export type RestartDecision = RestartDecisionRestart | RestartDecisionGiveUp;

/** Restart state of one worker, as `list_workers` reports it. */
export interface RestartSnapshot {
  /** Attempt number of the last restart, 0 before the first. */
  readonly attempt: number;
  /** Restarts within the window. */
  readonly restartsInWindow: number;
  /** Delay in ms of the last restart, or undefined before the first. */
  readonly lastDelayMs: number | undefined;
  /** True after a give_up decision, until `reset()`. */
  readonly gaveUp: boolean;
}

const OPTION_CHECKS: Readonly<
  Record<keyof RestartPolicyOptions, { test: (value: number) => boolean; expected: string }>
> = {
  baseDelayMs: { test: isPositive, expected: 'a positive finite number of milliseconds' },
  factor: {
    test: (value) => Number.isFinite(value) && value >= 1,
    expected: 'a finite number of at least 1',
  },
  maxDelayMs: { test: isPositive, expected: 'a positive finite number of milliseconds' },
  jitter: { test: (value) => value >= 0 && value < 1, expected: 'a number from 0 up to but not including 1' },
  stableUptimeMs: { test: isPositive, expected: 'a positive finite number of milliseconds' },
  maxRestarts: {
    test: (value) => Number.isInteger(value) && value >= 0,
    expected: 'an integer of at least 0',
  },
  windowMs: { test: isPositive, expected: 'a positive finite number of milliseconds' },
};

/**
 * Merges the defaults into `options`, checks every value and returns the frozen result.
 * An option that is undefined takes its default.
 *
 * @throws VjError VJ_PM_INVALID_OPTIONS naming the option, its value and what is expected.
 *   An unknown option name is rejected too, so that a misspelt option does not silently take its default.
 * @example
 * const policy = resolveRestartPolicy({ maxRestarts: 5, windowMs: 60_000 });
 */
export function resolveRestartPolicy(options: RestartPolicyOptions = {}): ResolvedRestartPolicyOptions {
  for (const option of Object.keys(options)) {
    if (!Object.hasOwn(OPTION_CHECKS, option)) {
      throw unknownOption(option, (options as Record<string, unknown>)[option]);
    }
  }

  const resolved = { ...DEFAULT_RESTART_POLICY };
  for (const option of Object.keys(OPTION_CHECKS) as Array<keyof RestartPolicyOptions>) {
    const value: unknown = options[option];
    if (value === undefined) continue;

    const check = OPTION_CHECKS[option];
    if (typeof value !== 'number' || !check.test(value)) throw invalidOption(option, value, check.expected);
    resolved[option] = value;
  }
  return Object.freeze(resolved);
}

/**
 * Restart state of one worker: the attempt counter of consecutive quick crashes
 * and the restarts within the sliding window.
 *
 * Call `started` whenever the worker's process starts and `exited` when it
 * exits without a stop request, then follow the returned decision. After a
 * give_up decision, `exited` returns that same decision until `reset` is called,
 * even once the window has slid past the restarts that caused it.
 *
 * @example
 * const tracker = new RestartTracker(resolveRestartPolicy({}));
 * tracker.started(Date.now());
 * const decision = tracker.exited(Date.now());
 * if (decision.action === 'restart') setTimeout(restartWorker, decision.delayMs);
 */
export class RestartTracker {
  private readonly options: ResolvedRestartPolicyOptions;
  private readonly random: () => number;
  private startedAtMs: number | undefined;
  private attempt = 0;
  private lastDelayMs: number | undefined;
  /** The give_up decision, kept so that later exits return it unchanged until `reset()`. */
  private giveUpDecision: RestartDecisionGiveUp | undefined;
  /** Exit times in Unix ms of the restarts still within the window, oldest first. */
  private restartTimesMs: number[] = [];

  /** `random` returns a number in [0, 1) like `Math.random`. Tests pass a fixed one. */
  constructor(options: ResolvedRestartPolicyOptions, random: () => number = Math.random) {
    this.options = options;
    this.random = random;
  }

  /** Records that the worker's process started at `nowMs` (Unix ms). */
  started(nowMs: number): void {
    this.startedAtMs = nowMs;
  }

  /**
   * Decides what to do about an exit at `nowMs` (Unix ms) that no stop request
   * caused, and records the restart when it decides to restart.
   *
   * An exit after at least `stableUptimeMs` of uptime starts the attempt counter
   * again at 1, but the restarts before it still count within the window. A
   * restart counts from the time of the exit that decided it, until `windowMs`
   * has passed. An exit without a recorded start counts as a quick crash.
   */
  exited(nowMs: number): RestartDecision {
    if (this.giveUpDecision !== undefined) return this.giveUpDecision;

    this.dropRestartsOutsideWindow(nowMs);
    if (this.restartTimesMs.length + 1 > this.options.maxRestarts) {
      this.giveUpDecision = this.giveUp();
      return this.giveUpDecision;
    }

    const uptimeMs = this.startedAtMs === undefined ? 0 : nowMs - this.startedAtMs;
    this.attempt = uptimeMs >= this.options.stableUptimeMs ? 1 : this.attempt + 1;
    this.startedAtMs = undefined;
    this.restartTimesMs.push(nowMs);

    const baseDelayMs = Math.min(
      this.options.maxDelayMs,
      this.options.baseDelayMs * this.options.factor ** (this.attempt - 1),
    );
    const delayMs = this.applyJitter(baseDelayMs);
    this.lastDelayMs = delayMs;
    return {
      action: 'restart',
      delayMs,
      attempt: this.attempt,
      baseDelayMs,
      restartsInWindow: this.restartTimesMs.length,
    };
  }

  /** Exit times in Unix ms of the restarts within the window at the last `exited` or `restore` call, oldest first. */
  get recentRestartsMs(): readonly number[] {
    return this.restartTimesMs;
  }

  /**
   * Takes the restart times that an earlier process manager saved, so that its
   * restarts still count within the window. Times outside the window at
   * `nowMs` are dropped, and the attempt counter goes on from their number.
   */
  restore(restartTimesMs: readonly number[], nowMs: number): void {
    const oldestKeptMs = nowMs - this.options.windowMs;
    this.restartTimesMs = restartTimesMs
      .filter((timeMs) => timeMs > oldestKeptMs && timeMs <= nowMs)
      .sort((a, b) => a - b);
    this.attempt = this.restartTimesMs.length;
  }

  /** Clears the attempt counter, the window and any give_up, for when a user starts the worker again. */
  reset(): void {
    this.startedAtMs = undefined;
    this.attempt = 0;
    this.lastDelayMs = undefined;
    this.giveUpDecision = undefined;
    this.restartTimesMs = [];
  }

  /**
   * Returns the restart state for `list_workers`. Without `nowMs`, the window
   * count is the one at the last `exited` call. With it, restarts that have left
   * the window by `nowMs` are dropped first.
   */
  snapshot(nowMs?: number): RestartSnapshot {
    if (nowMs !== undefined) this.dropRestartsOutsideWindow(nowMs);
    return {
      attempt: this.attempt,
      restartsInWindow: this.restartTimesMs.length,
      lastDelayMs: this.lastDelayMs,
      gaveUp: this.giveUpDecision !== undefined,
    };
  }

  private dropRestartsOutsideWindow(nowMs: number): void {
    const oldestKeptMs = nowMs - this.options.windowMs;
    this.restartTimesMs = this.restartTimesMs.filter((timeMs) => timeMs > oldestKeptMs);
  }

  private giveUp(): RestartDecisionGiveUp {
    const { maxRestarts, windowMs } = this.options;
    const restartsInWindow = this.restartTimesMs.length;
    const reason =
      maxRestarts === 0
        ? 'restarts are turned off because maxRestarts is 0'
        : `restarted ${restartsInWindow} ${restartsInWindow === 1 ? 'time' : 'times'} within ${formatSeconds(windowMs)} s`;
    return Object.freeze({ action: 'give_up', restartsInWindow, windowMs, reason });
  }

  // Jitter spreads the restarts of workers that crashed at the same moment, so
  // that they do not all restart in lock-step.
  private applyJitter(baseDelayMs: number): number {
    const { jitter, maxDelayMs } = this.options;
    if (jitter === 0) return Math.round(baseDelayMs);

    const multiplier = 1 + jitter * (2 * this.random() - 1);
    return Math.round(Math.min(maxDelayMs, Math.max(0, baseDelayMs * multiplier)));
  }
}

function isPositive(value: number): boolean {
  return Number.isFinite(value) && value > 0;
}

function formatSeconds(ms: number): string {
  return String(Number((ms / 1000).toFixed(3)));
}

function formatValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return String(value);
  return JSON.stringify(value) ?? String(value);
}

function unknownOption(option: string, value: unknown): VjError {
  const expected = `one of ${Object.keys(OPTION_CHECKS).join(', ')}`;
  return new VjError(
    PmErrorCodes.VJ_PM_INVALID_OPTIONS,
    `Restart policy option ${option} is unknown; expected ${expected}`,
    { option, value, expected, shortMessage: `unknown restart policy option ${option}` },
  );
}

function invalidOption(option: string, value: unknown, expected: string): VjError {
  return new VjError(
    PmErrorCodes.VJ_PM_INVALID_OPTIONS,
    `Restart policy option ${option} is ${formatValue(value)}; expected ${expected}`,
    { option, value, expected, shortMessage: `invalid restart policy option ${option}` },
  );
}
