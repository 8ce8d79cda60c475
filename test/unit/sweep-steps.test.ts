/**
 * The stale-redraw sweep's step decisions (functions/stale-redraw-sweep/steps/):
 * plain data in, plain data out, without a table or a notifier.
 */
import { describe, expect, it } from 'vitest';
import type { Appointment } from '../../functions/core/appointment';
import { openFollowUp, type FollowUp } from '../../functions/core/follow-up/states';
import type { StaleReason } from '../../functions/core/staleness';
import type { JunctionSessionStats } from '../../functions/stale-redraw-sweep/steps/junction-session';
import type { SyncOutcome } from '../../functions/stale-redraw-sweep/steps/sync';
import { catchUpPlan, pauseOf, toPause } from '../../functions/stale-redraw-sweep/steps/catch-up';
import { clearedNoteOf, flagHolds } from '../../functions/stale-redraw-sweep/steps/clear';
import { emptyTally, type SweepTally } from '../../functions/stale-redraw-sweep/steps/context';
import { createStepGate, junctionDeadlineOf, leavesStepTime, STALE_RULES_RESERVE_MS, STEP_MARGIN_MS } from '../../functions/stale-redraw-sweep/steps/deadline';
import { bySince, pendingFlags } from '../../functions/stale-redraw-sweep/steps/flag-notices';
import { snoozesEnded } from '../../functions/stale-redraw-sweep/steps/follow-ups';
import { heldUntilOf } from '../../functions/stale-redraw-sweep/steps/lease';
import {
  alertClaimKey,
  leftPending,
  NOTIFICATION_FAILURES_IN_A_ROW_LIMIT,
  notificationOf,
  attentionClaimKey,
  reminderClaimKey,
  stopsNotifications,
} from '../../functions/stale-redraw-sweep/steps/notices';
import { appointmentsRead, flaggedRedrawIds, followUpIdOf, holdingState, orderView, type StaleRulesReads } from '../../functions/stale-redraw-sweep/steps/read';
import { awaitsAttentionNotice, failedOrderId, noticeOrderId } from '../../functions/stale-redraw-sweep/steps/attention-notices';
import { redrawBesides, transactionToAsk } from '../../functions/stale-redraw-sweep/steps/redraw-known';
import { reminderDue, reminderOpenedBefore, reminderOrderId } from '../../functions/stale-redraw-sweep/steps/reminders';
import { flagsRead, seenOf } from '../../functions/stale-redraw-sweep/steps/rules';
import { openRedrawsOf, summaryFields, sweepResultOf } from '../../functions/stale-redraw-sweep/steps/summary';
import { syncFailed } from '../../functions/stale-redraw-sweep/steps/sync';
import { readsTransaction, redrawSeen, unflaggedPartition } from '../../functions/stale-redraw-sweep/steps/verify';
import type { StoredFollowUp } from '../../functions/store/follow-ups/item';
import type { IndexedOrder } from '../../functions/store/redraws';
import { OPEN_REDRAW_PARTITIONS } from '../../functions/store/keys';
import type { TransactionItem } from '../../functions/store/transaction-items';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { record } from '../support/records';

const NOW = new Date('2026-03-20T12:00:00.000Z');
const HOUR = 3_600_000;

function indexed(overrides: Partial<IndexedOrder> & { id: string; origin?: string | null; transactionId?: string | null }): IndexedOrder {
  const { id, origin = 'initial', transactionId = 'txn', ...rest } = overrides;
  return {
    record: record({ id, origin, transaction_id: transactionId, low_level_status: 'redraw_available', status_time: '2026-03-01T09:00:00.000000Z' }),
    stale: null,
    openRedraw: OPEN_REDRAW_PARTITIONS.awaitingRedraw,
    listing: null,
    expiresAt: null,
    notificationPending: false,
    ...rest,
  };
}

