import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { barLength, groupedBars, horizontalBars, MIN_VISIBLE, niceMax, round2, tickPosition, ticks } from '../../../console/src/report/chart-geometry';

const counts = fc.array(fc.nat({ max: 1_000_000 }), { minLength: 1, maxLength: 60 });
const size = fc.integer({ min: 1, max: 2000 });

describe('niceMax', () => {
  it('gives 1 for all zeros and for nothing, so an empty chart still has an axis', () => {
    expect(niceMax([0, 0, 0])).toBe(1);
    expect(niceMax([])).toBe(1);
  });

  it('rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceMax([1])).toBe(1);
    expect(niceMax([2])).toBe(2);
    expect(niceMax([3])).toBe(5);
    expect(niceMax([7])).toBe(10);
    expect(niceMax([10])).toBe(10);
    expect(niceMax([11])).toBe(20);
    expect(niceMax([21])).toBe(25);
    expect(niceMax([26, 4])).toBe(50);
    expect(niceMax([999])).toBe(1000);
    expect(niceMax([1001])).toBe(2000);
  });

  it('reads negative and non-finite values as zero', () => {
    expect(niceMax([-5, Number.NaN, Number.POSITIVE_INFINITY, 3])).toBe(5);
  });

  it('is never below the largest value nor more than 2.5 times it (property)', () => {
    fc.assert(
      fc.property(counts, (values) => {
        const largest = Math.max(...values);
        const max = niceMax(values);
        expect(max).toBeGreaterThanOrEqual(largest);
        if (largest >= 1) expect(max).toBeLessThanOrEqual(largest * 2.5);
      }),
    );
  });
});

describe('ticks', () => {
  it('divides the axis into equal round steps from 0 to the maximum', () => {
    expect(ticks(100)).toEqual([0, 25, 50, 75, 100]);
    expect(ticks(25)).toEqual([0, 5, 10, 15, 20, 25]);
    expect(ticks(250)).toEqual([0, 50, 100, 150, 200, 250]);
    expect(ticks(10)).toEqual([0, 2, 4, 6, 8, 10]);
  });

  it('gives whole numbers only on a small axis (never a quarter of a follow-up)', () => {
    expect(ticks(1)).toEqual([0, 1]);
    expect(ticks(2)).toEqual([0, 1, 2]);
    expect(ticks(0)).toEqual([0, 1]);
  });

  it('gives whole-number ticks for every axis niceMax chooses for counts (property)', () => {
    fc.assert(
      fc.property(counts, (values) => {
        const marks = ticks(niceMax(values));
        expect(marks[0]).toBe(0);
        expect(marks.at(-1)).toBe(niceMax(values));
        for (const mark of marks) expect(Number.isInteger(mark)).toBe(true);
      }),
    );
  });

  it('places ticks proportionally along the axis, the maximum at the far end', () => {
    expect(tickPosition(0, 20, 300)).toBe(0);
    expect(tickPosition(10, 20, 300)).toBe(150);
    expect(tickPosition(20, 20, 300)).toBe(300);
    expect(tickPosition(40, 20, 300)).toBe(300);
  });
});

describe('barLength', () => {
  it('draws nothing for zero', () => {
    expect(barLength(0, 10, 300)).toBe(0);
    expect(barLength(0, 0, 300)).toBe(0);
  });

  it('scales a value to its share of the axis, rounded to hundredths', () => {
    expect(barLength(5, 10, 300)).toBe(150);
    expect(barLength(1, 3, 100)).toBe(33.33);
    expect(barLength(2, 3, 100)).toBe(66.67);
  });

  it('keeps a small count visible beside one huge value', () => {
    expect(barLength(1, 1_000_000, 300)).toBe(MIN_VISIBLE);
    expect(barLength(1_000_000, 1_000_000, 300)).toBe(300);
  });

  it('never leaves the plot, even when the axis is smaller than the value', () => {
    expect(barLength(50, 10, 300)).toBe(300);
    expect(barLength(3, 10, 1)).toBe(1);
  });
});

