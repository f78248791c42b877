import { beatFMeasure } from '../../src/rhythm/evaluation/scoring';

const GRID_S = Array.from({ length: 40 }, (_value, index) => 0.5 * index);

describe('beatFMeasure', () => {
  test('identical beats score 1', () => {
    expect(beatFMeasure(GRID_S, GRID_S)).toBe(1);
  });

  test('beats within 70 ms still match', () => {
    expect(
      beatFMeasure(
        GRID_S.map((timeS) => timeS + 0.06),
        GRID_S,
      ),
    ).toBe(1);
  });

  test('beats on the off-beat score 0', () => {
    expect(
      beatFMeasure(
        GRID_S.map((timeS) => timeS + 0.25),
        GRID_S,
      ),
    ).toBe(0);
  });

  test('double tempo halves the precision', () => {
    const doubled = Array.from({ length: 80 }, (_value, index) => 0.25 * index);
    // After the first 5 s: 30 truth beats, 60 beats of which 30 match, so P = 0.5 and R = 1.
    expect(beatFMeasure(doubled, GRID_S)).toBeCloseTo(2 / 3, 5);
  });

  test('first 5 s are left out', () => {
    const wrongStart = GRID_S.map((timeS) => (timeS < 5 ? timeS + 0.25 : timeS));
    expect(beatFMeasure(wrongStart, GRID_S)).toBe(1);
  });

  test('each truth beat matches one beat only', () => {
    const twice = GRID_S.flatMap((timeS) => [timeS, timeS + 0.01]);
    expect(beatFMeasure(twice, GRID_S)).toBeCloseTo(2 / 3, 5);
  });
});