/** A follow-up the tracker opened on 2026-03-10 for transaction txn, with `overrides`. */
function followUp(overrides: Partial<FollowUp> = {}): FollowUp {
  return { ...openFollowUp({ id: 'txn', transactionId: 'txn', initialOrderId: 'o-initial', redrawOrderId: null, openedAt: '2026-03-10T09:00:00.000000Z' }), ...overrides };
}

function stored(overrides: Partial<FollowUp> = {}, rest: Partial<StoredFollowUp> = {}): StoredFollowUp {
  return { followUp: followUp(overrides), redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null, revision: 1, ...rest } as StoredFollowUp;
}

function appointment(orderId: string, status = 'confirmed'): Appointment {
  return { id: `a-${orderId}`, order_id: orderId, transaction_id: 'txn', start_at: '2026-03-18T10:00:00.000000Z', end_at: null, iana_timezone: null, status, type: null, provider: null, rank: '0001' };
}

describe('the deadline', () => {
  it('gives Junction until STALE_RULES_RESERVE_MS before the invocation ends', () => {
    expect(junctionDeadlineOf(1_000_000, 300_000)).toBe(1_000_000 + 300_000 - STALE_RULES_RESERVE_MS);
  });

  it('starts a step only with at least STEP_MARGIN_MS left', () => {
    expect(leavesStepTime(STEP_MARGIN_MS)).toBe(true);
    expect(leavesStepTime(STEP_MARGIN_MS - 1)).toBe(false);
    expect(leavesStepTime(Number.POSITIVE_INFINITY)).toBe(true);
  });

  it('starts no later step once one could not start, and says where it stopped once', () => {
    let left = STEP_MARGIN_MS + 1;
    const warnings: unknown[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (...args: unknown[]) => void warnings.push(args) };
    const gate = createStepGate(() => left, logger);
    expect(gate.mayStart('sync')).toBe(true);
    left = 10.4;
    expect(gate.mayStart('candidate')).toBe(false);
    left = 10 * STEP_MARGIN_MS;
    expect(gate.mayStart('notification')).toBe(false);
    expect(gate.stoppedAt).toBe('candidate');
    expect(warnings).toEqual([['sweep time low: stopping cleanly, the next sweep goes on', { step: 'candidate', time_left_ms: 10 }]]);
  });
});

describe('the lease', () => {
  it('says until when another sweep holds it, or null when unknown', () => {
    expect(heldUntilOf(Date.parse('2026-03-20T12:05:00Z'))).toBe('2026-03-20T12:05:00.000000Z');
    expect(heldUntilOf(null)).toBeNull();
  });
});

describe('the sync step', () => {
  it('counts a sync failure only for a page it could not apply', () => {
    expect(syncFailed({ stopped: 'apply_failed' })).toBe(true);
    for (const stopped of [null, 'time', 'unavailable', 'unauthorized', 'invalid_answer', 'conflict'] as const) expect(syncFailed({ stopped })).toBe(false);
  });
});

