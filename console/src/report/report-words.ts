/**
 * The report's numbers in words, as the CLI says them
 * (cli/report-views.ts durationsCell/redrawRateCell, functions/core/digest-words.ts
 * hoursWords). Ported rather than imported: those modules reach node:crypto and
 * zod through their imports, which the console's bundle and typecheck (DOM, no
 * Node types) must not. test/unit/console/report-words.test.ts holds each port
 * to its original.
 */
import { zonedParts } from '../lib/time';

/** The Durations of a report (CONTRACT §11). */
export interface Durations {
  n: number;
  p50: number | null;
  p90: number | null;
}

/** Hours as a person says them: "45 min", "4.5 h", in days from 48 hours ("3.2 days"). */
export function hoursWords(hours: number): string {
  if (hours < 1) return `${Math.max(1, Math.round(hours * 60))} min`;
  if (hours < 48) return `${Number(hours.toFixed(1))} h`;
  return `${Number((hours / 24).toFixed(1))} days`;
}

/** `p50 12.5 h · p90 6.3 days (n 14)`, or `- (n 0)` when nothing was measured: the CLI's words. */
export function durationsWords(durations: Durations): string {
  if (durations.n === 0 || durations.p50 === null || durations.p90 === null) return `- (n ${durations.n})`;
  return `p50 ${hoursWords(durations.p50)} · p90 ${hoursWords(durations.p90)} (n ${durations.n})`;
}

/** with_redraw / walk_in_completed as a percentage with its numbers, or why there is none: the CLI's words. */
export function redrawRateWords(report: { with_redraw: number; walk_in_completed: number }): string {
  if (report.walk_in_completed === 0) return '- (no walk-in transaction completed in the window)';
  const percent = Math.round((report.with_redraw / report.walk_in_completed) * 1000) / 10;
  return `${percent}% (${report.with_redraw} of ${report.walk_in_completed} completed walk-in transactions had a redraw)`;
}

/** The dispositions only the tracker closes with (CONTRACT §9). */
const TRACKER_DISPOSITIONS: ReadonlySet<string> = new Set(['redraw_completed', 'cancelled', 'results_received']);

/** A disposition in words, and who closes with it: `patient_unreachable` -> "patient unreachable". */
export function dispositionWords(disposition: string): string {
  return disposition.replaceAll('_', ' ');
}

/** Whether the tracker (not a person) closes with this disposition. */
export function isTrackerDisposition(disposition: string): boolean {
  return TRACKER_DISPOSITIONS.has(disposition);
}

/** The dispositions that occur, most first, then by name (the CLI's order). */
export function dispositionRows(byDisposition: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(byDisposition)
    .filter(([, n]) => n > 0)
    .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b));
}

/** The aging buckets in order, with their words (the CLI's labels) and the worklist's `age` value. */
export const AGING_BUCKETS = [
  { key: '0_7', label: '0-7 days' },
  { key: '8_14', label: '8-14 days' },
  { key: '15_30', label: '15-30 days' },
  { key: 'over_30', label: 'over 30 days' },
] as const;
export type AgingKey = (typeof AGING_BUCKETS)[number]['key'];

/** The worklist route of open follow-ups in one aging bucket. */
export function agingRoute(key: AgingKey): string {
  return `/worklist?${new URLSearchParams({ queue: 'open', age: key }).toString()}`;
}

/**
 * An instant as the console shows it: "2026-11-16 09:30 UTC" in `timeZone`
 * (the zone named after it), or the text as it is when it is no date-time.
 */
export function instantWords(iso: string, timeZone = 'UTC'): string {
  const millis = Date.parse(iso);
  if (Number.isNaN(millis)) return iso;
  const parts = zonedParts(new Date(millis), timeZone);
  return `${parts.date} ${parts.time} ${timeZone}`;
}
