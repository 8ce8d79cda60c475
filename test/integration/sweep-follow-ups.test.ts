/**
 * The sweep honours follow-ups (CONTRACT §9, "With the stale rules"), on
 * DynamoDB Local through the real code: webhooks stored as the webhook stores
 * them, the transaction function on the table's real stream (it opens the
 * follow-ups and publishes the facts), a person's actions through the store's
 * actOnFollowUp (what the HTTP route calls), and runSweep with an injected clock.
 *
 * One table for the file: each test has its own era (a start date later than
 * every earlier test's), so a sweep finds only its own orders due, and its
 * assertions are about its own ids.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { whyWords } from '../../functions/core/missing-words';
import { NEXT_STEPS } from '../../functions/core/next-steps';
import { canonicalFromDate, instantMillis } from '../../functions/core/instant';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { SWEEP_METRICS } from '../../functions/shared/metric-names';
import { runSweep, type SweepInput } from '../../functions/stale-redraw-sweep/app';
import { STEP_MARGIN_MS } from '../../functions/stale-redraw-sweep/steps/deadline';
import type { SentStaleRedrawNotification, StaleRedrawNotification } from '../../functions/notices/notification';
import { chatNotification, emailText } from '../../functions/notices/formats';
import { createInMemoryNotifier, createSnsNotifier, type Notifier } from '../../functions/notices/notifier';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import { TABLE } from '../../functions/store/table';
import { OPEN_REDRAW_PARTITIONS } from '../../functions/store/keys';
import { createInMemoryPublisher } from '../../functions/transaction-status/publisher';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow, type RedrawOutcome } from '../support/junction';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const events = createInMemoryPublisher();
let rig: TransactionRig;
beforeAll(async () => {
  rig = await startTransactionRig('sweep-follow-ups', { publisher: events });
});
afterAll(async () => {
  await rig?.close();
});

const logged: unknown[] = [];
const logger = {
  debug: (...args: unknown[]) => void logged.push(args),
  info: (...args: unknown[]) => void logged.push(args),
  warn: (...args: unknown[]) => void logged.push(args),
  error: (...args: unknown[]) => void logged.push(args),
};
/** Every notification any sweep of this file handed to a notifier (the PHI check reads them all). */
const everyNotification: unknown[] = [];

let era = 0;
/** A start date later than every earlier test's, a year apart (see the file's comment). */
function nextEra(): Date {
  era++;
  return new Date(Date.UTC(2030 + era, 0, 10, 9));
}

/** A redraw flow delivered through the webhook's store path, then the transaction function (real stream). */
async function seed(outcome: RedrawOutcome, start: Date) {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  for (const delivery of buildDeliveries(redrawFlow(ids, outcome, start))) await rig.webhook(delivery);
  await rig.settle();
  const watched = outcome === 'not_created' ? ids.initialId : ids.redrawId;
  const order = await rig.order(watched);
  if (order === null) throw new Error('order not stored');
  const followUp = await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date());
  if (followUp === null) throw new Error('the transaction function opened no follow-up');
  // Its version once seeded: 1, or 2 when the redraw order joined after the opening (how the stream batched the webhooks).
  return { ...ids, watched, statusTime: instantMillis(order.record.status_time), openedAt: instantMillis(followUp.followUp.opened_at), version: followUp.followUp.version };
}

/** A person's action, as the HTTP route applies it. */
async function act(id: string, body: unknown, at: number) {
  const result = await actOnFollowUp(rig.table.db, rig.table.tableName, { id, body, actor: 'j.doe', now: new Date(at), thresholds: DEFAULT_THRESHOLDS });
  if (result.kind !== 'changed' && result.kind !== 'unchanged') throw new Error(`action refused: ${result.kind}`);
  return result.stored.followUp;
}

function recording(): Notifier & { sent: StaleRedrawNotification[] } {
  const sent: StaleRedrawNotification[] = [];
  return {
    sent,
    async notify(notification) {
      everyNotification.push(notification);
      sent.push(notification);
    },
  };
}

async function sweep(now: number, notifier: Notifier, extra: Partial<SweepInput> = {}) {
  const metrics = new Map<string, number>();
  const result = await runSweep({
    db: rig.table.db,
    tableName: rig.table.tableName,
    now: new Date(now),
    thresholds: DEFAULT_THRESHOLDS,
    notifier,
    logger,
    metrics: { addMetric: (name: string, _unit: string, value: number) => void metrics.set(name, value) },
    ...extra,
  });
  await rig.settle();
  return { result, metrics };
}