describe('the catch-up', () => {
  // Known only from a listing: behind since its listed status time (core/members.ts behindSince).
  const member = (id: string, listedAt: string) => ({ id, source: 'transaction_listing', status_time: listedAt, listed_status_time: null });
  const behind = (id: string, members: ReturnType<typeof member>[], notImprovedReads = 0) => ({
    transaction: { id, members: Object.fromEntries(members.map((m) => [m.id, m])) } as unknown as TransactionItem,
    notImprovedReads,
  });

  it('reads each due member once, the first maxPerSweep of them', () => {
    const t1 = behind('t1', [member('a', '2026-03-20T10:00:00.000000Z'), member('b', '2026-03-20T11:30:00.000000Z')]);
    const t2 = behind('t2', [member('a', '2026-03-20T10:00:00.000000Z'), member('c', '2026-03-20T09:00:00.000000Z')]);
    const plan = catchUpPlan([t1, t2], '2026-03-20T11:00:00.000000Z', 1);
    expect(plan.dueOf.get(t1)).toEqual(['a']);
    // The longest behind first.
    expect(plan.dueOf.get(t2)).toEqual(['c', 'a']);
    expect(plan.due).toEqual(['a', 'c']);
    expect(plan.reading).toEqual(['a']);
  });

  it('pauses a transaction only when every due member was read and not improved', () => {
    const dueOf = new Map([
      ['all-not-improved', ['a', 'b']],
      ['one-improved', ['a', 'c']],
      ['one-unread', ['a', 'd']],
      ['none-due', []],
    ]);
    const outcomes = new Map([
      ['a', 'not_improved'],
      ['b', 'not_improved'],
      ['c', 'improved'],
    ] as const);
    expect(toPause(dueOf, outcomes)).toEqual(['all-not-improved']);
  });

  it('pauses for one more read than before, due again after the backoff', () => {
    const pause = pauseOf(1, NOW.getTime(), HOUR);
    // Two reads in a row: 2 h (core/catch-up-backoff.ts), less the hour a member waits before it is due.
    expect(pause).toEqual({ notImprovedReads: 2, sortFrom: '2026-03-20T13:00:00.000000Z' });
  });
});

describe('the stale rules\' reads', () => {
  it("names an order's follow-up by its transaction, or by itself without one", () => {
    expect(followUpIdOf(indexed({ id: 'o1', transactionId: 't1' }))).toBe('t1');
    expect(followUpIdOf(indexed({ id: 'o1', transactionId: null }))).toBe('o1');
  });

  it('reads the appointments of the flagged redraw orders only', () => {
    expect(flaggedRedrawIds([indexed({ id: 'r1', origin: 'redraw' }), indexed({ id: 'i1', origin: 'initial' })])).toEqual(['r1']);
  });

  it("keeps the redraws in progress' appointments and a null for a flagged redraw order without one", () => {
    const read = appointmentsRead(new Map([['p1', appointment('p1')]]), ['f1', 'f2'], new Map([['f1', appointment('f1')]]));
    expect([...read]).toEqual([
      ['p1', appointment('p1')],
      ['f1', appointment('f1')],
      ['f2', null],
    ]);
  });

  it('holds an order back for a closed or snoozed follow-up only', () => {
    expect(holdingState('closed')).toBe('closed');
    expect(holdingState('snoozed')).toBe('snoozed');
    expect(holdingState('new')).toBeNull();
    expect(holdingState('acknowledged')).toBeNull();
    expect(holdingState(undefined)).toBeNull();
  });

  it('sees a snooze that has ended as acknowledged, and no longer holds the order back', () => {
    const order = indexed({ id: 'o1' });
    const reads: StaleRulesReads = {
      ran: true,
      inProgress: [],
      awaiting: [order],
      flaggedBefore: [],
      followUps: new Map([['txn', stored({ state: 'snoozed', snoozed_until: '2026-03-20T11:00:00.000000Z', snooze_reason: 'other' })]]),
      appointments: new Map(),
    };
    const view = orderView({ now: NOW, thresholds: DEFAULT_THRESHOLDS }, reads);
    expect(view.followUpOf(order)?.followUp.state).toBe('acknowledged');
    expect(view.heldBy(order)).toBeNull();
    expect(view.appointmentOf(order)).toBeNull();
    expect(view.reasonOf(order, false)).toBe('redraw_not_created');
    expect(view.reasonOf(order, true)).toBeNull();
  });
});

