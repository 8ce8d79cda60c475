/**
 * Tallies (CONTRACT §11): the rows the store keeps per follow-up and per
 * transaction for reports (opened, closed with how long its steps took, a
 * transaction that ended, the failure types of a follow-up's causing order),
 * and the counts a set of them adds up to (core/report-counts.ts).
 */
import { TRACKER_ACTOR } from './follow-up/history';
import { hoursBetween } from './instant';
import { bookingCountsOf, bookingTallyOf, type BookingFacts, type BookingTally } from './report-bookings';
import { addReportCounts, EMPTY_SPREAD, emptyCounts, emptyLabCounts, labKey, spreadOf, type EndedMissing, type LabCounts, type ReportCounts } from './report-counts';

/**
 * What one follow-up or one transaction contributes to reports, as a function of
 * its current state alone: the store keeps one row per tally and replaces them
 * when the state changes, so a report is the same whatever order and however
 * often the facts arrived. Ids, times, numbers and enums only.
 */
export type Tally =
  /**
   * A follow-up opened at `at` (its opened_at); a redraw follow-up's carries its
   * bookings as of its latest write (CONTRACT §14 "The report"; absent on rows
   * written before issue 85, and on follow-ups that are no redraw).
   */
  | { kind: 'opened'; at: string; booking?: BookingTally }
  /** A redraw follow-up's first booking, at its time: its lab and the hours from the redraw offer (the digest's line). */
  | { kind: 'booked'; at: string; lab: string | null; hours: number }
  /**
   * A follow-up closed at `at`, how, by whom (`by`: its closed_by; absent on rows
   * written before issue 73), the name its close's history entry gave that person
   * (`by_display`: an EHR person's, kept as the row is written, steps/report-rows.ts;
   * absent when none), and how long its steps took (hours).
   */
  | { kind: 'closed'; at: string; disposition: string; hours: ClosedHours; by?: string; by_display?: string }
  /**
   * A transaction that ended (completed or cancelled) at `at` (its newest status
   * time). Rows written before issue 48 carry only `with_redraw`: they were kept
   * for completed walk-in transactions alone (see endedFacts).
   */
  | ({ kind: 'ended'; at: string; with_redraw: boolean } & Partial<Omit<EndedFacts, 'with_redraw'>>)
  /** The failure types of the order that caused a follow-up, counted where its transaction ended (`at`, its lab and method). */
  | { kind: 'failures'; at: string; lab: string | null; method: string | null; failure_types: Record<string, number> };
export type TallyKind = Tally['kind'];
export const TALLY_KINDS = ['opened', 'closed', 'ended', 'failures'] as const satisfies readonly TallyKind[];

/** What an ended transaction tells a report (CONTRACT §11). */
export interface EndedFacts {
  /** Ended completed (not cancelled). */
  completed: boolean;
  /** A walk-in transaction (one with a redraw is walk-in whatever else is known, DOMAIN). */
  walk_in: boolean;
  /** Had a redraw: an initial order that was ever in redraw_available, or a redraw order. */
  with_redraw: boolean;
  /** Its initial order's lab slug and its collection method; null when unknown (the report says "unknown"). */
  lab: string | null;
  method: string | null;
  /** Ended without all its results: how (its follow-up's attention); null when it has them (or was cancelled). */
  missing: EndedMissing | null;
  /** Hours from the initial order's redraw_available to the redraw order's first completed event; null without both. */
  redraw_results_hours: number | null;
}

/** An `ended` tally's facts, a row from before issue 48 read as what it was kept for: a completed walk-in transaction. */
export function endedFacts(tally: Extract<Tally, { kind: 'ended' }>): EndedFacts {
  return {
    completed: tally.completed ?? true,
    walk_in: tally.walk_in ?? true,
    with_redraw: tally.with_redraw,
    lab: tally.lab ?? null,
    method: tally.method === undefined ? 'walk_in_test' : tally.method,
    missing: tally.missing ?? null,
    redraw_results_hours: tally.redraw_results_hours ?? null,
  };
}

export interface ClosedHours {
  /** opened_at to the redraw order's creation; null without a redraw order. */
  redraw_order: number | null;
  /** opened_at to acknowledged_at; null when nobody acknowledged it. */
  acknowledge: number | null;
  /** opened_at to closed_at. */
  close: number;
}

/** The follow-up's fields tallies read (CONTRACT §9's FollowUp). */
export interface TalliedFollowUp {
  state: string;
  opened_at: string;
  acknowledged_at: string | null;
  closed_at: string | null;
  disposition: string | null;
  /** The actor of the close (a person's handle, or `tracker`); absent where a caller does not know it. */
  closed_by?: string | null;
}

/** Where a follow-up's transaction ended (its end time, lab and method), and the failure types of its causing order. */
export interface FollowUpFailures {
  ended: { at: string; lab: string | null; method: string | null } | null;
  failure_types: Record<string, number> | null;
}

/**
 * A follow-up's tallies: opened, and closed when it is. `redrawOrderedAt`: its
 * redraw order's creation time, if known. `failures`: its causing order's
 * failure types, counted once its transaction ended (none before, or without any).
 * `bookingFacts`: a redraw follow-up's opened tally carries its bookings, and its
 * first booking is a tally of its own (CONTRACT §14 "The report").
 */
