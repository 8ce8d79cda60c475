/**
 * The answer of GET /reports/redraws (CONTRACT §11, docs/openapi.json
 * RedrawReport) as the console reads it: checked field by field, so that a
 * tracker older than the console (without the extensions) still shows, and
 * anything else is an error the page says in words rather than a blank.
 * Pure: no DOM.
 */
import { MAX_ACTOR_DISPLAY } from '../../../functions/core/report-closers';
import { HANDLE_PATTERN } from '../lib/handle';
import { readReportBookings, type ReportBookings } from './report-bookings-doc';
import { CODE, count, durations, isRecord } from './doc-fields';
import type { Durations } from './report-words';

/** The report as the console reads it; its booking fields (CONTRACT §14) in report-bookings-doc.ts. */
export interface ReportDoc extends ReportBookings {
  from: string;
  to: string;
  opened: number;
  closed: number;
  by_disposition: Record<string, number>;
  open_now: number;
  stale_now: number;
  unassigned_now: number;
  aging_now: { '0_7': number; '8_14': number; '15_30': number; over_30: number };
  time_to_redraw_order_hours: Durations;
  time_to_acknowledge_hours: Durations;
  time_to_close_hours: Durations;
  walk_in_completed: number;
  with_redraw: number;
  time_zone: string;
  closed_by_people: number;
  closed_by_tracker: number;
  redraw_failed_now: number;
  /** From `attention_now` (issue 46): open follow-ups whose redraw came back incomplete, and with results missing and no redraw; 0 from an older tracker. */
  results_still_missing_now: number;
  no_redraw_now: number;
  /** Transactions that ended in the window without all their results, by how (CONTRACT §11). */
  ended_missing: EndedMissing;
  /** Transactions that ended in the window, by lab and collection method, in the API's order (CONTRACT §11). */
  by_lab: ByLabRow[];
  /** People's closes counted in the window, most first (CONTRACT §11, issues 73 and 84); null: none counted yet (or an older tracker's window before it counted). */
  closes_by_person: CloserRow[] | null;
  /** When the tracker began counting closes by person; null: not yet, or an older tracker. */
  closes_counted_since: string | null;
  /**
   * Whether the count misses some of the window's people's closes (it starts before
   * `closes_counted_since`, or holds a close counted without its actor). From a
   * tracker before issue 84 (absent): whether the window starts before that instant.
   */
  closes_partial: boolean;
}

/** One row of `closes_by_person`: a person's handle (never a patient's data), the name an EHR gave them (null: none), and their closes in the window. */
export interface CloserRow {
  actor: string;
  actor_display: string | null;
  closed: number;
}

/** The three ways a transaction ends without all its results (its follow-up's attention). */
export const ENDED_MISSING_KEYS = ['results_still_missing', 'no_redraw', 'redraw_failed'] as const;
export type EndedMissing = Record<(typeof ENDED_MISSING_KEYS)[number], number>;

/** One lab and collection method's row (CONTRACT §11 ByLab). */
export interface ByLabRow {
  lab: string;
  method: string;
  completed: number;
  with_redraw: number;
  /** with_redraw per 100 completed, one decimal; null with none completed. */
  redraw_rate: number | null;
  ended_missing: number;
  time_to_redraw_results_hours: Durations;
  /** Failure type code -> count. */
  failure_types: Record<string, number>;
}

