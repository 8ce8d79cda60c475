/**
 * Where the report's bars go (CONTRACT §12, Report): lengths and positions
 * from counts and a size in SVG user units. Pure arithmetic, no DOM, so the
 * unit tests hold every chart to the same rules: a bar never leaves its plot,
 * a count above zero always shows (at least MIN_VISIBLE long), zero draws
 * nothing, the order of the values is the order of the bars, and every
 * figure is rounded to hundredths so the markup stays short and stable.
 */

/** Shortest bar drawn for a count above zero, so that "1" never vanishes beside "10,000". */
export const MIN_VISIBLE = 2;

/** Rounded to hundredths (SVG needs no more; tests compare exactly). */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** A count as the charts read it: negative, NaN or infinite values draw as 0. */
function count(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * The axis maximum: the smallest of 1, 2, 2.5, 5 times a power of ten (never
 * below 1) that is at least the largest value, so the gridline labels are
 * round numbers. All zeros give 1: an empty chart still has an axis.
 */
export function niceMax(values: readonly number[]): number {
  const largest = Math.max(0, ...values.map(count));
  if (largest <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(largest));
  for (const step of [1, 2, 2.5, 5, 10]) {
    const candidate = step * power;
    // Float noise (3 * 0.1) must not push a value just past its own nice maximum.
    if (candidate >= largest - power * 1e-9) return candidate;
  }
  return 10 * power;
}

/**
 * Gridline values from 0 to `max` inclusive, in equal whole steps where the
 * axis allows: 4 steps (100 -> 25s), else 5 (25 -> 5s), else 2, else 1; an
 * axis of 1 to 3 gets one tick per whole number (never a quarter of a count).
 */
export function ticks(max: number): number[] {
  const safeMax = count(max) || 1;
  const n = Number.isInteger(safeMax) && safeMax <= 3 ? safeMax : ([4, 5, 2].find((steps) => Number.isInteger(safeMax / steps)) ?? 1);
  return Array.from({ length: n + 1 }, (_, index) => round2((safeMax * index) / n));
}

/** How long a bar of `value` is on an axis of `max` drawn `length` long: 0 for 0, at least MIN_VISIBLE (or the whole length, if shorter) above 0, never past `length`. */
export function barLength(value: number, max: number, length: number): number {
  const v = count(value);
  const room = count(length);
  if (v === 0 || room === 0) return 0;
  const axis = Math.max(count(max), v);
  return round2(Math.min(room, Math.max(Math.min(MIN_VISIBLE, room), (v / axis) * room)));
}

/** One horizontal bar: its row's top (`y`), its thickness, and how far it reaches from the plot's left edge. */
export interface HorizontalBar {
  value: number;
  y: number;
  thickness: number;
  length: number;
}

/**
 * Horizontal bars, one per value in order, top to bottom: each row is
 * `height / values.length` tall with the bar centred in it (`gap` of the row,
 * 0..1, left empty), each bar `length` long at the axis maximum.
 */
export function horizontalBars(values: readonly number[], layout: { width: number; height: number; max?: number; gap?: number }): HorizontalBar[] {
  if (values.length === 0) return [];
  const max = layout.max ?? niceMax(values);
  const row = count(layout.height) / values.length;
  const gap = clampGap(layout.gap ?? 0.3);
  const thickness = row * (1 - gap);
  return values.map((value, index) => ({
    value: count(value),
    y: round2(index * row + (row - thickness) / 2),
    thickness: round2(thickness),
    length: barLength(value, max, layout.width),
  }));
}

/** One vertical bar of a grouped chart: its left edge, top, width and height in the plot (y grows downwards, the baseline is `height`). */
export interface VerticalBar {
  value: number;
  /** Index of its group (a week) and of its series within the group (opened, closed). */
  group: number;
  series: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Grouped vertical bars: `groups[g][s]` is series s of group g. The plot is
 * `width` wide, cut into one band per group (`gap` of each band, 0..1, left
 * between groups); the bars of a group stand side by side in its band, in
 * series order, on a baseline at `height`.
 */
export function groupedBars(groups: readonly (readonly number[])[], layout: { width: number; height: number; max?: number; gap?: number }): VerticalBar[] {
  if (groups.length === 0) return [];
  const max = layout.max ?? niceMax(groups.flat());
  const band = count(layout.width) / groups.length;
  const gap = clampGap(layout.gap ?? 0.25);
  const bars: VerticalBar[] = [];
  groups.forEach((series, group) => {
    if (series.length === 0) return;
    const inner = band * (1 - gap);
    const barWidth = inner / series.length;
    const left = group * band + (band - inner) / 2;
    series.forEach((value, index) => {
      const height = barLength(value, max, layout.height);
      bars.push({
        value: count(value),
        group,
        series: index,
        x: round2(left + index * barWidth),
        y: round2(count(layout.height) - height),
        width: round2(barWidth),
        height,
      });
    });
  });
  return bars;
}

/** Where a tick sits on an axis of `max` drawn `length` long (from the axis's start). */
export function tickPosition(value: number, max: number, length: number): number {
  const axis = count(max) || 1;
  return round2((Math.min(count(value), axis) / axis) * count(length));
}

function clampGap(gap: number): number {
  return Number.isFinite(gap) ? Math.min(0.9, Math.max(0, gap)) : 0;
}