const about = (sent: readonly StaleRedrawNotification[], orderId: string, reason?: string) =>
  sent.filter((notification) => notification.order_id === orderId && (reason === undefined || notification.reason === reason));
const factsOf = (orderId: string, type: string) => events.events.filter((event) => event.order_id === orderId && event.type === type);

describe('the sweep and a follow-up’s snooze', () => {
  it('flags no order before its follow-up’s snooze ends, and flags it as usual after', async () => {
    const flow = await seed('not_created', nextEra());
    const until = flow.statusTime + 3 * DAY;
    await act(flow.transactionId, { action: 'snooze', until: canonicalFromDate(new Date(until)), reason: 'appointment_booked' }, flow.statusTime + HOUR);
    const notifier = recording();

    // Due by §4 (24 h) but snoozed: not flagged, not notified, still an unflagged open redraw.
    await sweep(flow.statusTime + 25 * HOUR, notifier);
    await sweep(until - 1000, notifier);
    expect(about(notifier.sent, flow.watched)).toEqual([]);
    const held = await rig.order(flow.watched);
    expect(held?.stale).toBeNull();
    expect(held?.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.awaitingRedraw);

    // At snoozed_until the snooze is over (acknowledged again): flagged as usual, once.
    await sweep(until, notifier);
    await sweep(until + HOUR, notifier);
    expect(about(notifier.sent, flow.watched)).toEqual([
      expect.objectContaining({
        reason: 'redraw_not_created',
        since: canonicalFromDate(new Date(until)),
        // Version 2: opened, then snoozed; the sweep records the snooze's end after its alerts (a click on this alert at
        // version 2 is behind only by that entry: no conflict, CONTRACT §9).
        follow_up: { id: flow.transactionId, state: 'acknowledged', owner: null, contact_attempts: 0, opened_at: canonicalFromDate(new Date(flow.openedAt)), version: 2, reference: null, last_contact: null, snoozed_until: null, snooze_reason: null },
      }),
    ]);
    // The first sweep after snoozed_until recorded snooze_ended as the tracker's version, once.
    const history = await readHistory(rig.table.db, rig.table.tableName, flow.transactionId, new Date());
    expect(history.map((entry) => [entry.actor, entry.action, entry.from_state, entry.to_state])).toEqual([
      ['tracker', 'open', 'new', 'new'],
      ['j.doe', 'snooze', 'new', 'snoozed'],
      ['tracker', 'snooze_ended', 'snoozed', 'acknowledged'],
    ]);
    expect(history[2]).toMatchObject({ at: canonicalFromDate(new Date(until)), fact_time: canonicalFromDate(new Date(until)) });
    expect((await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date()))?.followUp).toMatchObject({ state: 'acknowledged', snoozed_until: null, version: 3 });
    expect((await rig.order(flow.watched))?.stale).toEqual({ since: canonicalFromDate(new Date(until)), reason: 'redraw_not_created' });
  });

  it('clears a flag whose follow-up is snoozed (its pending notification with it), and flags the order anew, notified once, when the snooze ends with nothing moved', async () => {
    const flow = await seed('in_progress', nextEra());
    const due = flow.statusTime + 8 * DAY;
    // The flag is set but SNS refuses: its notification stays pending.
    const refusing: Notifier = {
      async notify() {
        throw new Error('refused');
      },
    };
    await sweep(due, refusing);
    const flag = (await rig.order(flow.watched))?.stale;
    expect(flag).toEqual({ since: canonicalFromDate(new Date(due)), reason: 'no_progress' });

    const until = due + 2 * DAY;
    await act(flow.transactionId, { action: 'snooze', until: canonicalFromDate(new Date(until)), reason: 'patient_requested' }, due + HOUR);
    // The flag clears with the snooze (the stream's work on the follow-up's record, CONTRACT §9), before any sweep.
    await rig.settle();
    expect((await rig.order(flow.watched))?.stale).toBeNull();
    expect(factsOf(flow.watched, 'redraw.stale_cleared')).toEqual([expect.objectContaining({ reason: 'no_progress', since: flag!.since, cleared_by: 'snoozed' })]);
    const notifier = recording();
    const { metrics } = await sweep(due + 2 * HOUR, notifier);
    expect(about(notifier.sent, flow.watched)).toEqual([]);
    expect(metrics.get(SWEEP_METRICS.notificationsPending)).toBe(0);
    // Not flagged before the snooze ends (CONTRACT §9): the flag from before it clears too.
    expect((await rig.order(flow.watched))?.stale).toBeNull();
    expect(factsOf(flow.watched, 'redraw.stale_cleared')).toEqual([expect.objectContaining({ reason: 'no_progress', since: flag!.since, cleared_by: 'snoozed' })]);
    await sweep(until - HOUR, notifier);
    expect(about(notifier.sent, flow.watched)).toEqual([]);

    await sweep(until + HOUR, notifier);
    await sweep(until + 2 * HOUR, notifier);
    const again = canonicalFromDate(new Date(until + HOUR));
    expect((await rig.order(flow.watched))?.stale).toEqual({ since: again, reason: 'no_progress' });
    expect(about(notifier.sent, flow.watched)).toEqual([expect.objectContaining({ reason: 'no_progress', since: again })]);
  });
});