/** The report in `body`, or the name of the first field that is missing or wrong. */
export function readReport(body: unknown): { ok: true; report: ReportDoc } | { ok: false; field: string } {
  if (!isRecord(body)) return { ok: false, field: 'the document' };
  for (const field of ['from', 'to'] as const) {
    if (typeof body[field] !== 'string' || Number.isNaN(Date.parse(body[field]))) return { ok: false, field };
  }
  const counts = ['opened', 'closed', 'open_now', 'stale_now', 'unassigned_now', 'walk_in_completed', 'with_redraw'] as const;
  for (const field of counts) if (count(body[field]) === null) return { ok: false, field };
  if (!isRecord(body.by_disposition) || Object.values(body.by_disposition).some((n) => count(n) === null)) return { ok: false, field: 'by_disposition' };
  const aging = body.aging_now;
  if (!isRecord(aging) || (['0_7', '8_14', '15_30', 'over_30'] as const).some((key) => count(aging[key]) === null)) return { ok: false, field: 'aging_now' };
  const spans = ['time_to_redraw_order_hours', 'time_to_acknowledge_hours', 'time_to_close_hours'] as const;
  for (const field of spans) if (durations(body[field]) === null) return { ok: false, field };
  // Extensions (docs/openapi.json): a tracker older than the console may not send them.
  const optional = (field: string) => (body[field] === undefined ? 0 : count(body[field]));
  for (const field of ['closed_by_people', 'closed_by_tracker', 'redraw_failed_now']) if (optional(field) === null) return { ok: false, field };
  if (body.time_zone !== undefined && typeof body.time_zone !== 'string') return { ok: false, field: 'time_zone' };
  const attention = body.attention_now;
  const perAttention = (key: string) => (attention === undefined ? 0 : isRecord(attention) ? count(attention[key]) : null);
  for (const key of ['results_still_missing', 'no_redraw']) if (perAttention(key) === null) return { ok: false, field: 'attention_now' };
  const endedMissing = readEndedMissing(body.ended_missing);
  if (endedMissing === null) return { ok: false, field: 'ended_missing' };
  if (!Array.isArray(body.by_lab)) return { ok: false, field: 'by_lab' };
  const byLab: ByLabRow[] = [];
  for (const [index, value] of body.by_lab.entries()) {
    const row = readByLab(value);
    if (typeof row === 'string') return { ok: false, field: `by_lab[${index}]${row === '' ? '' : `.${row}`}` };
    byLab.push(row);
  }
  const closers = readClosers(body.closes_by_person);
  if (typeof closers === 'string') return { ok: false, field: closers };
  const since = body.closes_counted_since;
  if (since != null && (typeof since !== 'string' || Number.isNaN(Date.parse(since)))) return { ok: false, field: 'closes_counted_since' };
  const partial = body.closes_partial;
  if (partial != null && typeof partial !== 'boolean') return { ok: false, field: 'closes_partial' };
  const bookings = readReportBookings(body);
  if (!bookings.ok) return bookings;
  return {
    ok: true,
    report: {
      ...bookings.bookings,
      from: body.from as string,
      to: body.to as string,
      opened: body.opened as number,
      closed: body.closed as number,
      by_disposition: body.by_disposition as Record<string, number>,
      open_now: body.open_now as number,
      stale_now: body.stale_now as number,
      unassigned_now: body.unassigned_now as number,
      aging_now: { '0_7': aging['0_7'] as number, '8_14': aging['8_14'] as number, '15_30': aging['15_30'] as number, over_30: aging.over_30 as number },
      time_to_redraw_order_hours: durations(body.time_to_redraw_order_hours)!,
      time_to_acknowledge_hours: durations(body.time_to_acknowledge_hours)!,
      time_to_close_hours: durations(body.time_to_close_hours)!,
      walk_in_completed: body.walk_in_completed as number,
      with_redraw: body.with_redraw as number,
      time_zone: knownZone(typeof body.time_zone === 'string' ? body.time_zone : 'UTC'),
      closed_by_people: optional('closed_by_people')!,
      closed_by_tracker: optional('closed_by_tracker')!,
      redraw_failed_now: optional('redraw_failed_now')!,
      results_still_missing_now: perAttention('results_still_missing')!,
      no_redraw_now: perAttention('no_redraw')!,
      ended_missing: endedMissing,
      by_lab: byLab,
      closes_by_person: closers,
      closes_counted_since: since ?? null,
      closes_partial: partial ?? (since != null && Date.parse(since) > Date.parse(body.from as string)),
    },
  };
}

/** `closes_by_person` (absent from an older tracker: null), or the name of its first wrong field. */
function readClosers(value: unknown): CloserRow[] | null | string {
  if (value == null) return null;
  if (!Array.isArray(value)) return 'closes_by_person';
  const rows: CloserRow[] = [];
  for (const [index, row] of value.entries()) {
    if (!isRecord(row) || typeof row.actor !== 'string' || !HANDLE_PATTERN.test(row.actor)) return `closes_by_person[${index}].actor`;
    const display = row.actor_display ?? null;
    if (display !== null && (typeof display !== 'string' || [...display].length > MAX_ACTOR_DISPLAY)) return `closes_by_person[${index}].actor_display`;
    const closed = count(row.closed);
    if (closed === null) return `closes_by_person[${index}].closed`;
    rows.push({ actor: row.actor, actor_display: display, closed });
  }
  return rows;
}

function readEndedMissing(value: unknown): EndedMissing | null {
  if (!isRecord(value)) return null;
  const [stillMissing, noRedraw, failed] = ENDED_MISSING_KEYS.map((key) => count(value[key]));
  if (stillMissing == null || noRedraw == null || failed == null) return null;
  return { results_still_missing: stillMissing, no_redraw: noRedraw, redraw_failed: failed };
}

/** A by_lab row, or the name of its first wrong field ('' for the row itself). */
function readByLab(value: unknown): ByLabRow | string {
  if (!isRecord(value)) return '';
  for (const field of ['lab', 'method'] as const) if (typeof value[field] !== 'string' || !CODE.test(value[field])) return field;
  for (const field of ['completed', 'with_redraw', 'ended_missing'] as const) if (count(value[field]) === null) return field;
  const completed = value.completed as number;
  if ((value.with_redraw as number) > completed) return 'with_redraw';
  const rate = value.redraw_rate;
  // null exactly when nothing completed; a rate per 100 otherwise.
  if (completed === 0 ? rate !== null : typeof rate !== 'number' || !Number.isFinite(rate) || rate < 0 || rate > 100) return 'redraw_rate';
  const spans = durations(value.time_to_redraw_results_hours);
  if (spans === null) return 'time_to_redraw_results_hours';
  const types = value.failure_types;
  if (!isRecord(types) || Object.entries(types).some(([type, n]) => !CODE.test(type) || count(n) === null)) return 'failure_types';
  return {
    lab: value.lab as string,
    method: value.method as string,
    completed,
    with_redraw: value.with_redraw as number,
    redraw_rate: rate as number | null,
    ended_missing: value.ended_missing as number,
    time_to_redraw_results_hours: spans,
    failure_types: { ...(types as Record<string, number>) },
  };
}

/** `zone` when this runtime knows it as an IANA zone, else UTC (the tracker's default): the page never breaks on a zone name. */
export function knownZone(zone: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    return 'UTC';
  }
}
