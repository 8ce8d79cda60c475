import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { intervalPercentWords, percentNumber, wilsonInterval } from '../../../console/src/report/wilson';

describe('the 95% Wilson score interval', () => {
  it('gives the published values: Newcombe (1998) 81 of 263 is 0.2553 to 0.3662', () => {
    const interval = wilsonInterval(81, 263)!;
    expect(interval.low).toBeCloseTo(0.2553, 4);
    expect(interval.high).toBeCloseTo(0.3662, 4);
  });

  it('gives the textbook values of 5 of 10 (0.2366 to 0.7634) and 0 of 10 (0 to 0.2775)', () => {
    expect(wilsonInterval(5, 10)!.low).toBeCloseTo(0.2366, 4);
    expect(wilsonInterval(5, 10)!.high).toBeCloseTo(0.7634, 4);
    expect(wilsonInterval(0, 10)).toEqual({ low: 0, high: expect.closeTo(0.2775, 4) });
    expect(wilsonInterval(10, 10)).toEqual({ low: expect.closeTo(0.7225, 4), high: 1 });
  });

  it('is wide for a small sample and narrow for a large one at the same rate', () => {
    // 1 of 2 and 3 of 9, the rows a new user saw ranked, against 50 of 100.
    expect(intervalPercentWords(wilsonInterval(1, 2)!)).toBe('9.5 to 90.5%');
    expect(intervalPercentWords(wilsonInterval(3, 9)!)).toBe('12.1 to 64.6%');
    expect(intervalPercentWords(wilsonInterval(50, 100)!)).toBe('40.4 to 59.6%');
  });

  it('has no interval without trials, or for counts that are no proportion', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
    expect(wilsonInterval(3, 2)).toBeNull();
    expect(wilsonInterval(-1, 2)).toBeNull();
    expect(wilsonInterval(1.5, 4)).toBeNull();
  });

  it('always holds the observed rate and stays inside 0..1 (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100_000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n))), ([x, n]) => {
        const { low, high } = wilsonInterval(x, n)!;
        expect(low).toBeGreaterThanOrEqual(0);
        expect(high).toBeLessThanOrEqual(1);
        expect(low).toBeLessThanOrEqual(x / n + 1e-12);
        expect(high).toBeGreaterThanOrEqual(x / n - 1e-12);
      }),
    );
  });

  it('says a proportion in percent with one decimal', () => {
    expect(percentNumber(0.12058)).toBe(12.1);
    expect(percentNumber(0.5)).toBe(50);
    expect(percentNumber(1)).toBe(100);
  });
});
