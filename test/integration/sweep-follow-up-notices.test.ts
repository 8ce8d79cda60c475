/**
 * The notices the sweep sends for follow-ups (CONTRACT §9), on DynamoDB Local
 * through the real code (test/support/follow-up-sweeps.ts): the
 * not_acknowledged reminder (FOLLOW_UP_ACK_HOURS), the redraw_failed notice,
 * and the notice of every attention, each once per attention and episode. The
 * sweep's stale rules with follow-ups: ./sweep-follow-ups.test.ts.
 *
 * One table for the file: each test has its own era (a start date later than
 * every earlier test's), so a sweep finds only its own orders due, and its
 * assertions are about its own ids.
 */
import { describe, expect, it } from 'vitest';
import { whyWords } from '../../functions/core/missing-words';
import { NEXT_STEPS } from '../../functions/core/next-steps';
import { canonicalFromDate, instantMillis } from '../../functions/core/instant';
import { SWEEP_METRICS } from '../../functions/shared/metric-names';
import { STEP_MARGIN_MS } from '../../functions/stale-redraw-sweep/steps/deadline';
import type { SentStaleRedrawNotification } from '../../functions/notices/notification';
import { chatNotification, emailText } from '../../functions/notices/formats';
import { createInMemoryNotifier } from '../../functions/notices/notifier';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { TABLE } from '../../functions/store/table';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow } from '../support/junction';
import { FollowUpSweeps } from '../support/follow-up-sweeps';
import type { TableClient } from '../../functions/store/table-client';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const sweeps = new FollowUpSweeps('sweep-follow-up-notices');
const { rig, logged, everyNotification, nextEra, seed, seedFailedKit, act, recording, sweep, about, logger } = sweeps;

describe('the not_acknowledged reminder (FOLLOW_UP_ACK_HOURS)', () => {
  it('is off by default: a follow-up new for weeks gets no reminder', async () => {
    const flow = await seed('not_created', nextEra());
    const notifier = recording();
    await sweep(flow.openedAt + 30 * DAY, notifier);
    expect(about(notifier.sent, flow.watched, 'not_acknowledged')).toEqual([]);
    expect((await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date()))?.remindedAt).toBeNull();
  });

  it('notifies a follow-up still new FOLLOW_UP_ACK_HOURS after it opened, once over two sweeps, and never one a person acknowledged', async () => {
    const flow = await seed('in_progress', nextEra());
    const acknowledged = await seed('in_progress', new Date(flow.openedAt));
    await act(acknowledged.transactionId, { action: 'acknowledge', owner: 'j.doe' }, acknowledged.openedAt + HOUR);
    const notifier = createInMemoryNotifier(logger);
    const ack = { followUpAckHours: 48 };

    await sweep(flow.openedAt + 47 * HOUR, notifier, ack);
    expect(about(notifier.notifications, flow.watched, 'not_acknowledged')).toEqual([]);

    const at = flow.openedAt + 49 * HOUR;
    await sweep(at, notifier, ack);
    await sweep(at + HOUR, notifier, ack);
    const reminders = about(notifier.notifications, flow.watched, 'not_acknowledged');
    expect(reminders).toEqual([
      expect.objectContaining({
        order_id: flow.watched,
        transaction_id: flow.transactionId,
        reason: 'not_acknowledged',
        since: canonicalFromDate(new Date(at)),
        next_step: NEXT_STEPS.not_acknowledged,
        follow_up: { id: flow.transactionId, state: 'new', owner: null, contact_attempts: 0, opened_at: canonicalFromDate(new Date(flow.openedAt)), version: flow.version, reference: null, last_contact: null, snoozed_until: null, snooze_reason: null },
      }),
    ]);
    everyNotification.push(...reminders);
    expect((await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date()))?.remindedAt).toBe(canonicalFromDate(new Date(at)));
    expect(notifier.notifications.filter((sent) => sent.transaction_id === acknowledged.transactionId && sent.reason === 'not_acknowledged')).toEqual([]);
    // Not a stale flag: the order's own flag (no_progress at 7 days) is another matter.
    expect((await rig().order(flow.watched))?.stale).toBeNull();
  });

  it('tries a reminder the notifier refused again next sweep, and marks it only once sent', async () => {
    const flow = await seed('in_progress', nextEra());
    const at = flow.openedAt + 25 * HOUR;
    await sweep(at, { notify: () => Promise.reject(new Error('refused')) }, { followUpAckHours: 24 });
    expect((await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date()))?.remindedAt).toBeNull();
    const notifier = recording();
    await sweep(at + HOUR, notifier, { followUpAckHours: 24 });
    await sweep(at + 2 * HOUR, notifier, { followUpAckHours: 24 });
    expect(about(notifier.sent, flow.watched, 'not_acknowledged')).toHaveLength(1);
  });

  it('goes through the sweep’s step-time checks: a reminder step out of time sends nothing (SweepStoppedEarly = 1), the next sweep sends it once', async () => {
    const flow = await seed('in_progress', nextEra());
    const at = flow.openedAt + 25 * HOUR;
    // Time runs low while the sweep reads the unacknowledged follow-ups: the reminder's own check stops it.
    let left = Number.POSITIVE_INFINITY;
    const db = {
      ...rig().table.db,
      query: async (input: Parameters<TableClient['query']>[0]) => {
        const page = await rig().table.db.query(input);
        if (input.IndexName === TABLE.byTransaction.indexName) left = STEP_MARGIN_MS - 1;
        return page;
      },
    };
    const lateNotifier = recording();
    const late = await sweep(at, lateNotifier, { db, followUpAckHours: 24, timeLeft: () => left });
    expect(late.metrics.get(SWEEP_METRICS.stoppedEarly)).toBe(1);
    expect(about(lateNotifier.sent, flow.watched, 'not_acknowledged')).toEqual([]);
    expect(logged).toContainEqual(['sweep time low: stopping cleanly, the next sweep goes on', { step: 'notification', time_left_ms: STEP_MARGIN_MS - 1 }]);
    // Out of time before the step: it does not even read.
    left = STEP_MARGIN_MS - 1;
    const none = await sweep(at + HOUR, recording(), { db, followUpAckHours: 24, timeLeft: () => left });
    expect(none.metrics.get(SWEEP_METRICS.stoppedEarly)).toBe(1);
    expect((await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date()))?.remindedAt).toBeNull();

    const notifier = recording();
    await sweep(at + 2 * HOUR, notifier, { followUpAckHours: 24 });
    await sweep(at + 3 * HOUR, notifier, { followUpAckHours: 24 });
    expect(about(notifier.sent, flow.watched, 'not_acknowledged')).toHaveLength(1);
  });
});