describe("a transaction's redraw order", () => {
  it('is not asked about for a redraw order, or an order without a transaction', () => {
    expect(transactionToAsk({ origin: 'redraw', transaction_id: 't1' })).toBeNull();
    expect(transactionToAsk({ origin: 'initial', transaction_id: null })).toBeNull();
    expect(transactionToAsk({ origin: 'initial', transaction_id: 't1' })).toBe('t1');
  });

  it('counts only a redraw order other than the order itself', () => {
    expect(redrawBesides('o1', [{ id: 'o1', origin: 'redraw' }], [{ id: 'o1', origin: 'redraw' }])).toBe(false);
    expect(redrawBesides('o1', [{ id: 'o2', origin: 'redraw' }], [])).toBe(true);
    expect(redrawBesides('o1', [], [{ id: 'o3', origin: 'redraw' }])).toBe(true);
    expect(redrawBesides('o1', [{ id: 'o2', origin: 'initial' }], [{ id: 'o3', origin: null }])).toBe(false);
  });
});

describe('the notices', () => {
  it('claims one alert per order and flag, one reminder per follow-up, one attention notice per attention, follow-up and order', () => {
    expect(alertClaimKey('o1', '2026-03-20T12:00:00.000000Z')).toBe('alert#o1#2026-03-20T12:00:00.000000Z');
    expect(reminderClaimKey('f1')).toBe('not_acknowledged#f1');
    // redraw_failed's claim keeps the key it had before the other attentions were notified (a notice sent then is not sent again).
    expect(attentionClaimKey('redraw_failed', 'f1', 'o1')).toBe('redraw_failed#f1#o1');
    expect(attentionClaimKey('results_still_missing', 'f1', 'o2')).toBe('results_still_missing#f1#o2');
    expect(attentionClaimKey('no_redraw', 'f1', 'o1')).toBe('no_redraw#f1#o1');
  });

  it('stops sending after NOTIFICATION_FAILURES_IN_A_ROW_LIMIT failures in a row', () => {
    expect(stopsNotifications(NOTIFICATION_FAILURES_IN_A_ROW_LIMIT - 1)).toBe(false);
    expect(stopsNotifications(NOTIFICATION_FAILURES_IN_A_ROW_LIMIT)).toBe(true);
  });

  it('leaves a notice pending when it failed or another sweep holds its claim', () => {
    expect(leftPending('failed')).toBe(true);
    expect(leftPending('held')).toBe(true);
    expect(leftPending('sent')).toBe(false);
    expect(leftPending('already')).toBe(false);
  });

  it('says whole days waiting, the follow-up without free text, and the appointment by id, time and status', () => {
    const order = record({ id: 'o1', status: 'collecting_sample', low_level_status: 'redraw_available', status_time: '2026-03-11T11:00:00.000000Z' });
    const notification = notificationOf(order, 'no_progress', '2026-03-20T12:00:00.000000Z', NOW, followUp({ owner: 'j.doe', contact_attempts: 2 }), appointment('o1'));
    expect(notification).toEqual({
      order_id: 'o1',
      transaction_id: 'txn',
      reason: 'no_progress',
      status: 'collecting_sample',
      low_level_status: 'redraw_available',
      days_waiting: 9,
      since: '2026-03-20T12:00:00.000000Z',
      status_time: '2026-03-11T11:00:00.000000Z',
      follow_up: {
        id: 'txn',
        state: 'new',
        owner: 'j.doe',
        contact_attempts: 2,
        opened_at: '2026-03-10T09:00:00.000000Z',
        version: 1,
        reference: null,
        last_contact: null,
        snoozed_until: null,
        snooze_reason: null,
      },
      appointment: { id: 'a-o1', start_at: '2026-03-18T10:00:00.000000Z', status: 'confirmed' },
    });
    expect(notificationOf(order, 'redraw_failed', '2026-03-20T12:00:00.000000Z', NOW, null, null)).toMatchObject({ follow_up: null, appointment: null });
  });
});

