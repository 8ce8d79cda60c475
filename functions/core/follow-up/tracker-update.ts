/**
 * The tracker's own changes to a follow-up from Junction's facts (actor
 * `tracker`, CONTRACT §9): each fact acts once per episode, a closing fact
 * closing it with its disposition and an attention fact setting its attention;
 * an episode that ends undoes what the tracker did. Which orders it is about,
 * when it opened and what is missing are kept current without a version.
 */
import type { Appointment } from '../appointment';
import type { Attention } from '../attention';
import { afterAppointment } from '../booking/afterwards';
import { DEFAULT_APPOINTMENT_GRACE_HOURS } from '../staleness';
import { addVersion, endSnooze, recordedAt, TRACKER_ACTOR, type FollowUpAction, type LastEntry } from './history';
import type { FollowUpSituation, MissingOrder, RedrawFact } from './situation';
import type { Disposition, FollowUp, MissingResults } from './states';

/** The disposition the tracker closes with for each closing fact. */
const CLOSING: Partial<Record<RedrawFact, Disposition>> = {
  redraw_completed: 'redraw_completed',
  transaction_cancelled: 'cancelled',
  results_received: 'results_received',
};

/** The attention each attention fact sets (a person decides what happens next). */
const ATTENTION_OF: Partial<Record<RedrawFact, Attention>> = {
  redraw_failed: 'redraw_failed',
  results_still_missing: 'results_still_missing',
  no_redraw: 'no_redraw',
};

/** What the tracker writes to keep a follow-up current: its new state, the entries of its new versions, the facts in an episode now. */
export interface TrackerUpdate {
  followUp: FollowUp;
  entries: FollowUpAction[];
  last: LastEntry | null;
  /** The facts whose episode the tracker has acted on and that still hold. */
  applied: RedrawFact[];
}

/**
 * The tracker's changes to `stored` for what Junction's facts say now
 * (CONTRACT §9), each one a version with its entry (`at` when recorded,
 * `fact_time` Junction's time of the fact):
 * - a snooze that ended is recorded first (`snooze_ended`);
 * - the redraw order, once known (`redraw_order_known`);
 * - what its appointment says of the booking (core/booking/afterwards.ts);
 * - each fact acts once per episode (`applied` keeps the facts whose episode
 *   is on): a closing fact closes an open follow-up with its disposition (a
 *   person's close is never overwritten); an attention fact sets `attention`
 *   and leaves the state as it is (a person decides);
 * - an episode that ended undoes what the tracker did: its `attention`
 *   cleared, and a follow-up the tracker closed with that fact reopens (to
 *   acknowledged when a person had acknowledged it, else new). A person's
 *   reopen holds while the episode lasts, since the fact is not acted on again
 *   until it ends.
 * Order ids, `opened_at` and `missing` (status and detail from the situation;
 * the counts kept while it is about the same order) are kept current without
 * a version.
 */
