import { setTimeout as sleep } from 'node:timers/promises';
import { framesPerSecondFor, RenderLoop } from '../../src/console/render-loop';

describe('RenderLoop', () => {
  test('requests between two frames make one frame', async () => {
    let drawn = 0;
    const loop = new RenderLoop(
      () => drawn++,
      50,
      () => undefined,
    );

    for (let i = 0; i < 10; i++) loop.request();
    await sleep(20);
    for (let i = 0; i < 10; i++) loop.request();
    await sleep(120);
    loop.stop();

    expect(drawn).toBe(2);
  });

  test('a frame that throws is reported and the loop keeps drawing', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const loop = new RenderLoop(
      () => {
        calls++;
        if (calls === 1) throw new Error('bad payload');
      },
      1,
      (error) => errors.push(error),
    );

    loop.request();
    await sleep(20);
    loop.request();
    await sleep(20);
    loop.stop();

    expect(errors).toEqual([new Error('bad payload')]);
    expect(calls).toBe(2);
  });

  test('stop cancels a pending frame', async () => {
    let drawn = 0;
    const loop = new RenderLoop(
      () => drawn++,
      1000,
      () => undefined,
    );
    loop.request();
    await sleep(10);

    loop.request();
    loop.stop();
    await sleep(20);

    expect(drawn).toBe(1);
  });
});

describe('framesPerSecondFor', () => {
  test('small terminals get the full rate', () => {
    expect(framesPerSecondFor(80, 24)).toBe(30);
    expect(framesPerSecondFor(160, 24)).toBe(30);
  });

  test('large terminals get fewer frames', () => {
    expect(framesPerSecondFor(160, 48)).toBeCloseTo(21.2, 1);
    expect(framesPerSecondFor(320, 96)).toBeLessThan(framesPerSecondFor(160, 48));
    expect(framesPerSecondFor(0, 0)).toBe(30);
  });
});
