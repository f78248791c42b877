import { isVjError } from '@vj/bus';
import { PmErrorCodes } from '../src/errors';
import {
  DEFAULT_RESTART_POLICY,
  type RestartDecision,
  type RestartDecisionGiveUp,
  type RestartDecisionRestart,
  type RestartPolicyOptions,
  RestartTracker,
  resolveRestartPolicy,
} from '../src/restart-policy';

/** Random source whose value makes the jitter multiplier exactly 1. */
const NO_JITTER_EFFECT = (): number => 0.5;

/** Start time of every tracker in these tests, in Unix ms. */
const T0 = 1_700_000_000_000;

function expectRestart(decision: RestartDecision): RestartDecisionRestart {
  if (decision.action !== 'restart') throw new Error(`expected restart, got ${JSON.stringify(decision)}`);
  return decision;
}

function expectGiveUp(decision: RestartDecision): RestartDecisionGiveUp {
  if (decision.action !== 'give_up') throw new Error(`expected give_up, got ${JSON.stringify(decision)}`);
  return decision;
}

/** Starts the worker at `startMs` and reports an exit `uptimeMs` later. */
function crash(tracker: RestartTracker, startMs: number, uptimeMs: number): RestartDecision {
  tracker.started(startMs);
  return tracker.exited(startMs + uptimeMs);
}

describe('resolveRestartPolicy', () => {
  test('resolveRestartPolicy defaults every option', () => {
    const policy = resolveRestartPolicy();

    expect(policy).toEqual({
      baseDelayMs: 100,
      factor: 2,
      maxDelayMs: 30_000,
      jitter: 0.2,
      stableUptimeMs: 30_000,
      maxRestarts: 10,
      windowMs: 300_000,
    });
    expect(policy).toEqual(DEFAULT_RESTART_POLICY);
    expect(Object.isFrozen(policy)).toBe(true);
  });

  test('resolveRestartPolicy merges options over defaults', () => {
    const policy = resolveRestartPolicy({ maxRestarts: 0, jitter: 0, baseDelayMs: undefined });

    expect(policy.maxRestarts).toBe(0);
    expect(policy.jitter).toBe(0);
    expect(policy.baseDelayMs).toBe(100);
    expect(Object.isFrozen(policy)).toBe(true);
  });

  test('resolveRestartPolicy does not change its input', () => {
    const options: RestartPolicyOptions = { factor: 3 };

    resolveRestartPolicy(options);

    expect(options).toEqual({ factor: 3 });
  });

  const invalidCases: Array<[string, unknown, string]> = [
    ['baseDelayMs', 0, 'positive finite number'],
    ['baseDelayMs', -5, 'positive finite number'],
    ['baseDelayMs', Number.NaN, 'positive finite number'],
    ['baseDelayMs', '100', 'positive finite number'],
    ['factor', 0.5, 'at least 1'],
    ['factor', Number.POSITIVE_INFINITY, 'at least 1'],
    ['maxDelayMs', 0, 'positive finite number'],
    ['maxDelayMs', Number.POSITIVE_INFINITY, 'positive finite number'],
    ['jitter', -0.1, 'from 0 up to but not including 1'],
    ['jitter', 1, 'from 0 up to but not including 1'],
    ['stableUptimeMs', 0, 'positive finite number'],
    ['maxRestarts', -1, 'integer of at least 0'],
    ['maxRestarts', 2.5, 'integer of at least 0'],
    ['windowMs', 0, 'positive finite number'],
    ['windowMs', null, 'positive finite number'],
  ];

  test.each(invalidCases)('resolveRestartPolicy rejects %s = %p', (option, value, expected) => {
    let thrown: unknown;
    try {
      resolveRestartPolicy({ [option]: value } as RestartPolicyOptions);
    } catch (error) {
      thrown = error;
    }

    expect(isVjError(thrown, PmErrorCodes.VJ_PM_INVALID_OPTIONS)).toBe(true);
    const error = thrown as Error & { fields: Record<string, unknown>; shortMessage: string };
    expect(error.message).toContain(`Restart policy option ${option} is `);
    expect(error.message).toContain(expected);
    expect(error.fields.option).toBe(option);
    expect(error.fields.value).toBe(value);
    expect(error.shortMessage).toBe(`invalid restart policy option ${option}`);
  });

  test('resolveRestartPolicy names the value in the message', () => {
    expect(() => resolveRestartPolicy({ factor: 0.5 })).toThrow(
      'Restart policy option factor is 0.5; expected a finite number of at least 1',
    );
    expect(() => resolveRestartPolicy({ baseDelayMs: Number.NaN })).toThrow(
      'Restart policy option baseDelayMs is NaN; expected a positive finite number of milliseconds',
    );
  });

  test('resolveRestartPolicy rejects an unknown option name', () => {
    const options = { maxRestart: 3 } as RestartPolicyOptions;

    expect(() => resolveRestartPolicy(options)).toThrow(
      expect.objectContaining({
        code: PmErrorCodes.VJ_PM_INVALID_OPTIONS,
        shortMessage: 'unknown restart policy option maxRestart',
        message: expect.stringContaining(
          'Restart policy option maxRestart is unknown; expected one of baseDelayMs,',
        ),
      }),
    );
  });
});

