import { setTimeout as sleep } from 'node:timers/promises';

/** Options of {@link waitFor}. */
export interface WaitForOptions {
  /** Time after which waitFor gives up, in milliseconds. Default 5000. */
  timeoutMs?: number;
  /** Pause between two calls of the predicate, in milliseconds. Default 25. */
  intervalMs?: number;
  /** Description of the awaited condition, used as the error message on timeout. */
  message?: string;
}

/**
 * Calls `predicate` until it returns or resolves to a truthy value, and
 * returns that value. A call that throws or rejects counts as falsy, and the
 * last such error becomes the `cause` of the timeout error.
 *
 * Throws an Error whose message is `options.message` followed by the timeout
 * when no call has succeeded within `timeoutMs`. The deadline is checked
 * between calls, so a predicate that never settles is ended only by Jest's test
 * timeout. The pauses use real timers and never advance under
 * `jest.useFakeTimers()`.
 *
 * @example
 * await waitFor(() => existsSync(registryPath), { timeoutMs: 2000, message: 'registry file was not written' });
 */
export async function waitFor<T>(predicate: () => T | Promise<T>, options: WaitForOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 25;
  if (!(timeoutMs >= 0 && Number.isFinite(timeoutMs))) {
    throw new RangeError(`waitFor timeoutMs must be a finite number >= 0, but received ${timeoutMs}`);
  }
  if (!(intervalMs > 0 && Number.isFinite(intervalMs))) {
    throw new RangeError(`waitFor intervalMs must be a finite number > 0, but received ${intervalMs}`);
  }

  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }

    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) break;
    await sleep(Math.min(intervalMs, remainingMs));
  }

  const message = options.message ?? 'waitFor condition was not met';
  const errorOptions = lastError === undefined ? undefined : { cause: lastError };
  throw new Error(`${message} (timed out after ${timeoutMs} ms)`, errorOptions);
}