export function trackerUpdate(
  stored: FollowUp,
  last: LastEntry | null,
  applied: readonly RedrawFact[],
  situation: Pick<FollowUpSituation, 'facts' | 'initialOrderId' | 'redrawOrderId' | 'redrawOrderedAt' | 'openedAt' | 'latestStatusTime'> & {
    missing?: MissingOrder | null;
    /** The redraw order's appointment as stored (§10), for the booking's afterwards (§14); absent: not read. */
    appointment?: Appointment | null;
    graceHours?: number;
  },
  now: Date,
): TrackerUpdate {
  let draft = endSnooze({ followUp: stored, entries: [], last }, now);
  const holding = new Map(situation.facts.map(({ fact, at }) => [fact, at]));
  const kept: RedrawFact[] = [];

  if (situation.redrawOrderId !== null && draft.followUp.redraw_order_id !== situation.redrawOrderId) {
    draft = addVersion(
      draft,
      { ...draft.followUp, redraw_order_id: situation.redrawOrderId },
      { actor: TRACKER_ACTOR, action: 'redraw_order_known', redraw_order_id: situation.redrawOrderId, ...(situation.redrawOrderedAt ? { fact_time: situation.redrawOrderedAt } : {}) },
      now,
    );
  }
  // The redraw order's appointment acts on the booking (CONTRACT §14, "Afterwards").
  draft = afterAppointment(draft, situation.appointment ?? null, situation.graceHours ?? DEFAULT_APPOINTMENT_GRACE_HOURS, now);
  // Episodes that ended first, so that a fact that replaced another acts on the reopened follow-up.
  for (const fact of applied) {
    if (holding.has(fact)) {
      kept.push(fact);
      continue;
    }
    const { followUp } = draft;
    const factTime = situation.latestStatusTime ?? undefined;
    const attention = ATTENTION_OF[fact];
    if (attention !== undefined && followUp.attention === attention) {
      draft = addVersion(draft, { ...followUp, attention: null }, { actor: TRACKER_ACTOR, action: 'attention', attention: null, fact, ...(factTime ? { fact_time: factTime } : {}) }, now);
    } else if (CLOSING[fact] !== undefined && followUp.state === 'closed' && followUp.disposition === CLOSING[fact]) {
      const reopened: FollowUp = { ...followUp, state: followUp.acknowledged_at === null ? 'new' : 'acknowledged', disposition: null, closed_at: null, closed_by: null };
      draft = addVersion(draft, reopened, { actor: TRACKER_ACTOR, action: 'reopen', fact, ...(factTime ? { fact_time: factTime } : {}) }, now);
    }
  }
  for (const { fact, at } of situation.facts) {
    if (kept.includes(fact)) continue;
    kept.push(fact);
    const { followUp } = draft;
    const disposition = CLOSING[fact];
    const attention = ATTENTION_OF[fact];
    if (attention !== undefined) {
      if (followUp.attention !== attention) {
        draft = addVersion(draft, { ...followUp, attention }, { actor: TRACKER_ACTOR, action: 'attention', attention, fact, fact_time: at }, now);
      }
    } else if (disposition !== undefined && followUp.state !== 'closed') {
      const closedAt = recordedAt(now, draft.last);
      const next: FollowUp = { ...followUp, state: 'closed', disposition, closed_at: closedAt, closed_by: TRACKER_ACTOR, snoozed_until: null, snooze_reason: null };
      draft = addVersion(draft, next, { actor: TRACKER_ACTOR, action: 'close', disposition, fact, fact_time: at }, now);
    }
  }
  // Not versions: which orders it is about, when Junction's facts opened it (the earliest opener), and what is missing.
  const openedAt = situation.openedAt !== null && situation.openedAt < draft.followUp.opened_at ? situation.openedAt : draft.followUp.opened_at;
  const followUp: FollowUp = {
    ...draft.followUp,
    initial_order_id: situation.initialOrderId ?? draft.followUp.initial_order_id,
    opened_at: openedAt,
    missing: keptMissing(draft.followUp.missing ?? null, situation.missing ?? null),
  };
  return { followUp, entries: draft.entries, last: draft.last, applied: kept };
}

/**
 * `missing` as the situation says it now: its order, status and status detail
 * from the order's own facts; the counts read from Junction's results API kept
 * while all three are as they were read for, else null until read again (CONTRACT
 * §9: a `corrected` result with fewer missing is another state, and read anew).
 */
export function keptMissing(stored: MissingResults | null, now: MissingOrder | null): MissingResults | null {
  if (now === null) return null;
  // Unchanged: the stored object itself (a map read back from DynamoDB has its keys in another order).
  if (stored !== null && stored.order_id === now.order_id && stored.status === now.status && stored.status_detail === now.status_detail) return stored;
  return { order_id: now.order_id, status: now.status, status_detail: now.status_detail, markers: null, failure_types: null };
}
