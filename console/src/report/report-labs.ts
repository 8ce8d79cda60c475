/**
 * The report's rows by lab and collection method and its failure types
 * (CONTRACT §11 `by_lab`, `ended_missing`) in words and sums, for the page's
 * charts and tables. Failure types are said by functions/core/missing-words.ts
 * (the words the follow-up page, the notices and the CLI give). Pure: no DOM.
 */
import { failureTypeWords } from '../../../functions/core/missing-words';
import type { ByLabRow, EndedMissing } from './report-doc';

/** A collection method code in words, as the other codes read: `walk_in_test` -> "walk in test". */
export function methodWords(method: string): string {
  return method.replaceAll('_', ' ');
}

/** "north-lab, walk in test": a row's name in the chart and its accessible name. */
export function labRowName(row: Pick<ByLabRow, 'lab' | 'method'>): string {
  return `${row.lab}, ${methodWords(row.method)}`;
}

/** A row's redraw rate as the table says it: "22.9 per 100", or "-" with nothing completed. */
export function rateWords(rate: number | null): string {
  return rate === null ? '-' : `${rate} per 100`;
}

/** What the rate chart writes beside a row: its rate, or "no completions" where there is none to draw. */
export function rateBarWords(row: Pick<ByLabRow, 'redraw_rate' | 'with_redraw' | 'completed'>): string {
  return row.redraw_rate === null ? 'no completions' : `${rateWords(row.redraw_rate)} (${row.with_redraw} of ${row.completed})`;
}

/** The failure types that occur, most first, then by code: [code, count]. */
export function failureTypeRows(failureTypes: Readonly<Record<string, number>>): [string, number][] {
  return Object.entries(failureTypes)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
}

/** The failure types summed over every row, most first, then by code. */
export function failureTypeTotals(rows: readonly Pick<ByLabRow, 'failure_types'>[]): [string, number][] {
  const totals: Record<string, number> = {};
  for (const row of rows) {
    for (const [type, n] of Object.entries(row.failure_types)) totals[type] = (totals[type] ?? 0) + n;
  }
  return failureTypeRows(totals);
}

/** "2 not enough sample (quantity_not_sufficient_failure)": one failure type with its count, in words and code. */
export function failureTypeCountWords(type: string, n: number): string {
  return `${n} ${failureTypeWords(type)} (${type})`;
}

/** A row's failure types in words, most first, or "none counted". */
export function rowFailureWords(failureTypes: Readonly<Record<string, number>>): string {
  const rows = failureTypeRows(failureTypes);
  return rows.length === 0 ? 'none counted' : rows.map(([type, n]) => failureTypeCountWords(type, n)).join(', ');
}

/** The three ways a transaction ends without all its results, in words, in the contract's order. */
export const ENDED_MISSING_WORDS: readonly { key: keyof EndedMissing; words: string }[] = [
  { key: 'results_still_missing', words: 'Redraw came back incomplete' },
  { key: 'no_redraw', words: 'No redraw possible' },
  { key: 'redraw_failed', words: 'Redraw failed' },
];

/** How many ended without all their results, in all. */
export function endedMissingTotal(ended: EndedMissing): number {
  return ended.results_still_missing + ended.no_redraw + ended.redraw_failed;
}

/** Shortens a label drawn in a chart to `max` characters (the full text is in the chart's name and its table). */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