describe('the redraw_failed notice (CONTRACT §9: attention, notified once)', () => {
  it('notifies an open follow-up whose redraw order failed once, naming the failed order, and marks it; later sweeps send nothing', async () => {
    const flow = await seed('sample_error', nextEra());
    const stored = await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date());
    expect(stored?.followUp).toMatchObject({ attention: 'redraw_failed', state: 'new', redraw_order_id: flow.redrawId });
    const at = flow.statusTime + HOUR;
    const notifier = recording();
    const first = await sweep(at, notifier);
    expect(first.result.skipped).toBe(false);
    const notices = about(notifier.sent, flow.redrawId, 'redraw_failed');
    expect(notices).toEqual([
      expect.objectContaining({ reason: 'redraw_failed', order_id: flow.redrawId, transaction_id: flow.transactionId, low_level_status: 'sample_error', since: canonicalFromDate(new Date(at)), follow_up: expect.objectContaining({ id: flow.transactionId, state: 'new' }) }),
    ]);
    expect((await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date()))?.attentionNotifiedAt).toBe(canonicalFromDate(new Date(at)));
    // Not a stale flag: the failed order is no open redraw.
    expect((await rig().order(flow.redrawId))?.stale).toBeNull();
    await sweep(at + HOUR, notifier);
    await sweep(at + DAY, notifier, { followUpAckHours: 1 });
    expect(about(notifier.sent, flow.redrawId, 'redraw_failed')).toHaveLength(1);
  });

  it('says what failed, the one-redraw rule and the two ways on, in the e-mail, the chat notification and the JSON', async () => {
    const flow = await seed('sample_error', nextEra());
    await act(flow.transactionId, { action: 'assign', owner: 'team.redraws' }, flow.statusTime + 10 * 60_000);
    const notifier = createInMemoryNotifier(undefined, { environment: 'prod', timeZone: null }, () => new Date(flow.statusTime + HOUR));
    await sweep(flow.statusTime + HOUR, notifier);
    const index = notifier.notifications.findIndex((sent) => sent.order_id === flow.redrawId && sent.reason === 'redraw_failed');
    expect(index).toBeGreaterThanOrEqual(0);
    const sent = notifier.notifications[index] as SentStaleRedrawNotification;
    everyNotification.push(sent);
    expect(sent.subject).toBe('Redraw failed (sample error) - owner: team.redraws - prod');
    expect(sent.next_step).toBe(NEXT_STEPS.redraw_failed);
    expect(sent.next_step).toMatch(/one redraw per transaction/);
    expect(sent.next_step).toMatch(/a new order/);
    expect(sent.next_step).toMatch(/close this follow-up as reordered .*, or close it with another disposition/);
    const email = notifier.rendered[index]!.email;
    expect(email.split('\n')[0]).toBe(
      'The redraw failed: the order ended 1 h ago with a sample error (the lab could not test the sample), and Junction supports one redraw per transaction. team.redraws has it (no contact recorded yet).',
    );
    expect(email).toContain(`Order:         ${flow.redrawId}`);
    expect(email).toContain(`Transaction:   ${flow.transactionId} (also its follow-up's id)`);
    expect(email).toMatch(/^Notified: {6}/m);
    expect(email).toContain(`For the team: ${NEXT_STEPS.redraw_failed}`);
    expect(email).toContain(`  the outcome:   npx redraw-tracker close ${flow.transactionId} --disposition patient_declined`);
    expect(email).toContain('(Sent once per failed redraw by redraw-tracker.');
    const chat = chatNotification(sent);
    expect(chat.content.title).toBe(':rotating_light: Redraw failed (sample error) - owner: team.redraws - prod');
    expect(chat.metadata.eventType).toBe('follow_up.redraw_failed');
    expect(chat.content.nextSteps).toContain(`For the team: ${NEXT_STEPS.redraw_failed}`);
    expect(emailText(sent)).toBe(email);
  });

  it('sends no notice for a follow-up closed before the sweep', async () => {
    const flow = await seed('sample_error', nextEra());
    await act(flow.transactionId, { action: 'close', disposition: 'patient_declined' }, flow.statusTime + 10 * 60_000);
    const notifier = recording();
    await sweep(flow.statusTime + HOUR, notifier);
    expect(about(notifier.sent, flow.redrawId, 'redraw_failed')).toEqual([]);
  });

  it('sends nothing again when a later write of the follow-up lost its marker: the claim says it went out, and the marker is set again', async () => {
    const flow = await seed('sample_error', nextEra());
    const at = flow.statusTime + HOUR;
    const notifier = recording();
    await sweep(at, notifier);
    expect(about(notifier.sent, flow.redrawId, 'redraw_failed')).toHaveLength(1);
    // A write that rebuilt the follow-up without the marker (as one that knows nothing of it would).
    const stored = await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date());
    if (stored === null) throw new Error('no follow-up');
    expect(await writeStoredFollowUp(rig().table.db, rig().table.tableName, stored, { ...stored, attentionNotifiedAt: null }, [], new Date())).toBe('written');
    expect((await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date()))?.attentionNotifiedAt).toBeNull();
    await sweep(at + HOUR, notifier);
    expect(about(notifier.sent, flow.redrawId, 'redraw_failed')).toHaveLength(1);
    expect((await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date()))?.attentionNotifiedAt).toBe(canonicalFromDate(new Date(at + HOUR)));
  });

  it('tries a notice the notifier refused again once its claim is 15 minutes old, and marks it only once sent', async () => {
    const flow = await seed('sample_error', nextEra());
    const at = flow.statusTime + HOUR;
    await sweep(at, { notify: () => Promise.reject(new Error('refused')) });
    expect((await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date()))?.attentionNotifiedAt).toBeNull();
    const notifier = recording();
    // Within 15 minutes of the claim: left to it (the refusal may hide an acceptance whose answer was lost).
    await sweep(at + 10 * 60_000, notifier);
    expect(about(notifier.sent, flow.redrawId, 'redraw_failed')).toEqual([]);
    await sweep(at + 15 * 60_000, notifier);
    await sweep(at + HOUR, notifier);
    expect(about(notifier.sent, flow.redrawId, 'redraw_failed')).toHaveLength(1);
  });
});

