/**
 * The reference figures that each benchmark result is compared with: a Python
 * pyzmq + pydantic implementation of the same wire protocol, measured on a
 * machine of the same kind, and the goals set for this TypeScript one.
 */

/** Figures of the Python implementation. */
export const PYTHON_BAR = {
  validatedPerSecond: 22_000,
  latencyP50Ms: 0.2,
  latencyP99Ms: 0.37,
  roundTripP50Ms: 0.17,
} as const;

/** Goals of @vj/bus. */
export const GOALS = {
  /** Three times the Python throughput, with validation on. */
  validatedPerSecond: 3 * PYTHON_BAR.validatedPerSecond,
  /** p99 publish-to-receive latency at 1 kHz. */
  latencyP99Ms: 1,
  /** Command round trip p50, no slower than Python's. */
  roundTripP50Ms: PYTHON_BAR.roundTripP50Ms,
} as const;

/** One figure checked against its goal. */
export interface GoalCheck {
  name: string;
  value: number;
  goal: number;
  unit: string;
  met: boolean;
}

/** Figures that `checkGoals` reads, each possibly missing when its benchmark did not run. */
export interface GoalInputs {
  floodReceivedPerSecond?: number;
  zeroLossHz?: number;
  latencyP99Ms?: number;
  roundTripP50Ms?: number;
}

/** Compares the figures that are present with their goals. */
export function checkGoals(inputs: GoalInputs): GoalCheck[] {
  const checks: GoalCheck[] = [];
  if (inputs.floodReceivedPerSecond !== undefined) {
    checks.push(
      atLeast(
        'validated messages/s under a flood',
        inputs.floodReceivedPerSecond,
        GOALS.validatedPerSecond,
        'msg/s',
      ),
    );
  }
  if (inputs.zeroLossHz !== undefined) {
    checks.push(
      atLeast('highest paced rate without loss', inputs.zeroLossHz, GOALS.validatedPerSecond, 'msg/s'),
    );
  }
  if (inputs.latencyP99Ms !== undefined) {
    checks.push(atMost('publish-to-receive p99 at 1 kHz', inputs.latencyP99Ms, GOALS.latencyP99Ms, 'ms'));
  }
  if (inputs.roundTripP50Ms !== undefined) {
    checks.push(atMost('command round trip p50', inputs.roundTripP50Ms, GOALS.roundTripP50Ms, 'ms'));
  }
  return checks;
}

function atLeast(name: string, value: number, goal: number, unit: string): GoalCheck {
  return { name, value, goal, unit, met: value >= goal };
}

function atMost(name: string, value: number, goal: number, unit: string): GoalCheck {
  return { name, value, goal, unit, met: value <= goal };
}
