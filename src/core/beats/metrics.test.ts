import { describe, expect, it } from 'vitest';
import { beatFMeasure, eventIoU, hitRate, matchCount } from './metrics.ts';

describe('beat metrics', () => {
  const beats = [0.5, 1, 1.5, 2, 2.5, 3];
  it('identical lists give IoU 1 and F 1', () => {
    expect(eventIoU(beats, beats)).toBe(1);
    expect(beatFMeasure(beats, beats)).toBe(1);
  });
  it('a 0.6 s shift gives IoU 0 at the paper threshold when beats are sparse', () => {
    const sparse = [1, 3, 5, 7];
    expect(
      eventIoU(
        sparse,
        sparse.map((b) => b + 0.6),
      ),
    ).toBe(0);
  });
  it('matches one-to-one: two transitions cannot share one beat', () => {
    expect(matchCount([1.0, 1.02], [1.01], 0.07)).toBe(1);
    expect(eventIoU([1.0, 1.02], [1.01])).toBeCloseTo(1 / 2);
  });
  it('hit rate counts transitions within ±70 ms of any beat', () => {
    expect(hitRate([0.52, 1.2, 2.93], beats)).toBeCloseTo(2 / 3);
    expect(hitRate([], beats)).toBeNull();
  });
  it('F-measure at ±70 ms', () => {
    expect(beatFMeasure([1, 2, 3, 4], [1.05, 2.1, 3, 5])).toBeCloseTo((2 * 2) / 8);
  });
});
