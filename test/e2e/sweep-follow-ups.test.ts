/**
 * The sweep honours follow-ups through `npm start` (CONTRACT §9 with §4): signed
 * webhooks over HTTP, the tracker's own stream opening the follow-ups, the
 * sweep run by `POST /local/sweep`, what it sent read from
 * `GET /local/notifications` and `GET /local/events`. A person's actions go
 * through the store's actOnFollowUp against the tracker's DynamoDB (the
 * endpoint its banner prints), the code the HTTP action route calls
 * (test/support/sweep-rig.ts).
 */
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { canonicalFromDate } from '../../functions/core/instant';
import { eventually } from '../support/npm-start';
import { useSweepRig } from '../support/sweep-rig';

const Event = z.object({ type: z.string(), order_id: z.string().nullable(), reason: z.string().optional() }).loose();

// The test drives the sweeps itself (POST /local/sweep).
const { act, followUpsOpened, json, notifications, stuckRedraw, sweep } = useSweepRig();
const staleOf = async (orderId: string) => z.object({ order: z.object({ stale: z.unknown() }).loose() }).parse(await json(`/orders/${orderId}`)).order.stale;

describe('npm start: the sweep and follow-ups', () => {
  it('flags no order of a snoozed follow-up until the snooze ends, names the owner, clears a closed one’s flag, and flags a reopened one again', async () => {
    const snoozed = await stuckRedraw();
    const closed = await stuckRedraw();
    const owned = await stuckRedraw();
    // The tracker's stream opens each follow-up a moment after the webhooks.
    await followUpsOpened([snoozed, closed, owned]);
    const snoozedUntil = new Date(Date.now() + 4_000);
    await act(snoozed.transactionId, { action: 'snooze', until: canonicalFromDate(snoozedUntil), reason: 'appointment_booked' });
    await act(owned.transactionId, { action: 'assign', owner: 'team.redraws' });
    await act(owned.transactionId, { action: 'record_contact', channel: 'phone', outcome: 'no_answer' });

    await sweep();
    expect(await notifications(snoozed.initialId)).toEqual([]);
    expect(await staleOf(snoozed.initialId)).toBeNull();
    expect(await notifications(owned.initialId)).toEqual([
      expect.objectContaining({ reason: 'redraw_not_created', follow_up: expect.objectContaining({ id: owned.transactionId, state: 'acknowledged', owner: 'team.redraws', contact_attempts: 1 }) }),
    ]);
    expect(await notifications(closed.initialId)).toEqual([expect.objectContaining({ follow_up: expect.objectContaining({ state: 'new', owner: null }) })]);
    expect(await staleOf(closed.initialId)).not.toBeNull();

    // Closed by a person: its flag clears with the close, without a sweep (CONTRACT §9), and the stream publishes
    // redraw.stale_cleared; a sweep after it clears nothing more.
    await act(closed.transactionId, { action: 'close', disposition: 'patient_declined' });
    expect(await eventually(() => staleOf(closed.initialId), (stale) => stale === null)).toBeNull();
    await sweep();
    const events = await eventually(
      async () => z.object({ items: z.array(Event) }).parse(await json('/local/events')).items,
      (items) => items.some((event) => event.type === 'redraw.stale_cleared' && event.order_id === closed.initialId),
    );
    expect(events.filter((event) => event.type === 'redraw.stale_cleared' && event.order_id === closed.initialId)).toEqual([
      expect.objectContaining({ reason: 'redraw_not_created' }),
    ]);

    // The snooze ends: flagged as usual, once.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, snoozedUntil.getTime() - Date.now() + 50)));
    await sweep();
    await sweep();
    expect(await notifications(snoozed.initialId)).toEqual([expect.objectContaining({ reason: 'redraw_not_created', follow_up: expect.objectContaining({ state: 'acknowledged' }) })]);
    // The closed one stayed unflagged; reopened, it is flagged again (a second episode, notified once).
    expect(await notifications(closed.initialId)).toHaveLength(1);
    await act(closed.transactionId, { action: 'reopen' });
    await sweep();
    await sweep();
    expect(await notifications(closed.initialId)).toHaveLength(2);
    expect(await staleOf(closed.initialId)).not.toBeNull();
  });
});