describe('RestartTracker delays', () => {
  test('delay doubles from the base delay on quick crashes', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ maxRestarts: 100 }), NO_JITTER_EFFECT);

    const decisions = [0, 1, 2, 3, 4].map((index) => expectRestart(crash(tracker, T0 + index * 1000, 500)));

    expect(decisions.map((decision) => decision.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(decisions.map((decision) => decision.baseDelayMs)).toEqual([100, 200, 400, 800, 1600]);
    expect(decisions.map((decision) => decision.delayMs)).toEqual([100, 200, 400, 800, 1600]);
  });

  test('delay follows the configured factor', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ baseDelayMs: 50, factor: 3, jitter: 0 }));

    const delays = [0, 1, 2].map((index) => expectRestart(crash(tracker, T0 + index * 1000, 10)).delayMs);

    expect(delays).toEqual([50, 150, 450]);
  });

  test('delay stops growing at maxDelayMs', () => {
    const policy = resolveRestartPolicy({ baseDelayMs: 1000, maxDelayMs: 5000, maxRestarts: 100 });
    const tracker = new RestartTracker(policy, NO_JITTER_EFFECT);

    const decisions = [0, 1, 2, 3, 4, 5].map((index) => expectRestart(crash(tracker, T0 + index * 100, 10)));

    expect(decisions.map((decision) => decision.baseDelayMs)).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
    expect(decisions.map((decision) => decision.delayMs)).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
  });

  test('delay stays at maxDelayMs when the factor overflows', () => {
    const policy = resolveRestartPolicy({ factor: 1e300, maxDelayMs: 30_000, jitter: 0, maxRestarts: 100 });
    const tracker = new RestartTracker(policy);

    const decisions = [0, 1, 2, 3].map((index) => expectRestart(crash(tracker, T0 + index * 100, 10)));

    expect(decisions.map((decision) => decision.delayMs)).toEqual([100, 30_000, 30_000, 30_000]);
  });

  test('jitter with random 0 reaches the lower bound', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ baseDelayMs: 1000, jitter: 0.2 }), () => 0);

    const decision = expectRestart(crash(tracker, T0, 10));

    expect(decision.baseDelayMs).toBe(1000);
    expect(decision.delayMs).toBe(800);
  });

  test('jitter with random 0.999 reaches the upper bound', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ baseDelayMs: 1000, jitter: 0.2 }), () => 0.999);

    const decision = expectRestart(crash(tracker, T0, 10));

    expect(decision.baseDelayMs).toBe(1000);
    expect(decision.delayMs).toBe(1200);
  });

  test('jitter never exceeds maxDelayMs', () => {
    const policy = resolveRestartPolicy({ baseDelayMs: 1000, maxDelayMs: 1000, jitter: 0.5 });
    const tracker = new RestartTracker(policy, () => 0.999);

    const decision = expectRestart(crash(tracker, T0, 10));

    expect(decision.baseDelayMs).toBe(1000);
    expect(decision.delayMs).toBe(1000);
  });

  test('jitter 0 skips the random source', () => {
    const random = jest.fn(() => 0);
    const tracker = new RestartTracker(resolveRestartPolicy({ baseDelayMs: 250, jitter: 0 }), random);

    const decision = expectRestart(crash(tracker, T0, 10));

    expect(decision.delayMs).toBe(250);
    expect(random).not.toHaveBeenCalled();
  });

  test('delay is rounded to whole milliseconds', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ baseDelayMs: 333, jitter: 0.1 }), () => 0.3);

    const decision = expectRestart(crash(tracker, T0, 10));

    // 333 * (1 + 0.1 * (2 * 0.3 - 1)) = 333 * 0.96 = 319.68
    expect(decision.delayMs).toBe(320);
  });

  test('jittered delays vary within bounds', () => {
    const policy = resolveRestartPolicy({ baseDelayMs: 1000, jitter: 0.2 });
    const delays: number[] = [];

    for (let index = 0; index < 1000; index++) {
      const tracker = new RestartTracker(policy);
      delays.push(expectRestart(crash(tracker, T0, 10)).delayMs);
    }

    expect(Math.min(...delays)).toBeGreaterThanOrEqual(800);
    expect(Math.max(...delays)).toBeLessThanOrEqual(1200);
    expect(new Set(delays).size).toBeGreaterThan(1);
    // Both sides of the base delay occur. With 1000 uniform draws, the chance
    // that either side is missing is about 2 * 0.5^1000.
    expect(delays.some((delayMs) => delayMs < 1000)).toBe(true);
    expect(delays.some((delayMs) => delayMs > 1000)).toBe(true);
  });
});

