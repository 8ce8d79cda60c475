/**
 * Afterwards (CONTRACT §14): the redraw order's appointment webhooks, through
 * the table's real stream and the transaction function, act on the follow-up
 * a person booked from: that appointment's cancel wakes it (why, Junction's
 * time, an expected_version behind it a conflict), a start moved elsewhere
 * moves the snooze, a pending booking's confirmation and a completion are the
 * tracker's versions, another appointment id does nothing, and an appointment
 * the tracker did not book is kept as booked elsewhere without a version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalFromDate } from '../../functions/core/instant';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { localEndpoint } from '../support/dynamodb';
import { appointmentDelivery, atLab, buildDeliveries, freshId, PHI_CANARY, redrawFlow } from '../support/junction';
import { scanLocalTable } from '../support/retention-check';
import { act, bookBody, bookingActions, freeSlots, recordingPsc } from '../support/booking';
import { useJunctionStandin } from '../support/junction-standin';
import { startTransactionRig, type TransactionRig } from '../support/transaction-rig';

const standin = useJunctionStandin();
let rig: TransactionRig;
beforeAll(async () => {
  rig = await startTransactionRig('booking-afterwards');
});
afterAll(async () => {
  await rig?.close();
});

/** A redraw in progress the tracker opened a follow-up for (through the stream), booked by a person through Junction. */
async function booked(options: { bookingAsync?: boolean } = {}) {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const deliveries = buildDeliveries(atLab(redrawFlow(ids, 'in_progress', new Date(Date.now() - 3 * 86_400_000)), 'quest'));
  await standin().recordDeliveries(deliveries);
  await rig.deliver(deliveries);
  const { psc } = recordingPsc(standin());
  const handler = bookingActions(rig.table, { psc, now: () => new Date(), bookingAsync: options.bookingAsync ?? false });
  const [slot, later] = await freeSlots(standin(), ids.redrawId, 2);
  const answer = await act(handler, ids.transactionId, bookBody(slot!));
  expect(answer.statusCode).toBe(200);
  await rig.settle();
  const booking = answer.json.follow_up!.booking as { appointment_id: string; start_at: string; status: string };
  const webhook = async (status: string, overrides: { id?: string; startAt?: Date } = {}) => {
    await rig.webhook(
      appointmentDelivery({ orderId: ids.redrawId, transactionId: ids.transactionId, appointmentId: overrides.id ?? booking.appointment_id, startAt: overrides.startAt ?? new Date(booking.start_at), status, eventTimes: [new Date(Date.now() + 60_000)] }),
    );
    await rig.settle();
  };
  const followUp = async () => (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!;
  const history = async () => readHistory(rig.table.db, rig.table.tableName, ids.transactionId, new Date());
  return { ids, booking, later: later!, webhook, followUp, history };
}

describe('afterwards (CONTRACT §14)', () => {
  it("wakes the follow-up when that appointment is cancelled, with why and the cancel's time; a person's expected_version behind it is a conflict", async () => {
    const one = await booked();
    const before = (await one.followUp()).followUp;
    expect(before).toMatchObject({ state: 'snoozed', snooze_reason: 'appointment_booked' });
    await one.webhook('confirmed', { id: freshId() });
    expect((await one.followUp()).followUp.version).toBe(before.version);
    await one.webhook('cancelled');
    const woken = (await one.followUp()).followUp;
    expect(woken).toMatchObject({ state: 'acknowledged', snoozed_until: null, version: before.version + 1, booking: { status: 'cancelled', appointment_id: one.booking.appointment_id } });
    expect((await one.history()).at(-1)).toMatchObject({ actor: 'tracker', action: 'snooze_ended', why: 'appointment_cancelled', appointment_id: one.booking.appointment_id, fact_time: expect.any(String) });
    const behind = await actOnFollowUp(rig.table.db, rig.table.tableName, { id: one.ids.transactionId, body: { action: 'record_contact', channel: 'phone', outcome: 'reached', expected_version: before.version }, actor: 'kim.w', now: new Date(), thresholds: DEFAULT_THRESHOLDS });
    expect(behind.kind).toBe('conflict');
  });

  it('moves the snooze when the start moves elsewhere, then records the completion', async () => {
    const one = await booked();
    const start = new Date(Date.parse(one.booking.start_at) + 2 * 86_400_000);
    await one.webhook('confirmed', { startAt: start });
    const moved = (await one.followUp()).followUp;
    expect(moved).toMatchObject({ state: 'snoozed', snoozed_until: canonicalFromDate(new Date(start.getTime() + 48 * 3_600_000)), booking: { start_at: canonicalFromDate(start) } });
    expect((await one.history()).at(-1)).toMatchObject({ action: 'snooze_moved', until: moved.snoozed_until, appointment_id: one.booking.appointment_id });
    await one.webhook('completed', { startAt: start });
    expect((await one.history()).at(-1)).toMatchObject({ action: 'appointment_completed', appointment_id: one.booking.appointment_id });
    expect((await one.followUp()).followUp.booking).toMatchObject({ status: 'completed' });
  });

  it("records a pending booking's confirmation as the tracker's version, and its cancel as not confirmed", async () => {
    const one = await booked({ bookingAsync: true });
    expect(one.booking.status).toBe('pending');
    await one.webhook('confirmed');
    expect((await one.history()).at(-1)).toMatchObject({ action: 'appointment_confirmed' });
    const two = await booked({ bookingAsync: true });
    await two.webhook('cancelled');
    expect((await two.history()).at(-1)).toMatchObject({ action: 'snooze_ended', why: 'not_confirmed' });
  });

  it('keeps an appointment the patient booked (the tracker did not) as booked elsewhere, without a version', async () => {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    await rig.deliver(buildDeliveries(atLab(redrawFlow(ids, 'in_progress', new Date(Date.now() - 3 * 86_400_000)), 'quest')));
    const before = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!.followUp;
    const start = new Date(Date.now() + 4 * 86_400_000);
    await rig.webhook(appointmentDelivery({ orderId: ids.redrawId, transactionId: ids.transactionId, appointmentId: freshId(), startAt: start, status: 'confirmed', eventTimes: [new Date()] }));
    await rig.settle();
    const after = (await getFollowUp(rig.table.db, rig.table.tableName, ids.transactionId, new Date()))!.followUp;
    expect(after).toMatchObject({ state: before.state, version: before.version, booking: { booked_by: null, booked_with: 'junction', status: 'confirmed', start_at: canonicalFromDate(start) } });
    // The webhooks' address, notes and location canaries (every webhook of this file's) are in no stored item.
    expect(JSON.stringify(await scanLocalTable(localEndpoint(), rig.table.tableName))).not.toContain(PHI_CANARY);
  });
});