describe('the sweep and a closed follow-up', () => {
  it('never flags an order whose follow-up is closed, clears the flag it has (redraw.stale_cleared), and flags again after a person reopens it', async () => {
    const flow = await seed('not_created', nextEra());
    const notifier = recording();
    const first = flow.statusTime + 25 * HOUR;
    await sweep(first, notifier);
    expect(about(notifier.sent, flow.watched)).toHaveLength(1);
    expect(factsOf(flow.watched, 'redraw.stale')).toHaveLength(1);

    await act(flow.transactionId, { action: 'close', disposition: 'patient_declined' }, first + HOUR);
    // Cleared with the close, by the stream, not at the next sweep (CONTRACT §9).
    await rig.settle();
    const cleared = await rig.order(flow.watched);
    expect(cleared?.stale).toBeNull();
    expect(cleared?.openRedraw).toBe(OPEN_REDRAW_PARTITIONS.awaitingRedraw);
    // The stream publishes the clear, with the flag's reason and since (CONTRACT §7).
    expect(factsOf(flow.watched, 'redraw.stale_cleared')).toEqual([
      expect.objectContaining({ reason: 'redraw_not_created', since: canonicalFromDate(new Date(first)), cleared_by: 'closed' }),
    ]);
    // The next sweep finds nothing to clear, and publishes no second clear.
    const { result } = await sweep(first + 2 * HOUR, notifier);
    expect(result.cleared).toBe(0);
    expect(factsOf(flow.watched, 'redraw.stale_cleared')).toHaveLength(1);

    // Closed: never flagged again, however long it waits.
    await sweep(first + 3 * HOUR, notifier);
    await sweep(first + 30 * DAY, notifier);
    expect(about(notifier.sent, flow.watched)).toHaveLength(1);
    expect((await rig.order(flow.watched))?.stale).toBeNull();

    // A person reopens it: the next sweep flags it again (a new episode, notified once).
    const reopenedAt = first + 30 * DAY + HOUR;
    await act(flow.transactionId, { action: 'reopen' }, reopenedAt);
    await sweep(reopenedAt + HOUR, notifier);
    await sweep(reopenedAt + 2 * HOUR, notifier);
    const again = about(notifier.sent, flow.watched);
    expect(again).toHaveLength(2);
    expect(again[1]).toMatchObject({ reason: 'redraw_not_created', since: canonicalFromDate(new Date(reopenedAt + HOUR)), follow_up: { state: 'acknowledged' } });
    expect(factsOf(flow.watched, 'redraw.stale')).toHaveLength(2);
  });

  it('sends no pending notification of a flag whose follow-up was closed meanwhile: the flag clears', async () => {
    const flow = await seed('in_progress', nextEra());
    const due = flow.statusTime + 8 * DAY;
    await sweep(due, { notify: () => Promise.reject(new Error('refused')) });
    expect((await rig.order(flow.watched))?.stale).not.toBeNull();
    await act(flow.transactionId, { action: 'close', disposition: 'tested_elsewhere' }, due + HOUR);
    const notifier = recording();
    await sweep(due + 2 * HOUR, notifier);
    expect(about(notifier.sent, flow.watched)).toEqual([]);
    expect((await rig.order(flow.watched))?.stale).toBeNull();
  });
});

