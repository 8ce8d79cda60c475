/**
 * The 95% Wilson score interval of a proportion (E. B. Wilson, 1927): where
 * the true redraw rate of a lab and method plausibly lies, given that
 * `successes` of `trials` completed transactions had a redraw. Unlike the
 * plain "rate ± 1.96 standard errors", it stays inside 0..1 and is not zero
 * wide at 0 of 9 or 9 of 9, which is what a small sample needs to say. Pure.
 */

/** The normal quantile of a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/** An interval of a proportion, both ends in 0..1. */
export interface Interval {
  low: number;
  high: number;
}

/**
 * The Wilson score interval of `successes` in `trials` at the normal
 * quantile `z` (95% by default); null with no trials, or counts that are no
 * proportion (negative, fractional, more successes than trials).
 */
export function wilsonInterval(successes: number, trials: number, z = Z_95): Interval | null {
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || trials <= 0 || successes < 0 || successes > trials) return null;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const centre = (p + z2 / (2 * trials)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / denominator;
  // At 0 or all successes one end is exactly 0 or 1; floating point must not leave it a hair outside.
  return { low: successes === 0 ? 0 : Math.max(0, centre - half), high: successes === trials ? 1 : Math.min(1, centre + half) };
}

/** An interval in percent, one decimal, as the page says it: "12.1 to 64.6%" (a hyphen would read as a minus). */
export function intervalPercentWords(interval: Interval): string {
  return `${percentNumber(interval.low)} to ${percentNumber(interval.high)}%`;
}

/** A proportion as a percentage with one decimal, trailing ".0" dropped: 0.1206 -> 12.1, 0.5 -> 50. */
export function percentNumber(proportion: number): number {
  return Math.round(proportion * 1000) / 10;
}
