/**
 * What an ended transaction tells a report (CONTRACT §11), from its members as
 * the transaction item keeps them: whether it had a redraw, its lab, how it
 * ended without all its results, and how long the redraw took to results.
 * One place, so that the report's rows and a recount of the stored facts read
 * a transaction the same way.
 */
import { followUpSituation, hadRedraw, type RedrawMember } from './follow-up/situation';
import { hoursBetween } from './instant';
import type { TalliedTransaction } from './report-tallies';
import { ENDED_MISSING, type EndedMissing } from './report-counts';
import type { TransactionStatus } from './transaction-status';

/** A member as reports read it: what the follow-up reads, its lab and when it first completed. */
export type ReportMember = RedrawMember & { created_at?: string; lab?: string | null; completed_at?: string };

/** The tallied facts of a transaction with these members, status, newest status time and method. */
export function talliedTransaction(
  transaction: { status: TransactionStatus; updated_at: string; collection_method: string | null },
  members: readonly ReportMember[],
): TalliedTransaction {
  const ended = transaction.status !== 'active';
  return {
    status: transaction.status,
    updated_at: transaction.updated_at,
    collection_method: transaction.collection_method,
    had_redraw: hadRedraw(members),
    lab: labOf(members),
    missing: ended ? endedMissing(members, transaction.status) : null,
    redraw_results_hours: redrawResultsHours(members),
  };
}

/** The initial order's lab: the earliest-created member that is no redraw or recreation, else any member's that names one. */
export function labOf(members: readonly ReportMember[]): string | null {
  const byCreated = [...members].sort((a, b) => ((a.created_at ?? '') < (b.created_at ?? '') ? -1 : (a.created_at ?? '') > (b.created_at ?? '') ? 1 : a.id < b.id ? -1 : 1));
  const initial = byCreated.find((member) => member.origin !== 'redraw' && member.origin !== 'recreation');
  return initial?.lab ?? byCreated.find((member) => member.lab !== undefined)?.lab ?? null;
}

/** How an ended transaction is without all its results (the attention its follow-up's facts give), or null. */
function endedMissing(members: readonly ReportMember[], status: TransactionStatus): EndedMissing | null {
  const facts = followUpSituation(members, status).facts.map((entry) => entry.fact as string);
  return ENDED_MISSING.find((attention) => facts.includes(attention)) ?? null;
}

/** Hours from the initial order's first redraw_available to the redraw order's first completed event; null without both. */
function redrawResultsHours(members: readonly ReportMember[]): number | null {
  const available = members
    .filter((member) => member.origin !== 'redraw')
    .map((member) => member.redraw_available_at)
    .filter((at): at is string => typeof at === 'string')
    .sort()[0];
  const completed = members
    .filter((member) => member.origin === 'redraw')
    .map((member) => member.completed_at)
    .filter((at): at is string => typeof at === 'string')
    .sort()[0];
  return available === undefined || completed === undefined ? null : hoursBetween(available, completed);
}
