/**
 * Checks of the analyser's and the rhythm tracker's settings. Each failure
 * raises VJ_AUDIO_ANALYSIS_INVALID_CONFIG naming the field, the value received
 * and what the field accepts.
 */
import { VjError } from '@vj/bus';

/**
 * Setting checks whose messages name one owner of the settings.
 *
 * @example
 * const checks = new SettingChecks('Analysis');
 * checks.range('smoothing', config.smoothing, 0, 0.99);
 */
export class SettingChecks {
  /** @param owner the settings' owner as messages name it, such as "Analysis" */
  constructor(private readonly owner: string) {}

  /** Returns the error for `field`, whose `value` is not `expected`. */
  invalid(field: string, value: unknown, expected: string): VjError {
    return new VjError(
      'VJ_AUDIO_ANALYSIS_INVALID_CONFIG',
      `${this.owner} setting ${field} must be ${expected}, received ${JSON.stringify(value)}`,
      { field, value, shortMessage: `invalid ${this.owner.toLowerCase()} setting ${field}` },
    );
  }

  /** Checks that `value` is a finite number from `min` to `max`. */
  range(field: string, value: unknown, min: number, max: number, expected?: string): void {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw this.invalid(field, value, expected ?? `a number from ${min} to ${max}`);
    }
  }

  /** Checks that `value` is an integer from `min` to `max`. */
  integer(field: string, value: unknown, min: number, max: number): void {
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
      throw this.invalid(field, value, `an integer from ${min} to ${max}`);
    }
  }

  /** Checks that `value` is a pair [low, high] with min ≤ low < high ≤ max. */
  orderedPair(field: string, value: unknown, min: number, max: number): void {
    const pair = value as readonly unknown[];
    const valid =
      Array.isArray(pair) &&
      pair.length === 2 &&
      typeof pair[0] === 'number' &&
      typeof pair[1] === 'number' &&
      pair[0] >= min &&
      pair[0] < pair[1] &&
      pair[1] <= max;
    if (!valid) {
      throw this.invalid(field, value, `two increasing numbers from ${min} to ${max}`);
    }
  }
}