describe('the flags', () => {
  it('keeps what earlier sweeps flagged, and writes conditions on the order as read', () => {
    const flagged = indexed({ id: 'o1', openRedraw: OPEN_REDRAW_PARTITIONS.stale, stale: { since: '2026-03-19T12:00:00.000000Z', reason: 'redraw_not_created' } });
    expect([...flagsRead([flagged, indexed({ id: 'o2' })])]).toEqual([
      ['o1', { since: '2026-03-19T12:00:00.000000Z', reason: 'redraw_not_created' }],
      ['o2', null],
    ]);
    expect(seenOf(flagged)).toEqual({ orderId: 'o1', rank: '0001', partition: OPEN_REDRAW_PARTITIONS.stale });
  });

  it('sends the pending notifications oldest flag first, then by order id', () => {
    const flag = (id: string, since: string, pending = true) => indexed({ id, notificationPending: pending, stale: { since, reason: 'no_progress' } });
    const b = flag('b', '2026-03-18T12:00:00.000000Z');
    const a = flag('a', '2026-03-18T12:00:00.000000Z');
    const older = flag('z', '2026-03-17T12:00:00.000000Z');
    const sent = flag('c', '2026-03-10T12:00:00.000000Z', false);
    expect(pendingFlags([b, a, sent, older]).map((order) => order.record.id)).toEqual(['z', 'a', 'b']);
    expect(bySince(a, a)).toBe(0);
  });

  it('keeps a flag while the order is stale and no follow-up holds it back', () => {
    expect(flagHolds(null, 'no_progress')).toBe(true);
    expect(flagHolds(null, null)).toBe(false);
    expect(flagHolds('snoozed', 'no_progress')).toBe(false);
    expect(flagHolds('closed', 'no_progress')).toBe(false);
  });

  it('notes why a flag cleared only when its follow-up cleared it', () => {
    const stale = { since: '2026-03-19T12:00:00.000000Z', reason: 'no_progress' as StaleReason };
    expect(clearedNoteOf('closed', stale)).toEqual({ since: '2026-03-19T12:00:00.000000Z', by: 'closed' });
    expect(clearedNoteOf(null, stale)).toBeUndefined();
    expect(clearedNoteOf('snoozed', null)).toBeUndefined();
  });
});

describe('the verification', () => {
  it("reads the transaction too only for redraw_not_created with a transaction", () => {
    expect(readsTransaction('redraw_not_created', 't1')).toBe(true);
    expect(readsTransaction('redraw_not_created', null)).toBe(false);
    expect(readsTransaction('no_progress', 't1')).toBe(false);
  });

  it("sees a redraw order in what was known, the order's listing, or either transaction read", () => {
    const members = (entries: Array<[string, string | null]>) => ({ members: Object.fromEntries(entries.map(([id, origin]) => [id, { id, origin }])) });
    const listing = (entries: Array<[string, string | null]>) =>
      ({ transaction_id: 't1', reported_status: null, reported_status_time: '2026-03-20T00:00:00.000000Z', members: entries.map(([id, origin]) => ({ id, origin })) }) as never;
    expect(redrawSeen('o1', true, null, null)).toBe(true);
    expect(redrawSeen('o1', false, null, null)).toBe(false);
    expect(redrawSeen('o1', false, { listing: listing([['o2', 'redraw']]), recompute: null }, null)).toBe(true);
    expect(redrawSeen('o1', false, { listing: listing([['o1', 'redraw']]), recompute: null }, null)).toBe(false);
    expect(redrawSeen('o1', false, { listing: null, recompute: { transaction: members([['o3', 'redraw']]) } as never }, null)).toBe(true);
    expect(redrawSeen('o1', false, null, { transaction: members([['o4', 'redraw']]) } as never)).toBe(true);
    expect(redrawSeen('o1', false, null, { transaction: members([['o1', 'redraw'], ['o4', 'initial']]) } as never)).toBe(false);
  });

  it('flags only an order still in an unflagged partition', () => {
    expect(unflaggedPartition(OPEN_REDRAW_PARTITIONS.awaitingRedraw)).toBe(OPEN_REDRAW_PARTITIONS.awaitingRedraw);
    expect(unflaggedPartition(OPEN_REDRAW_PARTITIONS.redrawInProgress)).toBe(OPEN_REDRAW_PARTITIONS.redrawInProgress);
    expect(unflaggedPartition(OPEN_REDRAW_PARTITIONS.stale)).toBeNull();
    expect(unflaggedPartition(null)).toBeNull();
  });
});

