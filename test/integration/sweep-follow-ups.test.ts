/**
 * The sweep honours follow-ups (CONTRACT §9, "With the stale rules"), on
 * DynamoDB Local through the real code (test/support/follow-up-sweeps.ts): a
 * snoozed or closed follow-up holds its order's stale flag back, the
 * notification names the follow-up, and the queues' copy of the flag (§12)
 * follows it. The reminders and notices the sweep sends for follow-ups:
 * ./sweep-follow-up-notices.test.ts.
 *
 * One table for the file: each test has its own era (a start date later than
 * every earlier test's), so a sweep finds only its own orders due, and its
 * assertions are about its own ids.
 */
import { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { canonicalFromDate } from '../../functions/core/instant';
import { SWEEP_METRICS } from '../../functions/shared/metric-names';
import type { SentStaleRedrawNotification } from '../../functions/notices/notification';
import { chatNotification, emailText } from '../../functions/notices/formats';
import { createSnsNotifier, type Notifier } from '../../functions/notices/notifier';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { OPEN_REDRAW_PARTITIONS } from '../../functions/store/keys';
import { buildDeliveries, PHI_CANARY, redrawFlow } from '../support/junction';
import { FollowUpSweeps } from '../support/follow-up-sweeps';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const sweeps = new FollowUpSweeps('sweep-follow-ups');
const { rig, logged, everyNotification, nextEra, seed, act, recording, sweep, about, factsOf } = sweeps;

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
    const held = await rig().order(flow.watched);
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
    const history = await readHistory(rig().table.db, rig().table.tableName, flow.transactionId, new Date());
    expect(history.map((entry) => [entry.actor, entry.action, entry.from_state, entry.to_state])).toEqual([
      ['tracker', 'open', 'new', 'new'],
      ['j.doe', 'snooze', 'new', 'snoozed'],
      ['tracker', 'snooze_ended', 'snoozed', 'acknowledged'],
    ]);
    expect(history[2]).toMatchObject({ at: canonicalFromDate(new Date(until)), fact_time: canonicalFromDate(new Date(until)) });
    expect((await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date()))?.followUp).toMatchObject({ state: 'acknowledged', snoozed_until: null, version: 3 });
    expect((await rig().order(flow.watched))?.stale).toEqual({ since: canonicalFromDate(new Date(until)), reason: 'redraw_not_created' });
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
    const flag = (await rig().order(flow.watched))?.stale;
    expect(flag).toEqual({ since: canonicalFromDate(new Date(due)), reason: 'no_progress' });

    const until = due + 2 * DAY;
    await act(flow.transactionId, { action: 'snooze', until: canonicalFromDate(new Date(until)), reason: 'patient_requested' }, due + HOUR);
    // The flag clears with the snooze (the stream's work on the follow-up's record, CONTRACT §9), before any sweep.
    await rig().settle();
    expect((await rig().order(flow.watched))?.stale).toBeNull();
    expect(factsOf(flow.watched, 'redraw.stale_cleared')).toEqual([expect.objectContaining({ reason: 'no_progress', since: flag!.since, cleared_by: 'snoozed' })]);
    const notifier = recording();
    const { metrics } = await sweep(due + 2 * HOUR, notifier);
    expect(about(notifier.sent, flow.watched)).toEqual([]);
    expect(metrics.get(SWEEP_METRICS.notificationsPending)).toBe(0);
    // Not flagged before the snooze ends (CONTRACT §9): the flag from before it clears too.
    expect((await rig().order(flow.watched))?.stale).toBeNull();
    expect(factsOf(flow.watched, 'redraw.stale_cleared')).toEqual([expect.objectContaining({ reason: 'no_progress', since: flag!.since, cleared_by: 'snoozed' })]);
    await sweep(until - HOUR, notifier);
    expect(about(notifier.sent, flow.watched)).toEqual([]);

    await sweep(until + HOUR, notifier);
    await sweep(until + 2 * HOUR, notifier);
    const again = canonicalFromDate(new Date(until + HOUR));
    expect((await rig().order(flow.watched))?.stale).toEqual({ since: again, reason: 'no_progress' });
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
    await rig().settle();
    const cleared = await rig().order(flow.watched);
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
    expect((await rig().order(flow.watched))?.stale).toBeNull();

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
    expect((await rig().order(flow.watched))?.stale).not.toBeNull();
    await act(flow.transactionId, { action: 'close', disposition: 'tested_elsewhere' }, due + HOUR);
    const notifier = recording();
    await sweep(due + 2 * HOUR, notifier);
    expect(about(notifier.sent, flow.watched)).toEqual([]);
    expect((await rig().order(flow.watched))?.stale).toBeNull();
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

describe('the queues’ copy of the stale flag on the follow-up (CONTRACT §12)', () => {
  const copyOf = async (id: string) => (await getFollowUp(rig().table.db, rig().table.tableName, id, new Date()))?.staleFlag ?? null;

  it('is set by the sweep that flags the order, dropped by a person’s snooze at once, and set again when the snooze ends with nothing moved', async () => {
    const flow = await seed('not_created', nextEra());
    const notifier = recording();
    expect(await copyOf(flow.transactionId)).toBeNull();

    await sweep(flow.statusTime + 25 * HOUR, notifier);
    const flag = (await rig().order(flow.watched))?.stale;
    expect(flag).toEqual({ since: canonicalFromDate(new Date(flow.statusTime + 25 * HOUR)), reason: 'redraw_not_created' });
    expect(await copyOf(flow.transactionId)).toEqual({ ...flag, orderId: flow.watched, statusTime: canonicalFromDate(new Date(flow.statusTime)) });

    const until = flow.statusTime + 3 * DAY;
    await act(flow.transactionId, { action: 'snooze', until: canonicalFromDate(new Date(until)), reason: 'patient_requested' }, flow.statusTime + 26 * HOUR);
    expect(await copyOf(flow.transactionId)).toBeNull();
    await sweep(flow.statusTime + 27 * HOUR, notifier);
    expect((await rig().order(flow.watched))?.stale).toBeNull();
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
      await rig().webhook(delivery);
    }
    await rig().settle();
    const stored = await getFollowUp(rig().table.db, rig().table.tableName, flow.transactionId, new Date());
    expect(stored?.redraw?.orderId).toBe(flow.redrawId);
    expect(stored?.staleFlag ?? null).toBeNull();
  });
});

describe('no PHI', () => {
  it('puts no PHI in any notification or log line of these sweeps (the webhooks carried canaries in every PHI field)', () => {
    expect(everyNotification.length).toBeGreaterThan(5);
    expect(JSON.stringify(everyNotification)).not.toContain(PHI_CANARY);
    expect(JSON.stringify(logged)).not.toContain(PHI_CANARY);
  });
});
