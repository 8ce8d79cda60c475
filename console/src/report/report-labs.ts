/**
 * The report's rows by lab and collection method and its failure types
 * (CONTRACT §11 `by_lab`, `ended_missing`) in words and sums, for the page's
 * charts and tables. Rates are said in percent everywhere on the page (the
 * API's "per 100 completed" is the same number), each with its sample and its
 * 95% Wilson interval. Labs are named by functions/core/lab-names.ts, failure
 * types by functions/core/missing-words.ts (the words the follow-up page, the
 * notices and the CLI give). Pure: no DOM.
 */
import { labName } from '../../../functions/core/lab-names';
import { failureTypeWords } from '../../../functions/core/missing-words';
import type { ByLabRow, EndedMissing } from './report-doc';
import { intervalPercentWords, wilsonInterval } from './wilson';

/**
 * A lab and method is ranked by its redraw rate only with at least this many
 * completed: below it one redraw moves the rate by more than 10 points. The
 * weekly digest names a row only from 20 (functions/core/digest-labs.ts); the
 * page shows more rows and says how sure each rate is instead.
 */
export const RANK_MIN_COMPLETED = 10;

/** "Sonora Quest (sonora_quest)": a lab in words with its code beside, or its code alone when it has no known name. */
export function labWords(lab: string): string {
  const name = labName(lab);
  return name === null ? lab : `${name} (${lab})`;
}

/** A collection method code in words, as the other codes read: `walk_in_test` -> "walk in test". */
export function methodWords(method: string): string {
  return method.replaceAll('_', ' ');
}

/** "Quest Diagnostics (quest), walk in test": a row's name in the charts and their accessible names. */
export function labRowName(row: Pick<ByLabRow, 'lab' | 'method'>): string {
  return `${labWords(row.lab)}, ${methodWords(row.method)}`;
}

type RateRow = Pick<ByLabRow, 'redraw_rate' | 'with_redraw' | 'completed'>;

/** A row's redraw rate with its sample: "33.3% (3 of 9)", or "no completions" where there is no rate. */
export function rateWords(row: RateRow): string {
  return row.redraw_rate === null ? 'no completions' : `${row.redraw_rate}% (${row.with_redraw} of ${row.completed})`;
}

/** The 95% Wilson interval of a row's rate: "12.1 to 64.6%", or "-" where there is no rate. */
export function rowIntervalWords(row: Pick<ByLabRow, 'with_redraw' | 'completed'>): string {
  const interval = wilsonInterval(row.with_redraw, row.completed);
  return interval === null ? '-' : intervalPercentWords(interval);
}

/** What the charts and tables say of a rate: "33.3% (3 of 9), 95% interval 12.1 to 64.6%", or "no completions". */
export function rateBarWords(row: RateRow): string {
  return row.redraw_rate === null ? rateWords(row) : `${rateWords(row)}, 95% interval ${rowIntervalWords(row)}`;
}

/** The by-lab rows as the page shows them: those it ranks, those too few to rank, and those without a redraw (folded). */
export interface LabRowGroups {
  /** At least RANK_MIN_COMPLETED completed and a redraw: the API's order, highest rate first. */
  ranked: ByLabRow[];
  /** Fewer than RANK_MIN_COMPLETED completed and a redraw: by lab and method, no rank. */
  tooFew: ByLabRow[];
  /** No redraw (0 of n, or nothing completed): their bars would be empty. By lab and method. */
  zero: ByLabRow[];
}

/** The by-lab rows in the page's three groups; every row is in exactly one. */
export function groupLabRows(rows: readonly ByLabRow[]): LabRowGroups {
  const byName = (a: ByLabRow, b: ByLabRow) => a.lab.localeCompare(b.lab) || a.method.localeCompare(b.method);
  return {
    ranked: rows.filter((row) => row.with_redraw > 0 && row.completed >= RANK_MIN_COMPLETED),
    tooFew: rows.filter((row) => row.with_redraw > 0 && row.completed < RANK_MIN_COMPLETED).sort(byName),
    zero: rows.filter((row) => row.with_redraw === 0).sort(byName),
  };
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

/** How many missing markers a row's failure types count, in all. */
export function missingMarkers(failureTypes: Readonly<Record<string, number>>): number {
  return Object.values(failureTypes).reduce((sum, n) => sum + n, 0);
}

/** "1 missing marker", "9 missing markers": the unit of the failure types (a count of markers, not of orders). */
export function markersWords(n: number): string {
  return `${n} missing marker${n === 1 ? '' : 's'}`;
}

/** The rows with a failure type counted, the most missing markers first (then by lab and method), for the stacked chart. */
export function failureRows(rows: readonly ByLabRow[]): ByLabRow[] {
  return rows
    .filter((row) => missingMarkers(row.failure_types) > 0)
    .sort((a, b) => missingMarkers(b.failure_types) - missingMarkers(a.failure_types) || a.lab.localeCompare(b.lab) || a.method.localeCompare(b.method));
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
