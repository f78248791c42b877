import { waitFor } from '../src';

describe('waitFor', () => {
  test('returns the first truthy value', async () => {
    let calls = 0;

    const value = await waitFor(
      () => {
        calls += 1;
        return calls >= 3 ? `call ${calls}` : undefined;
      },
      { intervalMs: 1 },
    );

    expect(value).toBe('call 3');
  });

  test('awaits an async predicate', async () => {
    const startedAt = Date.now();

    const value = await waitFor(async () => Date.now() - startedAt >= 30, { intervalMs: 5 });

    expect(value).toBe(true);
  });

  test('rejects with the message after the timeout', async () => {
    const startedAt = Date.now();

    await expect(
      waitFor(() => false, { timeoutMs: 100, intervalMs: 10, message: 'registry file was not written' }),
    ).rejects.toThrow('registry file was not written (timed out after 100 ms)');

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(100);
  });

  test('keeps the last predicate error as cause', async () => {
    const failure = new Error('file not found');

    const error = await waitFor(
      () => {
        throw failure;
      },
      { timeoutMs: 30, intervalMs: 5 },
    ).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('waitFor condition was not met (timed out after 30 ms)');
    expect((error as Error).cause).toBe(failure);
  });

  test('retries after a predicate error', async () => {
    let calls = 0;

    const value = await waitFor(
      () => {
        calls += 1;
        if (calls === 1) throw new Error('not ready');
        return calls;
      },
      { intervalMs: 1 },
    );

    expect(value).toBe(2);
  });

  test.each([
    ['a negative timeoutMs', { timeoutMs: -1 }],
    ['a zero intervalMs', { intervalMs: 0 }],
    ['a NaN timeoutMs', { timeoutMs: Number.NaN }],
  ])('rejects %s', async (_name, options) => {
    await expect(waitFor(() => true, options)).rejects.toThrow(RangeError);
  });
});