export function followUpTallies(followUp: TalliedFollowUp, redrawOrderedAt: string | null, failures: FollowUpFailures | null = null, bookingFacts: BookingFacts | null = null): Tally[] {
  if (followUp.opened_at === '') return [];
  const booking = bookingTallyOf(bookingFacts, followUp.opened_at);
  const tallies: Tally[] = [booking === null ? { kind: 'opened', at: followUp.opened_at } : { kind: 'opened', at: followUp.opened_at, booking }];
  // Its first booking, at its own time (CONTRACT §14: the digest's line).
  if (booking !== null && booking.booked_hours !== null && bookingFacts?.firstAt != null) tallies.push({ kind: 'booked', at: bookingFacts.firstAt, lab: booking.lab, hours: booking.booked_hours });
  if (followUp.state === 'closed' && followUp.closed_at !== null) {
    tallies.push({
      kind: 'closed',
      at: followUp.closed_at,
      disposition: followUp.disposition ?? 'other',
      hours: {
        redraw_order: redrawOrderedAt === null ? null : hoursBetween(followUp.opened_at, redrawOrderedAt),
        acknowledge: followUp.acknowledged_at === null ? null : hoursBetween(followUp.opened_at, followUp.acknowledged_at),
        close: hoursBetween(followUp.opened_at, followUp.closed_at),
      },
      ...(followUp.closed_by == null ? {} : { by: followUp.closed_by }),
    });
  }
  const ended = failures?.ended ?? null;
  const types = failures?.failure_types ?? null;
  if (ended !== null && types !== null && Object.keys(types).length > 0) {
    tallies.push({ kind: 'failures', at: ended.at, lab: ended.lab, method: ended.method, failure_types: types });
  }
  return tallies;
}

/** What a transaction's tally reads: its status, its newest status time, its method, lab and how it ended. */
export interface TalliedTransaction {
  status: string;
  updated_at: string;
  /** Its orders' collection method (details.type), or null when unknown. */
  collection_method: string | null;
  had_redraw: boolean;
  /** Its initial order's lab slug, or null when unknown. */
  lab?: string | null;
  missing?: EndedMissing | null;
  redraw_results_hours?: number | null;
}

/** A transaction's tally: one `ended` once it is completed or cancelled, at its newest status time; none while active. */
export function transactionTallies(transaction: TalliedTransaction): Tally[] {
  if (transaction.status !== 'completed' && transaction.status !== 'cancelled') return [];
  return [
    {
      kind: 'ended',
      at: transaction.updated_at,
      with_redraw: transaction.had_redraw,
      completed: transaction.status === 'completed',
      walk_in: transaction.collection_method === 'walk_in_test' || transaction.had_redraw,
      lab: transaction.lab ?? null,
      method: transaction.collection_method,
      missing: transaction.missing ?? null,
      redraw_results_hours: transaction.redraw_results_hours ?? null,
    },
  ];
}

/** The counts a set of tallies adds up to (core/report-counts.ts). */
export function countsOfTallies(tallies: readonly Tally[]): ReportCounts {
  return tallies.reduce((counts, tally) => addReportCounts(counts, countsOfTally(tally)), emptyCounts());
}

/** The lab and method a report names a transaction by: its codes, `unknown` for what is not known. */
export function labAndMethod(lab: string | null, method: string | null): string {
  return labKey(lab ?? UNKNOWN, method ?? UNKNOWN);
}

/** What a report says for a lab or method Junction never gave (CONTRACT §11). */
export const UNKNOWN = 'unknown';

function countsOfTally(tally: Tally): ReportCounts {
  const counts = emptyCounts();
  switch (tally.kind) {
    case 'opened':
      return { ...counts, opened: 1, bookings: tally.booking === undefined ? {} : bookingCountsOf(tally.booking) };
    case 'booked':
      return { ...counts, first_bookings: spreadOf([tally.hours]) };
    case 'closed': {
      const one = (hours: number | null) => (hours === null ? EMPTY_SPREAD : spreadOf([hours]));
      // A person's close counts by its actor; the tracker's own do not (CONTRACT §11 closes_by_person).
      const person = tally.by === undefined || tally.by === TRACKER_ACTOR ? null : tally.by;
      return {
        ...counts,
        by_disposition: { [tally.disposition]: 1 },
        closed_by: person === null ? {} : { [person]: 1 },
        closer_names: person === null || tally.by_display === undefined ? {} : { [person]: { at: tally.at, name: tally.by_display } },
        redraw_order: one(tally.hours.redraw_order),
        acknowledge: one(tally.hours.acknowledge),
        close: one(tally.hours.close),
      };
    }
    case 'ended': {
      const facts = endedFacts(tally);
      const completedWithRedraw = facts.completed && facts.with_redraw;
      const lab: LabCounts = {
        ended: 1,
        completed: facts.completed ? 1 : 0,
        with_redraw: completedWithRedraw ? 1 : 0,
        ended_missing: facts.missing === null ? 0 : 1,
        redraw_results: facts.redraw_results_hours === null ? EMPTY_SPREAD : spreadOf([facts.redraw_results_hours]),
        failure_types: {},
      };
      const walkInCompleted = facts.completed && facts.walk_in;
      return {
        ...counts,
        walk_in_completed: walkInCompleted ? 1 : 0,
        with_redraw: walkInCompleted && facts.with_redraw ? 1 : 0,
        ended_missing: { ...counts.ended_missing, ...(facts.missing === null ? {} : { [facts.missing]: 1 }) },
        by_lab: { [labAndMethod(facts.lab, facts.method)]: lab },
      };
    }
    case 'failures':
      return { ...counts, by_lab: { [labAndMethod(tally.lab, tally.method)]: { ...emptyLabCounts(), failure_types: { ...tally.failure_types } } } };
  }
}