describe('RestartTracker stable uptime', () => {
  test('attempt restarts at 1 after stable uptime', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ stableUptimeMs: 30_000 }), NO_JITTER_EFFECT);
    expectRestart(crash(tracker, T0, 1000));
    expectRestart(crash(tracker, T0 + 2000, 1000));
    expectRestart(crash(tracker, T0 + 4000, 1000));

    const afterStable = expectRestart(crash(tracker, T0 + 6000, 30_000));

    expect(afterStable.attempt).toBe(1);
    expect(afterStable.delayMs).toBe(100);
    expect(afterStable.restartsInWindow).toBe(4);
  });

  test('uptime below stableUptimeMs is a quick crash', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ stableUptimeMs: 30_000 }), NO_JITTER_EFFECT);
    expectRestart(crash(tracker, T0, 1000));

    const decision = expectRestart(crash(tracker, T0 + 2000, 29_999));

    expect(decision.attempt).toBe(2);
    expect(decision.delayMs).toBe(200);
  });

  test('exit without start is a quick crash', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ jitter: 0 }));
    expectRestart(crash(tracker, T0, 60_000));

    const decision = expectRestart(tracker.exited(T0 + 120_000));

    expect(decision.attempt).toBe(2);
  });
});

describe('RestartTracker window', () => {
  test('tracker gives up after maxRestarts restarts', () => {
    const tracker = new RestartTracker(
      resolveRestartPolicy({ maxRestarts: 3, windowMs: 60_000 }),
      NO_JITTER_EFFECT,
    );

    const restarts = [0, 1, 2].map((index) => expectRestart(crash(tracker, T0 + index * 1000, 100)));
    const giveUp = expectGiveUp(crash(tracker, T0 + 3000, 100));

    expect(restarts.map((decision) => decision.restartsInWindow)).toEqual([1, 2, 3]);
    expect(giveUp.restartsInWindow).toBe(3);
    expect(giveUp.windowMs).toBe(60_000);
    expect(giveUp.reason).toBe('restarted 3 times within 60 s');
  });

  test('give_up reason uses the default limits', () => {
    const tracker = new RestartTracker(resolveRestartPolicy(), NO_JITTER_EFFECT);
    for (let index = 0; index < 10; index++) expectRestart(crash(tracker, T0 + index * 1000, 100));

    const giveUp = expectGiveUp(crash(tracker, T0 + 10_000, 100));

    expect(giveUp.reason).toBe('restarted 10 times within 300 s');
    expect(giveUp.restartsInWindow).toBe(10);
    expect(giveUp.windowMs).toBe(300_000);
  });

  test('give_up reason uses the singular for one restart', () => {
    const tracker = new RestartTracker(
      resolveRestartPolicy({ maxRestarts: 1, windowMs: 1500 }),
      NO_JITTER_EFFECT,
    );
    expectRestart(crash(tracker, T0, 100));

    const giveUp = expectGiveUp(crash(tracker, T0 + 200, 100));

    expect(giveUp.reason).toBe('restarted 1 time within 1.5 s');
  });

  test('maxRestarts of 0 never restarts', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ maxRestarts: 0 }), NO_JITTER_EFFECT);

    const giveUp = expectGiveUp(crash(tracker, T0, 60_000));

    expect(giveUp.restartsInWindow).toBe(0);
    expect(giveUp.reason).toBe('restarts are turned off because maxRestarts is 0');
  });

  test('restarts older than windowMs stop counting', () => {
    const tracker = new RestartTracker(
      resolveRestartPolicy({ maxRestarts: 3, windowMs: 10_000 }),
      NO_JITTER_EFFECT,
    );
    expectRestart(crash(tracker, T0, 100)); // counted at T0 + 100
    expectRestart(crash(tracker, T0 + 4000, 100)); // counted at T0 + 4100
    expectRestart(crash(tracker, T0 + 8000, 100)); // counted at T0 + 8100

    // At T0 + 10_100 the first restart is exactly windowMs old and no longer counts.
    const slid = expectRestart(crash(tracker, T0 + 10_000, 100));

    expect(slid.restartsInWindow).toBe(3);
  });

  test('restart 1 ms inside window counts', () => {
    const tracker = new RestartTracker(
      resolveRestartPolicy({ maxRestarts: 1, windowMs: 10_000 }),
      NO_JITTER_EFFECT,
    );
    expectRestart(crash(tracker, T0, 100));

    const giveUp = expectGiveUp(crash(tracker, T0 + 5000, 5099));

    expect(giveUp.restartsInWindow).toBe(1);
  });

  test('window counts restarts across an attempt reset', () => {
    const policy = resolveRestartPolicy({ maxRestarts: 3, windowMs: 300_000, stableUptimeMs: 30_000 });
    const tracker = new RestartTracker(policy, NO_JITTER_EFFECT);
    expectRestart(crash(tracker, T0, 1000));
    expectRestart(crash(tracker, T0 + 2000, 1000));

    const stable = expectRestart(crash(tracker, T0 + 4000, 40_000));
    const giveUp = expectGiveUp(crash(tracker, T0 + 50_000, 40_000));

    expect(stable.attempt).toBe(1);
    expect(stable.restartsInWindow).toBe(3);
    expect(giveUp.restartsInWindow).toBe(3);
  });

  test('give_up stays until reset after the window slides', () => {
    const tracker = new RestartTracker(
      resolveRestartPolicy({ maxRestarts: 1, windowMs: 10_000 }),
      NO_JITTER_EFFECT,
    );
    expectRestart(crash(tracker, T0, 100));
    const giveUp = expectGiveUp(crash(tracker, T0 + 1000, 100));

    const later = expectGiveUp(crash(tracker, T0 + 60_000, 100));

    expect(later).toEqual(giveUp);
    expect(later.restartsInWindow).toBe(1);
    expect(later.reason).toBe('restarted 1 time within 10 s');
  });

  test('reset after give_up clears all state', () => {
    const tracker = new RestartTracker(
      resolveRestartPolicy({ maxRestarts: 2, windowMs: 60_000 }),
      NO_JITTER_EFFECT,
    );
    expectRestart(crash(tracker, T0, 100));
    expectRestart(crash(tracker, T0 + 1000, 100));
    expectGiveUp(crash(tracker, T0 + 2000, 100));

    tracker.reset();
    const afterReset = expectRestart(crash(tracker, T0 + 3000, 100));

    expect(afterReset.attempt).toBe(1);
    expect(afterReset.delayMs).toBe(100);
    expect(afterReset.restartsInWindow).toBe(1);
  });
});

