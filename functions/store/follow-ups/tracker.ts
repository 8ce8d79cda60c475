/**
 * The tracker's side of a follow-up (CONTRACT §9): the transaction function
 * keeps it current after each recompute, and the sweep records its notices,
 * the snooze ends it sees and the stale flag's copy.
 */
import { dueAt, type OpenRedrawTiming } from '../../core/follow-up/due';
import { openingEntry, snoozeEndedChange, type FollowUpAction, type LastEntry } from '../../core/follow-up/history';
import type { FollowUpSituation } from '../../core/follow-up/situation';
import { openFollowUp, type FollowUp } from '../../core/follow-up/states';
import { trackerUpdate, type TrackerUpdate } from '../../core/follow-up/tracker-update';
import { compareKnowledge, type KnowledgeVersion } from '../../core/knowledge-version';
import { withBookingSituation, type BookingSituation } from '../../core/report-bookings';
import type { Appointment } from '../../core/appointment';
import { graceHoursOf, type AppointmentTiming, type StaleThresholds } from '../../core/staleness';
import type { TableClient } from '../table-client';
import { expireHistory } from './history';
import type { StoredFollowUp, StoredStaleFlag, TransactionEnd } from './item';
import { getFollowUp } from './reads';
import { MAX_RACES, writeBookkeeping, writeTrackerVersion } from './write';

/**
 * What keeping a follow-up current did: `stale`, nothing, since the follow-up
 * was kept from newer knowledge of the transaction (an older recompute landing
 * late: issue 43 item 2); `diverged`, nothing either, since each knows one member
 * newer than the other (the caller reads every member again and keeps it from that).
 */
export type KeepCurrentOutcome = 'none' | 'opened' | 'changed' | 'unchanged' | 'stale' | 'diverged';

/**
 * Keeps the follow-up of a transaction (or of an order without one) current
 * with what its members say: opens it when the transaction has a redraw and
 * none is stored; acts once on each fact that holds (closing it, or marking it
 * `attention`); keeps the order ids, the open redraw, the due time and the
 * expiry current (these move no version: they are Junction's facts, not
 * actions). Idempotent: the same situation twice writes nothing the second time.
 *
 * `appointment`: the appointment of the situation's redraw order in progress
 * (CONTRACT §10), which moves its due time; kept with the open redraw (its
 * start and status only) so that a person's action computes the same due time.
 *
 * `knowledge`: the version of the transaction knowledge the situation was
 * computed from (core/knowledge-version.ts). The follow-up keeps the version it
 * was last kept from, and a situation computed from knowledge older than that
 * never touches it (`stale`), however late its recompute lands: no close,
 * reopen, close from two stream shards' recomputes out of order. Equal
 * knowledge writes only what else moved (an appointment, an expiry, a snooze
 * that ended); newer knowledge is recorded even when nothing else moved, so
 * that the stored version is always the newest any recompute landed with, and
 * the situations written follow one another as the knowledge grew. The write
 * is conditional on it too (writeCondition). A person's action in between only
 * moves the revision: the tracker reads again and keeps the action. Null: not
 * versioned (the version stored stays).
 */