describe('the notification names the follow-up', () => {
  it('names the owner, the follow-up id, its state and contact attempts in the e-mail, the chat notification and the JSON the SNS notifier publishes', async () => {
    const flow = await seed('in_progress', nextEra());
    const due = flow.statusTime + 8 * DAY;
    await act(flow.transactionId, { action: 'assign', owner: 'team.redraws' }, due - 2 * DAY);
    await act(flow.transactionId, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' }, due - 2 * DAY + HOUR);
    await act(flow.transactionId, { action: 'record_contact', channel: 'sms', outcome: 'left_message' }, due - DAY);

    // The sweep's own SNS notifier; the request is captured before it is built (nothing leaves the process).
    const published: { Subject: string; Message: string; MessageAttributes: Record<string, { StringValue: string }> }[] = [];
    const sns = new SNSClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    sns.middlewareStack.add(
      () => async (args) => {
        published.push(args.input as (typeof published)[number]);
        everyNotification.push(args.input);
        return { output: { MessageId: 'm-1', $metadata: {} }, response: {} };
      },
      { step: 'initialize', name: 'capture' },
    );
    await sweep(due, createSnsNotifier(sns, 'arn:aws:sns:us-east-1:123456789012:stale-redraws'));
    sns.destroy();

    const mine = published.filter((input) => input.Message.includes(flow.watched));
    expect(mine).toHaveLength(1);
    const byProtocol = JSON.parse(mine[0]!.Message) as { default: string; email: string; https: string };
    const sent = JSON.parse(byProtocol.default) as SentStaleRedrawNotification;
    expect(sent.follow_up).toMatchObject({ id: flow.transactionId, state: 'acknowledged', owner: 'team.redraws', contact_attempts: 2, opened_at: canonicalFromDate(new Date(flow.openedAt)), version: flow.version + 3 });
    // What the team recorded rides along: the last of the two calls (enums and a time only).
    expect(sent.follow_up?.last_contact).toMatchObject({ channel: 'sms', outcome: 'left_message' });
    expect(byProtocol.email).toBe(emailText(sent));
    expect(mine[0]!.Subject).toBe(`Redraw stuck ${sent.days_waiting} days (no progress) - owner: team.redraws - RedrawTracker`);
    expect(byProtocol.email.split('\n')[0]).toMatch(/^The redraw order has not moved on for \d+ days: .*\. team\.redraws has it \(2 contact attempts\)\.$/);
    expect(byProtocol.email).toContain('Follow-up:     acknowledged, owner team.redraws, 2 contact attempts');
    expect(byProtocol.email).toMatch(/^Last contact: {2}\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC by /m);
    const chat = JSON.parse(byProtocol.https) as ReturnType<typeof chatNotification>;
    expect(chat).toEqual(chatNotification(sent, { region: 'us-east-1' }));
    // The chat buttons act only at the version this alert was sent with (issue 32).
    expect(chat.metadata.additionalContext).toMatchObject({ follow_up_id: flow.transactionId, follow_up_version: String(flow.version + 3) });
    expect(chat.content.title).toBe(`:warning: ${sent.subject}`);
    expect(chat.content.description).toContain('*Follow-up:* acknowledged, owner team.redraws, 2 contact attempts');
    expect(mine[0]!.MessageAttributes['owner']?.StringValue).toBe('team.redraws');
    // Subscribers filter alerts apart from the weekly digest by `kind` (docs/digest.md).
    expect(mine[0]!.MessageAttributes['kind']?.StringValue).toBe('alert');
  });
});

describe('the not_acknowledged reminder (FOLLOW_UP_ACK_HOURS)', () => {
  it('is off by default: a follow-up new for weeks gets no reminder', async () => {
    const flow = await seed('not_created', nextEra());
    const notifier = recording();
    await sweep(flow.openedAt + 30 * DAY, notifier);
    expect(about(notifier.sent, flow.watched, 'not_acknowledged')).toEqual([]);
    expect((await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date()))?.remindedAt).toBeNull();
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
    expect((await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date()))?.remindedAt).toBe(canonicalFromDate(new Date(at)));
    expect(notifier.notifications.filter((sent) => sent.transaction_id === acknowledged.transactionId && sent.reason === 'not_acknowledged')).toEqual([]);
    // Not a stale flag: the order's own flag (no_progress at 7 days) is another matter.
    expect((await rig.order(flow.watched))?.stale).toBeNull();
  });

  it('tries a reminder the notifier refused again next sweep, and marks it only once sent', async () => {
    const flow = await seed('in_progress', nextEra());
    const at = flow.openedAt + 25 * HOUR;
    await sweep(at, { notify: () => Promise.reject(new Error('refused')) }, { followUpAckHours: 24 });
    expect((await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date()))?.remindedAt).toBeNull();
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
      ...rig.table.db,
      query: async (input: Parameters<typeof rig.table.db.query>[0]) => {
        const page = await rig.table.db.query(input);
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
    expect((await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date()))?.remindedAt).toBeNull();

    const notifier = recording();
    await sweep(at + 2 * HOUR, notifier, { followUpAckHours: 24 });
    await sweep(at + 3 * HOUR, notifier, { followUpAckHours: 24 });
    expect(about(notifier.sent, flow.watched, 'not_acknowledged')).toHaveLength(1);
  });
});