describe("the follow-ups' notices", () => {
  it('reminds of follow-ups opened FOLLOW_UP_ACK_HOURS before now, or of none when it is unset', () => {
    expect(reminderOpenedBefore(NOW, 48)).toBe('2026-03-18T12:00:00.000000Z');
    expect(reminderOpenedBefore(NOW, null)).toBeNull();
  });

  it('reminds of a follow-up still new (a snooze that ended is not), opened before the cutoff and not reminded', () => {
    const cutoff = '2026-03-18T12:00:00.000000Z';
    expect(reminderDue(stored(), NOW, cutoff)).toBe(true);
    expect(reminderDue(null, NOW, cutoff)).toBe(false);
    expect(reminderDue(stored({}, { remindedAt: '2026-03-19T12:00:00.000000Z' }), NOW, cutoff)).toBe(false);
    expect(reminderDue(stored({ opened_at: '2026-03-19T12:00:00.000000Z' }), NOW, cutoff)).toBe(false);
    expect(reminderDue(stored({ state: 'acknowledged' }), NOW, cutoff)).toBe(false);
  });

  it("names the open redraw's order in a reminder, else the redraw order, else the initial order", () => {
    const redraw = { kind: 'redraw_in_progress' as const, statusTime: '2026-03-19T12:00:00.000000Z', orderId: 'o-open' };
    expect(reminderOrderId(stored({ redraw_order_id: 'o-redraw' }, { redraw }))).toBe('o-open');
    expect(reminderOrderId(stored({ redraw_order_id: 'o-redraw' }))).toBe('o-redraw');
    expect(reminderOrderId(stored())).toBe('o-initial');
    expect(reminderOrderId(stored({ initial_order_id: null }))).toBeNull();
  });

  it('names the redraw order that failed, or the initial order of a transaction that ended without one', () => {
    expect(failedOrderId({ redraw_order_id: 'o-redraw', initial_order_id: 'o-initial' })).toBe('o-redraw');
    expect(failedOrderId({ redraw_order_id: null, initial_order_id: 'o-initial' })).toBe('o-initial');
    expect(failedOrderId({ redraw_order_id: null, initial_order_id: null })).toBeNull();
  });

  it("names the order whose results are missing in an attention's notice, a failed redraw's order in its own", () => {
    const missing = { order_id: 'o-missing', status: 'sample_error', status_detail: 'sample_hemolyzed', markers: null, failure_types: null };
    expect(noticeOrderId({ redraw_order_id: 'o-redraw', initial_order_id: 'o-initial', missing, attention: 'results_still_missing' })).toBe('o-missing');
    expect(noticeOrderId({ redraw_order_id: null, initial_order_id: 'o-initial', missing: null, attention: 'no_redraw' })).toBe('o-initial');
    // A failed redraw's notice is about the failed order; its `missing` is the initial order's (what the redraw was for).
    expect(noticeOrderId({ redraw_order_id: 'o-redraw', initial_order_id: 'o-initial', missing, attention: 'redraw_failed' })).toBe('o-redraw');
  });

  it('notifies every attention of an open follow-up once per episode: not a closed one, not one already notified, not one without', () => {
    for (const attention of ['redraw_failed', 'results_still_missing', 'no_redraw'] as const) {
      expect(awaitsAttentionNotice(stored({ attention }), NOW)).toBe(true);
      expect(awaitsAttentionNotice(stored({ attention, state: 'snoozed', snoozed_until: '2026-03-21T12:00:00.000000Z', snooze_reason: 'other' }), NOW)).toBe(true);
      expect(awaitsAttentionNotice(stored({ attention, state: 'closed', disposition: 'patient_declined' }), NOW)).toBe(false);
      expect(awaitsAttentionNotice(stored({ attention }, { attentionNotifiedAt: '2026-03-19T12:00:00.000000Z' }), NOW)).toBe(false);
    }
    expect(awaitsAttentionNotice(stored({ attention: null }), NOW)).toBe(false);
  });

  it('records the end of a snooze whose time passed, once', () => {
    const ended = stored({ id: 'ended', state: 'snoozed', snoozed_until: '2026-03-20T11:00:00.000000Z', snooze_reason: 'other' });
    const running = stored({ id: 'running', state: 'snoozed', snoozed_until: '2026-03-21T11:00:00.000000Z', snooze_reason: 'other' });
    expect(snoozesEnded([ended, running, stored({ id: 'new' })], NOW).map((one) => one.followUp.id)).toEqual(['ended']);
  });
});