export async function keepFollowUpCurrent(
  db: TableClient,
  tableName: string,
  input: {
    id: string;
    transactionId: string | null;
    situation: FollowUpSituation;
    expiresAt: number | null;
    now: Date;
    thresholds: StaleThresholds;
    appointment?: Appointment | null;
    knowledge?: KnowledgeVersion | null;
    /** Where its transaction ended (null: still active); undefined: as stored. */
    transactionEnd?: TransactionEnd | null;
    /** What its members say for the bookings report (CONTRACT §14); undefined: as stored (a lone order's). */
    bookingSituation?: BookingSituation;
  },
): Promise<{ outcome: KeepCurrentOutcome; writes: number }> {
  const situation = { ...withAppointment(input.situation, input.appointment ?? null), appointment: input.appointment ?? null, graceHours: graceHoursOf(input.thresholds) };
  const knowledge = input.knowledge ?? null;
  let writes = 0;
  for (let race = 0; race < MAX_RACES; race++) {
    const stored = await getFollowUp(db, tableName, input.id, input.now);
    const change = trackerChangeOf(stored, { ...input, situation, knowledge });
    if (change.kind !== 'change') return { outcome: change.kind, writes };
    const { update, entries, last } = change;
    const redraw = situation.mayHaveFollowUp ? situation.redraw : (stored?.redraw ?? null);
    const next = {
      followUp: update.followUp,
      redraw,
      dueAt: dueAt(update.followUp, redraw, input.thresholds),
      applied: update.applied,
      expiresAt: input.expiresAt,
      remindedAt: stored?.remindedAt ?? null,
      redrawOrderedAt: situation.redrawOrderedAt ?? stored?.redrawOrderedAt ?? null,
      last: update.last ?? last,
      // The sweep's copy of a stale flag holds while its order has not moved (the webhook that moves it clears the order's flag).
      staleFlag: stored?.staleFlag != null && sameOpenRedraw(stored.staleFlag, redraw) ? stored.staleFlag : null,
      // An attention's notice is once per attention and episode: a version that sets, changes or clears the
      // attention (one attention replacing another in one write included) starts a new episode, without its marker.
      ...(update.entries.some((entry) => entry.action === 'attention') ? { attentionNotifiedAt: null } : {}),
      knowledge: knowledge ?? stored?.knowledge ?? null,
      transactionEnd: input.transactionEnd === undefined ? (stored?.transactionEnd ?? null) : input.transactionEnd,
      bookingFacts: input.bookingSituation === undefined ? (stored?.bookingFacts ?? null) : withBookingSituation(stored?.bookingFacts ?? null, input.bookingSituation),
    };
    if (stored !== null && entries.length === 0 && sameStored(stored, next)) return { outcome: 'unchanged', writes };
    if (stored !== null && stored.expiresAt !== next.expiresAt) writes += await expireHistory(db, tableName, input.id, next.expiresAt, input.now);
    const written = await writeTrackerVersion(db, tableName, stored, { ...stored, ...next }, entries, input.now, { knownFrom: knowledge });
    // The item's write, and each history item's after it (pending-history.ts).
    writes += written === 'written' ? 1 + entries.length : 1;
    if (written === 'written') return { outcome: stored === null ? 'opened' : 'changed', writes };
  }
  throw new Error(`follow-up changed ${MAX_RACES} times while the tracker kept it current`);
}

/**
 * What keeping the follow-up current changes, from what is stored (null: none):
 * `none` when none is stored and none opens; `stale` or `diverged` when it was
 * kept from knowledge newer than `knowledge` (nothing is written then);
 * otherwise the tracker's update at `now` (trackerUpdate) of the stored
 * follow-up, or of the one it opens, with the entries of its new versions (an
 * opening's first). Pure: the keep writes it, and retention reads the state it
 * leaves (prospectiveFollowUp).
 */
export function trackerChangeOf(
  stored: StoredFollowUp | null,
  input: { id: string; transactionId: string | null; situation: FollowUpSituation; knowledge: KnowledgeVersion | null; now: Date },
): { kind: 'none' | 'stale' | 'diverged' } | { kind: 'change'; update: TrackerUpdate; entries: FollowUpAction[]; last: LastEntry | null } {
  const { situation, knowledge, now } = input;
  if (stored === null && !situation.opens) return { kind: 'none' };
  if (stored !== null && knowledge !== null) {
    // An item stored before versions knows nothing yet: the oldest version.
    const order = compareKnowledge(knowledge, stored.knowledge ?? {});
    if (order === 'older' || order === 'diverged') return { kind: order === 'older' ? 'stale' : 'diverged' };
  }
  if (stored !== null) {
    const update = trackerUpdate(stored.followUp, stored.last ?? null, stored.applied, situation, now);
    return { kind: 'change', update, entries: update.entries, last: stored.last ?? null };
  }
  const base = openFollowUp({
    id: input.id,
    transactionId: input.transactionId,
    initialOrderId: situation.initialOrderId,
    // Known at opening: its order joins no version of its own.
    redrawOrderId: situation.redrawOrderId,
    openedAt: situation.openedAt ?? '',
  });
  const entry = openingEntry(base, now);
  const last = { at: entry.at, action: entry.action };
  const update = trackerUpdate(base, last, [], situation, now);
  return { kind: 'change', update, entries: [entry, ...update.entries], last };
}