describe('RestartTracker snapshot', () => {
  test('snapshot starts empty', () => {
    const tracker = new RestartTracker(resolveRestartPolicy());

    expect(tracker.snapshot()).toEqual({
      attempt: 0,
      restartsInWindow: 0,
      lastDelayMs: undefined,
      gaveUp: false,
    });
  });

  test('snapshot reports the last restart', () => {
    const tracker = new RestartTracker(resolveRestartPolicy(), NO_JITTER_EFFECT);
    expectRestart(crash(tracker, T0, 100));
    expectRestart(crash(tracker, T0 + 1000, 100));

    expect(tracker.snapshot()).toEqual({ attempt: 2, restartsInWindow: 2, lastDelayMs: 200, gaveUp: false });
  });

  test('snapshot at a time drops old restarts', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ windowMs: 10_000 }), NO_JITTER_EFFECT);
    expectRestart(crash(tracker, T0, 100));
    expectRestart(crash(tracker, T0 + 5000, 100));

    expect(tracker.snapshot().restartsInWindow).toBe(2);
    expect(tracker.snapshot(T0 + 10_100).restartsInWindow).toBe(1);
    expect(tracker.snapshot(T0 + 15_100).restartsInWindow).toBe(0);
  });

  test('snapshot shows give_up until reset', () => {
    const tracker = new RestartTracker(resolveRestartPolicy({ maxRestarts: 1 }), NO_JITTER_EFFECT);
    expectRestart(crash(tracker, T0, 100));
    expectGiveUp(crash(tracker, T0 + 1000, 100));

    expect(tracker.snapshot()).toEqual({ attempt: 1, restartsInWindow: 1, lastDelayMs: 100, gaveUp: true });
    tracker.reset();
    expect(tracker.snapshot()).toEqual({
      attempt: 0,
      restartsInWindow: 0,
      lastDelayMs: undefined,
      gaveUp: false,
    });
  });

  test('restore keeps restarts within the window', () => {
    const tracker = new RestartTracker(
      resolveRestartPolicy({ maxRestarts: 2, windowMs: 60_000 }),
      NO_JITTER_EFFECT,
    );

    // One restart 70 s ago is outside the window, the two of the last minute count.
    tracker.restore([T0 - 70_000, T0 - 30_000, T0 - 10_000], T0);

    expect(tracker.recentRestartsMs).toEqual([T0 - 30_000, T0 - 10_000]);
    expect(expectGiveUp(tracker.exited(T0)).restartsInWindow).toBe(2);
  });

  test('restore then one restart left', () => {
    const tracker = new RestartTracker(
      resolveRestartPolicy({ maxRestarts: 2, windowMs: 60_000 }),
      NO_JITTER_EFFECT,
    );

    tracker.restore([T0 - 10_000], T0);

    expect(expectRestart(tracker.exited(T0)).attempt).toBe(2);
    expect(tracker.recentRestartsMs).toEqual([T0 - 10_000, T0]);
  });
});