describe('the run summary', () => {
  const reads: StaleRulesReads = {
    ran: true,
    inProgress: [indexed({ id: 'p1' })],
    awaiting: [indexed({ id: 'a1' }), indexed({ id: 'a2' })],
    flaggedBefore: [indexed({ id: 'f1' })],
    followUps: new Map(),
    appointments: new Map(),
  };
  const tally: SweepTally = { ...emptyTally(), flagged: 2, cleared: 1, notified: 3, pendingAfter: 1, failures: 0 };
  const junction: JunctionSessionStats = { requests: 4, reconciled: 2, failures: { not_found: 1, unavailable: 0, invalid_answer: 0 }, unauthorized: 0, stopped: null };
  const sync = { synced: 10, applied: 3, stopped: null, skipped: 0, lagSeconds: 60 } as unknown as SyncOutcome;

  it('counts the open redraws in every partition, or none when they were not counted', () => {
    expect(openRedrawsOf({ [OPEN_REDRAW_PARTITIONS.redrawInProgress]: 2, [OPEN_REDRAW_PARTITIONS.awaitingRedraw]: 3, [OPEN_REDRAW_PARTITIONS.stale]: 4 })).toBe(9);
    expect(openRedrawsOf(null)).toBeNull();
  });

  it("examines what the stale rules read and counts Junction's and the sync's repairs as reconciled", () => {
    expect(sweepResultOf(tally, { reads, sync, junction })).toEqual({ examined: 4, flagged: 2, cleared: 1, reconciled: 5, synced: 10, skipped: false });
    expect(sweepResultOf(tally, { reads, sync: null, junction: null })).toEqual({ examined: 4, flagged: 2, cleared: 1, reconciled: 0, synced: 0, skipped: false });
  });

  it('logs Junction\'s fields only with a session, and no pending count when the stale rules did not run', () => {
    const result = sweepResultOf(tally, { reads, sync: null, junction: null });
    const without = summaryFields(result, tally, { reads: { ...reads, ran: false }, sync: null, catchUp: null, junction: null, counts: null, stoppedAt: 'stale_rules' });
    expect(without).toMatchObject({ notifications_pending: null, stopped_early_at: 'stale_rules', open_redraws: null });
    expect(without).not.toHaveProperty('junction_requests');
    const withSession = summaryFields(result, tally, { reads, sync, catchUp: { due: 2, notImproved: 1, paused: 1 }, junction, counts: null, stoppedAt: null });
    expect(withSession).toMatchObject({ notifications_pending: 1, junction_requests: 4, behind: 2, catch_up_not_improved: 1, catch_up_paused: 1, sync_stopped: null, sync_lag_seconds: 60 });
    expect(Object.keys(withSession).slice(0, 8)).toEqual(['examined', 'flagged', 'cleared', 'reconciled', 'synced', 'skipped', 'notified', 'reminded']);
  });
});