/**
 * The follow-up as keeping it current at `now` leaves it (trackerChangeOf), from
 * what is stored: what retention reads before the keep writes it (CONTRACT §8:
 * a transaction the tracker's close ends expires from that close, written once
 * with its orders, not first held and then moved). Null when none is stored and
 * none opens. Should the keep not land as planned (a person's write in between),
 * that write's own stream record checks retention again.
 */
export function prospectiveFollowUp(
  stored: StoredFollowUp | null,
  input: { id: string; transactionId: string | null; situation: FollowUpSituation; knowledge: KnowledgeVersion | null; now: Date },
): FollowUp | null {
  const change = trackerChangeOf(stored, input);
  return change.kind === 'change' ? change.update.followUp : (stored?.followUp ?? null);
}

/** The situation with its redraw order's appointment (start and status only), when its open redraw is a redraw in progress. */
function withAppointment(situation: FollowUpSituation, appointment: AppointmentTiming | null): FollowUpSituation {
  // None: the open redraw as before appointments (no key), so that a follow-up without one is stored as it was.
  if (situation.redraw?.kind !== 'redraw_in_progress' || appointment === null) return situation;
  return { ...situation, redraw: { ...situation.redraw, appointment: { start_at: appointment.start_at, status: appointment.status } } };
}

function sameStored(stored: StoredFollowUp, next: Omit<StoredFollowUp, 'revision'>): boolean {
  return (
    JSON.stringify([stored.followUp, stored.redraw, stored.dueAt, [...stored.applied].sort(), stored.expiresAt, stored.redrawOrderedAt ?? null, stored.staleFlag ?? null, stored.transactionEnd ?? null, stored.bookingFacts ?? null]) ===
      JSON.stringify([next.followUp, next.redraw, next.dueAt, [...next.applied].sort(), next.expiresAt, next.redrawOrderedAt ?? null, next.staleFlag ?? null, next.transactionEnd ?? null, next.bookingFacts ?? null]) &&
    compareKnowledge(next.knowledge ?? {}, stored.knowledge ?? {}) === 'equal'
  );
}

/** Whether a stale flag's copy is about `redraw` as it stands: the same order at the same status time. */
function sameOpenRedraw(flag: StoredStaleFlag, redraw: OpenRedrawTiming | null): boolean {
  return redraw !== null && redraw.orderId === flag.orderId && redraw.statusTime === flag.statusTime;
}

/**
 * The stale flag's copy a follow-up should carry, given the flags of orders as
 * the sweep leaves them (`flags`: order id to its flag, null or absent when not
 * flagged): its open redraw's order's flag, or null. Closed follow-ups carry none.
 */
export function staleFlagCopy(stored: StoredFollowUp, flags: ReadonlyMap<string, { since: string; reason: string } | null>): StoredStaleFlag | null {
  if (stored.redraw === null || stored.followUp.state === 'closed') return null;
  const flag = flags.get(stored.redraw.orderId) ?? null;
  return flag === null ? null : { since: flag.since, reason: flag.reason, orderId: stored.redraw.orderId, statusTime: stored.redraw.statusTime };
}

/**
 * Keeps follow-up `stored`'s copy of its open redraw's stale flag as the sweep
 * leaves the flags (CONTRACT §12: the queues read it from the open partition):
 * one conditional write when it differs, read again after a lost race (at most
 * three times; the next sweep does it otherwise). True when it wrote.
 */