describe('the redraw_failed notice (CONTRACT §9: attention, notified once)', () => {
  it('notifies an open follow-up whose redraw order failed once, naming the failed order, and marks it; later sweeps send nothing', async () => {
    const flow = await seed('sample_error', nextEra());
    const stored = await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date());
    expect(stored?.followUp).toMatchObject({ attention: 'redraw_failed', state: 'new', redraw_order_id: flow.redrawId });
    const at = flow.statusTime + HOUR;
    const notifier = recording();
    const first = await sweep(at, notifier);
    expect(first.result.skipped).toBe(false);
    const notices = about(notifier.sent, flow.redrawId, 'redraw_failed');
    expect(notices).toEqual([
      expect.objectContaining({ reason: 'redraw_failed', order_id: flow.redrawId, transaction_id: flow.transactionId, low_level_status: 'sample_error', since: canonicalFromDate(new Date(at)), follow_up: expect.objectContaining({ id: flow.transactionId, state: 'new' }) }),
    ]);
    expect((await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date()))?.attentionNotifiedAt).toBe(canonicalFromDate(new Date(at)));
    // Not a stale flag: the failed order is no open redraw.
    expect((await rig.order(flow.redrawId))?.stale).toBeNull();
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
    const stored = await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date());
    if (stored === null) throw new Error('no follow-up');
    expect(await writeStoredFollowUp(rig.table.db, rig.table.tableName, stored, { ...stored, attentionNotifiedAt: null }, [], new Date())).toBe('written');
    expect((await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date()))?.attentionNotifiedAt).toBeNull();
    await sweep(at + HOUR, notifier);
    expect(about(notifier.sent, flow.redrawId, 'redraw_failed')).toHaveLength(1);
    expect((await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date()))?.attentionNotifiedAt).toBe(canonicalFromDate(new Date(at + HOUR)));
  });

  it('tries a notice the notifier refused again once its claim is 15 minutes old, and marks it only once sent', async () => {
    const flow = await seed('sample_error', nextEra());
    const at = flow.statusTime + HOUR;
    await sweep(at, { notify: () => Promise.reject(new Error('refused')) });
    expect((await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date()))?.attentionNotifiedAt).toBeNull();
    const notifier = recording();
    // Within 15 minutes of the claim: left to it (the refusal may hide an acceptance whose answer was lost).
    await sweep(at + 10 * 60_000, notifier);
    expect(about(notifier.sent, flow.redrawId, 'redraw_failed')).toEqual([]);
    await sweep(at + 15 * 60_000, notifier);
    await sweep(at + HOUR, notifier);
    expect(about(notifier.sent, flow.redrawId, 'redraw_failed')).toHaveLength(1);
  });
});

describe('no PHI', () => {
  it('puts no PHI in any notification or log line of these sweeps (the webhooks carried canaries in every PHI field)', () => {
    expect(everyNotification.length).toBeGreaterThan(5);
    expect(JSON.stringify(everyNotification)).not.toContain(PHI_CANARY);
    expect(JSON.stringify(logged)).not.toContain(PHI_CANARY);
  });
});