describe('the notice of every attention (CONTRACT §9: once per attention and episode, the reason its value)', () => {
  it('notifies a failed test kit once as no_redraw, with what is missing and why in words, and marks it', async () => {
    const kit = await seedFailedKit(nextEra());
    const stored = await getFollowUp(rig().table.db, rig().table.tableName, kit.transactionId, new Date());
    expect(stored?.followUp).toMatchObject({ attention: 'no_redraw', state: 'new', missing: { order_id: kit.orderId, status: 'sample_error', status_detail: 'sample_hemolyzed' } });
    const missing = stored!.followUp.missing!;
    const at = kit.statusTime + HOUR;
    const notifier = createInMemoryNotifier(undefined, { environment: 'prod', timeZone: null }, () => new Date(at));
    await sweep(at, notifier);
    const index = notifier.notifications.findIndex((sent) => sent.order_id === kit.orderId);
    expect(index).toBeGreaterThanOrEqual(0);
    const sent = notifier.notifications[index] as SentStaleRedrawNotification;
    everyNotification.push(sent);
    expect(sent).toMatchObject({ reason: 'no_redraw', transaction_id: kit.transactionId, low_level_status: 'sample_error', follow_up: { id: kit.transactionId, state: 'new' } });
    expect(sent.missing).toEqual(missing);
    expect(sent.subject).toBe('Results missing, no redraw (sample error) - no owner - prod');
    expect(sent.next_step).toBe(NEXT_STEPS.no_redraw);
    const email = notifier.rendered[index]!.email;
    expect(email).toContain(`Why:           ${whyWords(missing)}`);
    expect(email).toContain('Why:           a sample error (the lab could not test the sample); the sample was hemolyzed');
    expect(email).toContain('Failure types: not known yet');
    expect(chatNotification(sent).metadata.eventType).toBe('follow_up.no_redraw');
    expect((await getFollowUp(rig().table.db, rig().table.tableName, kit.transactionId, new Date()))?.attentionNotifiedAt).toBe(canonicalFromDate(new Date(at)));
    // Once per episode: later sweeps send nothing.
    await sweep(at + HOUR, notifier);
    await sweep(at + DAY, notifier);
    expect(notifier.notifications.filter((one) => one.order_id === kit.orderId)).toHaveLength(1);
  });

  it('notifies an incomplete redraw once as results_still_missing, naming the redraw order and what is still missing', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    const deliveries = buildDeliveries(redrawFlow(ids, 'completed', nextEra()));
    // Junction completes a redraw "regardless of whether there are still missing results".
    (deliveries.at(-1)!.body.data as Record<string, unknown>).has_missing_results = true;
    for (const delivery of deliveries) await rig().webhook(delivery);
    await rig().settle();
    const stored = await getFollowUp(rig().table.db, rig().table.tableName, ids.transactionId, new Date());
    expect(stored?.followUp).toMatchObject({ attention: 'results_still_missing', state: 'new', missing: { order_id: ids.redrawId, status: 'completed' } });
    const order = await rig().order(ids.redrawId);
    const at = instantMillis(order!.record.status_time) + HOUR;
    const notifier = createInMemoryNotifier(undefined, { environment: 'prod', timeZone: null }, () => new Date(at));
    await sweep(at, notifier);
    await sweep(at + HOUR, notifier);
    const sent = notifier.notifications.filter((one) => one.transaction_id === ids.transactionId) as SentStaleRedrawNotification[];
    everyNotification.push(...sent);
    expect(sent.map((one) => [one.reason, one.order_id])).toEqual([['results_still_missing', ids.redrawId]]);
    expect(sent[0]!.subject).toMatch(/^Incomplete redraw \((results still missing|\d+ markers? missing)\) - no owner - prod$/);
    expect(sent[0]!.status_words).toBe('completed, with results still missing');
    expect(sent[0]!.next_step).toBe(NEXT_STEPS.results_still_missing);
    expect(chatNotification(sent[0]!).metadata.eventType).toBe('follow_up.results_still_missing');
  });

  it('sends no notice for a failed test kit whose follow-up a person closed before the sweep', async () => {
    const kit = await seedFailedKit(nextEra());
    await act(kit.transactionId, { action: 'close', disposition: 'tested_elsewhere' }, kit.statusTime + 10 * 60_000);
    const notifier = recording();
    await sweep(kit.statusTime + HOUR, notifier);
    expect(about(notifier.sent, kit.orderId)).toEqual([]);
  });
});

describe('no PHI', () => {
  it('puts no PHI in any notification or log line of these sweeps (the webhooks carried canaries in every PHI field)', () => {
    expect(everyNotification.length).toBeGreaterThan(5);
    expect(JSON.stringify(everyNotification)).not.toContain(PHI_CANARY);
    expect(JSON.stringify(logged)).not.toContain(PHI_CANARY);
  });
});