export async function keepStaleFlagCopy(
  db: TableClient,
  tableName: string,
  stored: StoredFollowUp,
  flags: ReadonlyMap<string, { since: string; reason: string } | null>,
  now: Date,
): Promise<boolean> {
  let current: StoredFollowUp | null = stored;
  for (let race = 0; race < 3 && current !== null; race++) {
    const wanted = staleFlagCopy(current, flags);
    if (JSON.stringify(wanted) === JSON.stringify(current.staleFlag ?? null)) return false;
    if ((await writeBookkeeping(db, tableName, current, { ...current, staleFlag: wanted })) === 'written') return true;
    current = await getFollowUp(db, tableName, current.followUp.id, now);
  }
  return false;
}

/**
 * Records that the not_acknowledged reminder of follow-up `id` went out (the
 * sweep, FOLLOW_UP_ACK_HOURS): conditional on the revision read, so that a
 * concurrent change is not overwritten; `lost` then (the sweep reads it again
 * next time). Not a version: nothing a person did.
 */
export async function markReminded(db: TableClient, tableName: string, stored: StoredFollowUp, at: string): Promise<'written' | 'lost'> {
  return writeBookkeeping(db, tableName, stored, { ...stored, remindedAt: at });
}

/**
 * Records the tracker's `snooze_ended` of follow-up `stored` when its snooze
 * ended by `now` and nothing recorded it yet (CONTRACT §9: the first write after
 * `snoozed_until`, the sweep's or an action's): one conditional write (writeTrackerVersion).
 * `none` when there is nothing to record, `lost` when another write got there
 * first (which records it itself).
 */
export async function recordSnoozeEnded(db: TableClient, tableName: string, stored: StoredFollowUp, now: Date, thresholds: StaleThresholds): Promise<'written' | 'lost' | 'none'> {
  const change = snoozeEndedChange(stored.followUp, stored.last ?? null, now);
  if (change === null) return 'none';
  const next = { ...stored, followUp: change.followUp, dueAt: dueAt(change.followUp, stored.redraw, thresholds), last: change.last };
  return writeTrackerVersion(db, tableName, stored, next, change.entries, now);
}

/** Whether the not_acknowledged reminder is due: still new, opened before `openedBefore`, not reminded. */
export function awaitsReminder(stored: StoredFollowUp, openedBefore: string): boolean {
  return stored.followUp.state === 'new' && stored.remindedAt === null && stored.followUp.opened_at < openedBefore;
}

/**
 * Records that the notice of this follow-up's attention went out (the
 * sweep), as markReminded does for the reminder: conditional on the revision
 * read, `lost` when another write came first. Not a version: nothing a person did.
 */
export async function markAttentionNotified(db: TableClient, tableName: string, stored: StoredFollowUp, at: string): Promise<'written' | 'lost'> {
  return writeBookkeeping(db, tableName, stored, { ...stored, attentionNotifiedAt: at });
}

/** Times the alerted marker is tried again after a lost race (each loss means another write to the follow-up). */
const ALERT_MARK_RACES = 3;

/**
 * Records that SNS accepted an alert that named follow-up `id` with its chat
 * buttons (the sweep, after the publish), at `at`: the buttons act only on a
 * follow-up that has it (CONTRACT §9), so a guessed id does nothing. Set once:
 * a marker already there is kept as it is (`already`). Conditional on the
 * revision read, as every bookkeeping write; a lost race reads again (at most
 * ALERT_MARK_RACES times, then `lost`). `none`: no such follow-up (it expired).
 * Not a version: nothing a person did.
 */
export async function markAlerted(db: TableClient, tableName: string, id: string, at: string, now: Date): Promise<'written' | 'already' | 'none' | 'lost'> {
  for (let race = 0; race < ALERT_MARK_RACES; race++) {
    const stored = await getFollowUp(db, tableName, id, now);
    if (stored === null) return 'none';
    if ((stored.alertedAt ?? null) !== null) return 'already';
    if ((await writeBookkeeping(db, tableName, stored, { ...stored, alertedAt: at })) === 'written') return 'written';
  }
  return 'lost';
}
