/**
 * The window of a backfill (CONTRACT §6): which orders, by Junction's
 * `updated_at`, are read from `GET /v3/orders`. A date without a time means
 * 00:00:00 UTC for the start and the end of that day for the end; an open end is
 * fixed at the moment the backfill starts, so that paging through a window that
 * keeps growing cannot shift pages under the reader.
 */
import { addFields } from './fields';
import { canonicalInstant } from './instant';

export interface BackfillWindow {
  /** Canonical UTC instants, both inclusive. */
  since: string;
  until: string;
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** A `--since`/`--until` value as a canonical instant, or null when it is neither a date nor a date-time. */
export function windowBound(value: string, side: 'since' | 'until'): string | null {
  const text = value.trim();
  if (DATE_ONLY.test(text)) return canonicalInstant(`${text}T${side === 'since' ? '00:00:00.000000' : '23:59:59.999999'}Z`);
  return canonicalInstant(text);
}

export type WindowResult = { ok: true; window: BackfillWindow } | { ok: false; message: string };

/** The window from the user's words; `now` closes an open end. */
export function backfillWindow(since: string | undefined, until: string | undefined, now: Date): WindowResult {
  if (since === undefined || since.trim() === '') return { ok: false, message: '--since is required (a date such as 2026-01-31, or an ISO date-time)' };
  const start = windowBound(since, 'since');
  if (start === null) return { ok: false, message: '--since must be a date (YYYY-MM-DD) or an ISO 8601 date-time' };
  const end = until === undefined || until.trim() === '' ? canonicalInstant(now.toISOString()) : windowBound(until, 'until');
  if (end === null) return { ok: false, message: '--until must be a date (YYYY-MM-DD) or an ISO 8601 date-time' };
  if (end < start) return { ok: false, message: '--until is before --since' };
  return { ok: true, window: { since: start, until: end } };
}

/** The counts of a backfill, in the order the contract prints them. */
export interface BackfillCounts {
  read: number;
  applied: number;
  duplicate: number;
  stale: number;
  failed: number;
}

export const NO_COUNTS: BackfillCounts = { read: 0, applied: 0, duplicate: 0, stale: 0, failed: 0 };

/** The counts' fields, in the order the contract prints them. */
const COUNT_FIELDS = ['read', 'applied', 'duplicate', 'stale', 'failed'] as const satisfies readonly (keyof BackfillCounts)[];

export function addCounts(a: BackfillCounts, b: BackfillCounts): BackfillCounts {
  return addFields(a, b, COUNT_FIELDS);
}

/** The one JSON line a backfill ends with (fixed key order). */
export function countsLine(counts: BackfillCounts): string {
  const { read, applied, duplicate, stale, failed } = counts;
  return JSON.stringify({ read, applied, duplicate, stale, failed });
}
