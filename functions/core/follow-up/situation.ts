/**
 * The situation of a transaction's follow-up from its members' own states and
 * its status (CONTRACT §3, §4, §9): whether it had a redraw, whether a
 * follow-up opens or may be stored, the open redraw to flag if nothing moves,
 * which of Junction's facts hold now, and which order's results are missing.
 * The one place every reader of "has a follow-up" asks (opening, lone orders,
 * retention, reports).
 */
import { categorize, isEnding } from '../status';
import { isAwaitingRedraw, type TransactionStatus } from '../transaction-status';
import type { OpenRedrawTiming } from './due';

/** What Junction's facts say of the transaction's redraw or its missing results. */
export const REDRAW_FACTS = ['redraw_completed', 'transaction_cancelled', 'results_received', 'redraw_failed', 'results_still_missing', 'no_redraw'] as const;
export type RedrawFact =
  /** The redraw order ended completed or corrected with all its results. */
  | 'redraw_completed'
  /** The transaction became cancelled. */
  | 'transaction_cancelled'
  /** The transaction completed without a redraw order, its newest ended member completed with all its results. */
  | 'results_received'
  /** The redraw order ended other than completed/corrected, or the transaction that had a redraw ended without all its results and without one. */
  | 'redraw_failed'
  /** The redraw order ended completed/corrected with results still missing (Junction redraws once). */
  | 'results_still_missing'
  /** The transaction ended with results missing and never had a redraw. */
  | 'no_redraw';

/** What a transaction's member orders say of its redraw and its results (plain data from the recompute). */
export interface RedrawMember {
  id: string;
  origin: string | null;
  low_level_status: string;
  /** Canonical instant of the member's last status change, per Junction. */
  status_time: string;
  /** Canonical instant the order was created at Junction. */
  created_at: string;
  /**
   * When the order was first seen in `redraw_available` (Junction's status time),
   * from its stored state or its event history: it had a redraw even after it left.
   */
  redraw_available_at?: string | null;
  /** Junction's `has_missing_results` of its own state; null or absent when not known (a listing does not carry it). */
  has_missing_results?: boolean | null;
  /** Junction's `events[].status_detail` of its newest event (an operational code), or null. */
  status_detail?: string | null;
  /**
   * When the order was first seen ended without all its results (failed, or
   * completed/corrected with `has_missing_results: true`), by any record of it:
   * kept when a later fact brings the results, so that whether a follow-up
   * exists never depends on delivery order (CONTRACT §9).
   */
  missing_results_at?: string | null;
}

/** The order whose results are missing, as its own facts say (CONTRACT §9 `missing`, before the results API's counts). */
export interface MissingOrder {
  order_id: string;
  status: string;
  status_detail: string | null;
}

/** What decides a follow-up's situation besides the members: CONTRACT §9's `FOLLOW_UP_MISSING_RESULTS`. */
export interface SituationOptions {
  /** Whether a transaction that ended with results missing and never had a redraw opens a follow-up (`no_redraw`). */
  missingResults: boolean;
}

/** CONTRACT §9's default: missing results are followed up (FOLLOW_UP_MISSING_RESULTS=on). */
export const DEFAULT_SITUATION_OPTIONS: SituationOptions = { missingResults: true };

/** What the tracker knows now of a transaction's follow-up: whether it has one, what it is due by, the facts that hold. */
export interface FollowUpSituation {
  /** Whether the transaction has or had a redraw: an initial order in (or once in) redraw_available, or a redraw (or recreation) order. */
  hasRedraw: boolean;
  /** Whether a follow-up opens when none is stored: it had a redraw, or (with missing results on) it ended without all its results. */
  opens: boolean;
  /**
   * Whether a follow-up may be stored for it (read before deciding): it had a
   * redraw, or it ended without all its results at some time, whatever the
   * setting is now (one opened while it was on is kept current).
   */
  mayHaveFollowUp: boolean;
  initialOrderId: string | null;
  redrawOrderId: string | null;
  /** When Junction created the redraw order (canonical instant), or null when none is known: reports' time to a redraw order. */
  redrawOrderedAt: string | null;
  /** Junction's status time of what opens the follow-up (the earliest opener). */
  openedAt: string | null;
  /** The newest status time of its members (the time of a fact that stopped holding). */
  latestStatusTime: string | null;
  /** The open redraw to flag if nothing moves, or null. */
  redraw: OpenRedrawTiming | null;
  /** The facts that hold now, in the order the tracker acts on them, each with Junction's time of it. */
  facts: { fact: RedrawFact; at: string }[];
  /** The order whose results are missing now, or null (none, or a fact brought them). */
  missing: MissingOrder | null;
}

