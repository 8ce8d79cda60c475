/**
 * The field readers of the report's document (report-doc.ts, report-bookings-doc.ts):
 * an operational code, a record, a count, a Durations. Pure: no DOM.
 */
import type { Durations } from './report-words';

/**
 * An operational code (a lab slug, a collection method, a failure type): the
 * lab slug's character set (CONTRACT §11), underscores and hyphens allowed.
 * Anything else is refused rather than shown: the console shows no free text.
 */
export const CODE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export type Fields = Record<string, unknown>;

export function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

export function durations(value: unknown): Durations | null {
  if (!isRecord(value)) return null;
  const n = count(value.n);
  const p = (x: unknown) => (x === null ? null : typeof x === 'number' && Number.isFinite(x) ? x : undefined);
  const p50 = p(value.p50);
  const p90 = p(value.p90);
  if (n === null || p50 === undefined || p90 === undefined) return null;
  return { n, p50, p90 };
}