describe('horizontalBars', () => {
  it('gives one bar per value, top to bottom in order, centred in equal rows', () => {
    const bars = horizontalBars([4, 0, 2, 1], { width: 200, height: 160, gap: 0.5 });
    expect(bars.map((bar) => bar.value)).toEqual([4, 0, 2, 1]);
    expect(bars.map((bar) => bar.y)).toEqual([10, 50, 90, 130]);
    expect(bars.every((bar) => bar.thickness === 20)).toBe(true);
    // The axis is niceMax([4, 0, 2, 1]) = 5.
    expect(bars.map((bar) => bar.length)).toEqual([160, 0, 80, 40]);
  });

  it('draws all-zero data as no bars at full row positions', () => {
    const bars = horizontalBars([0, 0, 0, 0], { width: 300, height: 100 });
    expect(bars.map((bar) => bar.length)).toEqual([0, 0, 0, 0]);
    expect(bars).toHaveLength(4);
  });

  it('never exceeds the width, keeps every nonzero bar visible, and keeps order and proportion (property)', () => {
    fc.assert(
      fc.property(counts, size, size, (values, width, height) => {
        const bars = horizontalBars(values, { width, height });
        expect(bars).toHaveLength(values.length);
        bars.forEach((bar, index) => {
          expect(bar.value).toBe(values[index]);
          expect(bar.length).toBeGreaterThanOrEqual(0);
          expect(bar.length).toBeLessThanOrEqual(width);
          if (values[index]! > 0) expect(bar.length).toBeGreaterThan(0);
          else expect(bar.length).toBe(0);
          expect(bar.y + bar.thickness).toBeLessThanOrEqual(height + 0.01);
          if (index > 0) expect(bar.y).toBeGreaterThan(bars[index - 1]!.y);
        });
        // A larger count never draws a shorter bar.
        for (const a of bars) for (const b of bars) if (a.value > b.value) expect(a.length).toBeGreaterThanOrEqual(b.length);
      }),
    );
  });
});

describe('groupedBars', () => {
  it('stands each group\'s bars side by side in its own band, on the baseline', () => {
    const bars = groupedBars(
      [
        [4, 2],
        [0, 5],
      ],
      { width: 200, height: 100, gap: 0.2 },
    );
    expect(bars.map((bar) => [bar.group, bar.series, bar.value])).toEqual([
      [0, 0, 4],
      [0, 1, 2],
      [1, 0, 0],
      [1, 1, 5],
    ]);
    // Bands of 100, 80 of bars each (10 either side), bars 40 wide.
    expect(bars.map((bar) => bar.x)).toEqual([10, 50, 110, 150]);
    expect(bars.every((bar) => bar.width === 40)).toBe(true);
    // Axis niceMax = 5: heights 80, 40, 0, 100, each standing on y = 100.
    expect(bars.map((bar) => bar.height)).toEqual([80, 40, 0, 100]);
    expect(bars.map((bar) => round2(bar.y + bar.height))).toEqual([100, 100, 100, 100]);
  });

  it('stays inside the plot, never overlaps, and preserves the order of groups and series (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat({ max: 100_000 }), fc.nat({ max: 100_000 })), { minLength: 1, maxLength: 53 }), size, size, (groups, width, height) => {
        const bars = groupedBars(groups, { width, height });
        expect(bars).toHaveLength(groups.length * 2);
        bars.forEach((bar, index) => {
          expect(bar.group).toBe(Math.floor(index / 2));
          expect(bar.series).toBe(index % 2);
          expect(bar.value).toBe(groups[bar.group]![bar.series]);
          expect(bar.x).toBeGreaterThanOrEqual(0);
          expect(bar.x + bar.width).toBeLessThanOrEqual(width + 0.02);
          expect(bar.height).toBeLessThanOrEqual(height);
          expect(bar.y).toBeGreaterThanOrEqual(0);
          if (bar.value > 0) expect(bar.height).toBeGreaterThan(0);
          if (index > 0) expect(bar.x).toBeGreaterThanOrEqual(round2(bars[index - 1]!.x + bars[index - 1]!.width) - 0.02);
        });
      }),
    );
  });

  it('gives nothing for no groups', () => {
    expect(groupedBars([], { width: 100, height: 100 })).toEqual([]);
  });
});