/** Whether a member is a redraw order here: `redraw`, or Junction's own next attempt, `recreation` (CONTRACT §9). */
export function isRedrawOrder(member: Pick<RedrawMember, 'origin'>): boolean {
  return member.origin === 'redraw' || member.origin === 'recreation';
}

/** Whether a member ended without all its results: failed, or completed/corrected with `has_missing_results: true`. */
export function endedWithoutResults(member: Pick<RedrawMember, 'low_level_status' | 'has_missing_results'>): boolean {
  const category = categorize(member.low_level_status);
  return category === 'failed' || (category === 'done' && member.has_missing_results === true);
}

/** When a member was first seen ended without all its results, or null: its memory, or its state now (the earlier). */
export function missingResultsAt(member: RedrawMember): string | null {
  const now = endedWithoutResults(member) ? member.status_time : null;
  const seen = member.missing_results_at ?? null;
  if (now === null) return seen;
  return seen !== null && seen < now ? seen : now;
}

/**
 * Whether a transaction had a redraw as reports count it (CONTRACT §11 "with a
 * redraw"): an initial order that was ever in redraw_available, or a redraw
 * order. A recreation order alone is Junction's next attempt for a failed
 * member, not a redraw: it counts as one for the follow-up (§9) only.
 */
export function hadRedraw(members: readonly RedrawMember[]): boolean {
  return members.some((member) => member.origin === 'redraw' || redrawAvailableAt(member) !== null);
}

/** When a member was (first) in redraw_available, or null: its history, or its state now. */
function redrawAvailableAt(member: RedrawMember): string | null {
  const now = isAwaitingRedraw(member) ? member.status_time : null;
  const seen = member.origin !== 'redraw' ? (member.redraw_available_at ?? null) : null;
  if (now === null) return seen;
  return seen !== null && seen < now ? seen : now;
}

function missingOrderOf(member: RedrawMember): MissingOrder {
  return { order_id: member.id, status: member.low_level_status, status_detail: member.status_detail ?? null };
}

/**
 * The situation of a transaction's follow-up (or of an order without one: a
 * single member) from its members' own states and its status (CONTRACT §3, §4,
 * §9): the one place that decides whether a follow-up opens, what holds, and
 * what is missing. Every reader of "has a follow-up" (opening, lone orders,
 * retention, reports) asks this.
 */
