/**
 * The weekly digest's two lines of issue 48 (CONTRACT §11), as plain data and
 * words: how many transactions ended last week without all their results (by
 * attention, beside the week before), and the lab and method with the highest
 * redraw rate among those with at least DIGEST_LAB_MIN_COMPLETED completed,
 * beside the same lab and method the week before. The CLI's report says the
 * ended-missing counts in the same words. Counts and operational codes only
 * (a lab's slug, a collection method): nothing of a patient. Pure.
 */
import { pickFields } from './fields';
import type { ByLab, RedrawReport } from './report';
import { ENDED_MISSING, type EndedMissing } from './report-counts';

/** A lab and method is named for its redraw rate only with at least this many completed in the week (CONTRACT §11). */
export const DIGEST_LAB_MIN_COMPLETED = 20;

/** How each way of ending without all the results reads (docs/reports.md `ended_missing`). */
export const ENDED_MISSING_WORDS: Readonly<Record<EndedMissing, string>> = {
  results_still_missing: 'incomplete after a redraw',
  no_redraw: 'with no redraw possible',
  redraw_failed: 'redraw failed',
};

/** The transactions that ended without all their results, in all. */
export function endedMissingTotal(counts: Readonly<Record<EndedMissing, number>>): number {
  return ENDED_MISSING.reduce((sum, how) => sum + counts[how], 0);
}

/**
 * "2 incomplete after a redraw, 3 with no redraw possible, 1 redraw failed", in
 * §11's order; `zeros: false` leaves out the ways nothing ended (the digest:
 * "zero counts are not listed"), `true` keeps all three (the CLI's table).
 */
export function endedMissingParts(counts: Readonly<Record<EndedMissing, number>>, zeros: boolean): string {
  return ENDED_MISSING.filter((how) => zeros || counts[how] > 0)
    .map((how) => `${counts[how]} ${ENDED_MISSING_WORDS[how]}`)
    .join(', ');
}

/**
 * The digest's line: "6 transactions ended without all their results (week
 * before 4): 2 incomplete after a redraw, 3 with no redraw possible, 1 redraw
 * failed." or "No transaction ended without all its results (week before 4)."
 * `weekBefore` null: the week before is not known, nothing is said of it.
 */
export function endedMissingWords(counts: Readonly<Record<EndedMissing, number>>, weekBefore: Readonly<Record<EndedMissing, number>> | null): string {
  const total = endedMissingTotal(counts);
  const before = weekBefore === null ? '' : ` (week before ${endedMissingTotal(weekBefore)})`;
  if (total === 0) return `No transaction ended without all its results${before}.`;
  return `${total} ${total === 1 ? 'transaction' : 'transactions'} ended without all their results${before}: ${endedMissingParts(counts, false)}.`;
}

/**
 * The row with the highest redraw rate among those with at least `min`
 * completed, or null when none has. A tie goes to the row that comes first in
 * the report (§11's order: rate, then lab, then method); a null rate is never
 * the highest.
 */
export function highestRedrawRate(rows: readonly ByLab[], min = DIGEST_LAB_MIN_COMPLETED): ByLab | null {
  let best: ByLab | null = null;
  let bestRate = -Infinity;
  for (const row of rows) {
    if (row.completed < min || row.redraw_rate === null) continue;
    if (row.redraw_rate > bestRate) {
      best = row;
      bestRate = row.redraw_rate;
    }
  }
  return best;
}

/** A lab and method's redraw rate in a week: what the digest's JSON carries of it. */
export interface LabRate {
  completed: number;
  with_redraw: number;
  /** with_redraw per 100 completed, one decimal (the report's); null with none completed. */
  redraw_rate: number | null;
}

/** The digest's `highest_redraw_rate`: last week's lab and method, and the same lab and method the week before. */
export interface DigestLabRate extends LabRate {
  lab: string;
  method: string;
  /** Never null here: a row is named only with DIGEST_LAB_MIN_COMPLETED completed. */
  redraw_rate: number;
  /** The same lab and method's row the week before; null when it had none (or the week before is not known). */
  week_before: LabRate | null;
}

/**
 * Last week's lab and method with the highest redraw rate (highestRedrawRate),
 * with the same lab and method's figures the week before; null when no row has
 * DIGEST_LAB_MIN_COMPLETED completed. Field by field: nothing else of a row
 * reaches a subscriber.
 */
export function digestLabRate(report: Pick<RedrawReport, 'by_lab'>, weekBefore: Pick<RedrawReport, 'by_lab'> | null): DigestLabRate | null {
  const best = highestRedrawRate(report.by_lab);
  if (best === null) return null;
  const same = weekBefore?.by_lab.find((row) => row.lab === best.lab && row.method === best.method) ?? null;
  return {
    ...pickFields(best, ['lab', 'method', 'completed', 'with_redraw']),
    redraw_rate: best.redraw_rate ?? 0,
    week_before: same === null ? null : pickFields(same, ['completed', 'with_redraw', 'redraw_rate']),
  };
}

/** A rate per 100 as the digest says it: one decimal, "18.0". */
const per100 = (rate: number): string => `${rate.toFixed(1)} per 100`;

/**
 * The digest's line: "Highest redraw rate (20 or more completed): quest
 * walk_in_test, 22.9 per 100 (22 of 96; week before 18.0 per 100, 18 of 100)."
 * The week before reads "-" when the lab and method had no row then, "-, 12
 * completed" when it had fewer than DIGEST_LAB_MIN_COMPLETED; without a row
 * that qualifies: "No lab and method completed 20 transactions last week."
 */
export function labRateWords(rate: DigestLabRate | null, weekBeforeKnown: boolean): string {
  const min = DIGEST_LAB_MIN_COMPLETED;
  if (rate === null) return `No lab and method completed ${min} transactions last week.`;
  const before = rate.week_before;
  const then =
    before === null
      ? '-'
      : before.completed < min || before.redraw_rate === null
        ? `-, ${before.completed} completed`
        : `${per100(before.redraw_rate)}, ${before.with_redraw} of ${before.completed}`;
  const beside = weekBeforeKnown ? `; week before ${then}` : '';
  return `Highest redraw rate (${min} or more completed): ${rate.lab} ${rate.method}, ${per100(rate.redraw_rate)} (${rate.with_redraw} of ${rate.completed}${beside}).`;
}