describe('the queues’ copy of the stale flag on the follow-up (CONTRACT §12)', () => {
  const copyOf = async (id: string) => (await getFollowUp(rig.table.db, rig.table.tableName, id, new Date()))?.staleFlag ?? null;

  it('is set by the sweep that flags the order, dropped by a person’s snooze at once, and set again when the snooze ends with nothing moved', async () => {
    const flow = await seed('not_created', nextEra());
    const notifier = recording();
    expect(await copyOf(flow.transactionId)).toBeNull();

    await sweep(flow.statusTime + 25 * HOUR, notifier);
    const flag = (await rig.order(flow.watched))?.stale;
    expect(flag).toEqual({ since: canonicalFromDate(new Date(flow.statusTime + 25 * HOUR)), reason: 'redraw_not_created' });
    expect(await copyOf(flow.transactionId)).toEqual({ ...flag, orderId: flow.watched, statusTime: canonicalFromDate(new Date(flow.statusTime)) });

    const until = flow.statusTime + 3 * DAY;
    await act(flow.transactionId, { action: 'snooze', until: canonicalFromDate(new Date(until)), reason: 'patient_requested' }, flow.statusTime + 26 * HOUR);
    expect(await copyOf(flow.transactionId)).toBeNull();
    await sweep(flow.statusTime + 27 * HOUR, notifier);
    expect((await rig.order(flow.watched))?.stale).toBeNull();
    expect(await copyOf(flow.transactionId)).toBeNull();

    await sweep(until, notifier);
    expect(await copyOf(flow.transactionId)).toMatchObject({ since: canonicalFromDate(new Date(until)), reason: 'redraw_not_created', orderId: flow.watched });
  });

  it('is dropped by the transaction function as soon as the flagged order’s redraw is ordered, before any sweep', async () => {
    const start = nextEra();
    const flow = await seed('not_created', start);
    await sweep(flow.statusTime + 25 * HOUR, recording());
    expect(await copyOf(flow.transactionId)).not.toBeNull();

    // The redraw order arrives: the open redraw is now the redraw order's, and the initial order's flag is over.
    for (const delivery of buildDeliveries(redrawFlow({ transactionId: flow.transactionId, initialId: flow.initialId, redrawId: flow.redrawId }, 'in_progress', start))) {
      await rig.webhook(delivery);
    }
    await rig.settle();
    const stored = await getFollowUp(rig.table.db, rig.table.tableName, flow.transactionId, new Date());
    expect(stored?.redraw?.orderId).toBe(flow.redrawId);
    expect(stored?.staleFlag ?? null).toBeNull();
  });
});

/** A lone test kit that ends sample_error with `status_detail` (Junction never redraws a kit): CONTRACT §9's no_redraw. */
async function seedFailedKit(start: Date) {
  const ids = { transactionId: freshId(), orderId: freshId() };
  const steps = ['ordered', 'requisition_created', 'transit_customer', 'with_customer', 'transit_lab', 'delivered_to_lab', 'sample_error'].map((low) => ({ order: 0, low }));
  const deliveries = buildDeliveries({ transactionId: ids.transactionId, orders: [{ id: ids.orderId, origin: 'initial', method: 'testkit' }], steps, start });
  const last = deliveries.at(-1)!;
  const data = last.body.data as { events: Array<Record<string, unknown>>; last_event: Record<string, unknown> };
  data.events.at(-1)!.status_detail = 'sample_hemolyzed';
  data.last_event = { ...data.last_event, status_detail: 'sample_hemolyzed' };
  for (const delivery of deliveries) await rig.webhook(delivery);
  await rig.settle();
  const order = await rig.order(ids.orderId);
  if (order === null) throw new Error('order not stored');
  return { ...ids, statusTime: instantMillis(order.record.status_time) };
}

describe('the notice of every attention (CONTRACT §9: once per attention and episode, the reason its value)', () => {
  it('notifies a failed test kit once as no_redraw, with what is missing and why in words, and marks it', async () => {
    const kit = await seedFailedKit(nextEra());
    const stored = await getFollowUp(rig.table.db, rig.table.tableName, kit.transactionId, new Date());
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
    expect((await getFollowUp(rig.table.db, rig.table.tableName, kit.transactionId, new Date()))?.attentionNotifiedAt).toBe(canonicalFromDate(new Date(at)));
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
    for (const delivery of deliveries) await rig.webhook(delivery);
    await rig.settle();
    const stored = await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date());
    expect(stored?.followUp).toMatchObject({ attention: 'results_still_missing', state: 'new', missing: { order_id: ids.redrawId, status: 'completed' } });
    const order = await rig.order(ids.redrawId);
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