export function followUpSituation(members: readonly RedrawMember[], transactionStatus: TransactionStatus, options: SituationOptions = DEFAULT_SITUATION_OPTIONS): FollowUpSituation {
  const awaiting = members.filter((member) => isAwaitingRedraw(member)).sort(byStatusTime);
  const hadRedrawAvailable = members
    .map((member) => ({ member, at: redrawAvailableAt(member) }))
    .filter((entry): entry is { member: RedrawMember; at: string } => entry.at !== null)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.member.id < b.member.id ? -1 : 1));
  const redraws = members.filter(isRedrawOrder).sort(byCreated);
  const redrawOrder = redraws.at(-1) ?? null;
  const hasRedraw = hadRedrawAvailable.length > 0 || redrawOrder !== null;
  const missingSince = earliestMissing(members);
  // The order the follow-up is about: the one awaiting (or once in) redraw_available, else the transaction's own order
  // beside a redraw order, or the one whose results are missing (a failed test kit's follow-up names its kit).
  const initial =
    awaiting[0] ?? hadRedrawAvailable[0]?.member ?? members.find((member) => !isRedrawOrder(member) && (redrawOrder !== null || missingSince !== null)) ?? null;
  const ended = transactionStatus !== 'active';
  const missingEpisode = !hasRedraw && ended && missingSince !== null;
  const opens = hasRedraw || (options.missingResults && missingEpisode);
  const mayHaveFollowUp = hasRedraw || missingEpisode;
  const openers = [hadRedrawAvailable[0]?.at, redrawOrder?.created_at, hasRedraw ? null : missingSince].filter((at): at is string => typeof at === 'string').sort();
  const latestStatusTime = members.map((member) => member.status_time).sort().at(-1) ?? null;
  let redraw: OpenRedrawTiming | null = null;
  let missing: MissingOrder | null = null;
  const facts: { fact: RedrawFact; at: string }[] = [];
  const cancelled = mayHaveFollowUp && transactionStatus === 'cancelled' && members.some((member) => !isRedrawOrder(member));
  // The order whose results the redraw is for: the one that was in redraw_available (else the redraw order itself).
  const redrawFor = initial !== null && redrawAvailableAt(initial) !== null ? initial : null;
  if (redrawOrder !== null) {
    const category = categorize(redrawOrder.low_level_status);
    if (!isEnding(redrawOrder.low_level_status)) {
      // Only a redraw order is flagged by the sweep (§4); a recreation in progress just clears what was decided.
      if (redrawOrder.origin === 'redraw') redraw = { kind: 'redraw_in_progress', statusTime: redrawOrder.status_time, orderId: redrawOrder.id };
      if (redrawFor !== null) missing = missingOrderOf(redrawFor);
    } else if (category === 'done' && redrawOrder.has_missing_results !== true) {
      facts.push({ fact: 'redraw_completed', at: redrawOrder.status_time });
    } else if (category === 'done') {
      facts.push({ fact: 'results_still_missing', at: redrawOrder.status_time });
      missing = missingOrderOf(redrawOrder);
    } else if (!cancelled) {
      // A cancelled transaction is closed as such: its cancelled redraw needs no one's decision.
      facts.push({ fact: 'redraw_failed', at: redrawOrder.status_time });
      missing = missingOrderOf(redrawFor ?? redrawOrder);
    }
  } else if (awaiting[0]) {
    redraw = { kind: 'awaiting_redraw', statusTime: awaiting[0].status_time, orderId: awaiting[0].id };
    missing = missingOrderOf(awaiting[0]);
  } else if (transactionStatus === 'completed' && mayHaveFollowUp) {
    // Ended without a redraw order: its newest ended member decides. With all its results they came after all;
    // otherwise a person decides (a redraw was offered and never happened, or there never was one).
    const last = members.filter((member) => isEnding(member.low_level_status)).sort(byStatusTime).at(-1);
    if (last !== undefined && !endedWithoutResults(last)) facts.push({ fact: 'results_received', at: last.status_time });
    else if (last !== undefined) {
      facts.push({ fact: hasRedraw ? 'redraw_failed' : 'no_redraw', at: last.status_time });
      missing = missingOrderOf(last);
    }
  }
  // Cancelled as far as the tracker knows only once an initial order is known too: a redraw order
  // alone that is cancelled says nothing of its transaction (its initial may wait in redraw_available).
  if (cancelled) {
    facts.push({ fact: 'transaction_cancelled', at: latestStatusTime! });
    missing = null;
  }
  return {
    hasRedraw,
    opens,
    mayHaveFollowUp,
    initialOrderId: initial?.id ?? null,
    redrawOrderId: redrawOrder?.id ?? null,
    redrawOrderedAt: redrawOrder?.created_at ?? null,
    openedAt: openers[0] ?? null,
    latestStatusTime,
    redraw,
    facts,
    missing,
  };
}

/** When a member first ended without all its results, now or once (the earliest time any record showed it), or null. */
function earliestMissing(members: readonly RedrawMember[]): string | null {
  return (
    members
      .map((member) => missingResultsAt(member))
      .filter((at): at is string => at !== null)
      .sort()[0] ?? null
  );
}

const byStatusTime = (a: RedrawMember, b: RedrawMember) => (a.status_time < b.status_time ? -1 : a.status_time > b.status_time ? 1 : a.id < b.id ? -1 : 1);
const byCreated = (a: RedrawMember, b: RedrawMember) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id < b.id ? -1 : 1);
