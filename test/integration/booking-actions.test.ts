/**
 * The four booking actions (CONTRACT §14) through the actions function, on
 * DynamoDB Local, against the Junction stand-in's PSC routes over HTTP: a
 * booking snoozes the follow-up until its start plus the grace and is kept on
 * the redraw order; a double click or a retry answers 200 without a second
 * call; someone else's booking meanwhile is 409 booking_in_progress; an answer
 * that never came is read before anything is booked again, so Quest's
 * "booked anyway" 500 books once; Junction's refusals in words; reschedule,
 * cancel, a booking made with the lab; and nothing of the patient's kept.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bookingKeyHash } from '../../functions/core/booking/idempotency';
import { canonicalFromDate } from '../../functions/core/instant';
import { getAppointment } from '../../functions/store/appointments';
import { actOnFollowUp } from '../../functions/store/follow-ups/actions';
import { readHistory } from '../../functions/store/follow-ups/history';
import { getFollowUp } from '../../functions/store/follow-ups/reads';
import { dyingTable } from '../support/dying-table';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { act, bookBody, bookingActions, CANCEL_REASON, freeSlots, recordingPsc, rescheduleBody, seedBookable, type Bookable, type SentCall } from '../support/booking';
import { createTestTable, localEndpoint, type TestTable } from '../support/dynamodb';
import { PHI_CANARY } from '../support/junction';
import { useJunctionStandin } from '../support/junction-standin';
import { scanLocalTable } from '../support/retention-check';
import { openApiValidator } from '../support/openapi';

const standin = useJunctionStandin();
const assertDocumented = openApiValidator();
let table: TestTable;
let now = new Date();
const clock = () => now;
const later = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

beforeAll(async () => {
  table = await createTestTable('booking-actions');
});
beforeEach(() => {
  now = new Date();
});

/** A bookable redraw, the actions function booking through a recording client, and what it sent. */
async function setUp(options: { timeoutMs?: number; withKey?: boolean; bookingAsync?: boolean; lab?: string } = {}) {
  const seeded = await seedBookable(table, standin(), options.lab ?? 'quest');
  const { psc, sent } = recordingPsc(standin(), options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs });
  const logs: unknown[] = [];
  const metrics: { name: string; value: number }[] = [];
  const handler = bookingActions(table, { psc: options.withKey === false ? null : psc, now: clock, logs, metrics, bookingAsync: options.bookingAsync ?? false });
  const run = async (body: Record<string, unknown>, actor?: string, remainingMs?: number) => {
    const answer = await act(handler, seeded.followUpId, body, actor, remainingMs);
    assertDocumented('POST', '/follow-ups/{follow_up_id}/actions', answer);
    return answer;
  };
  return { ...seeded, sent, logs, metrics, run };
}

const bookCalls = (sent: SentCall[]) => sent.filter((call) => call.path.endsWith('/psc/appointment/book'));
const history = async (seeded: Bookable) => (await readHistory(table.db, table.tableName, seeded.followUpId, now)).map((entry) => entry.action);

describe('book (CONTRACT §14)', () => {
  it("books the slot once, snoozes until its start plus the grace, keeps Junction's appointment on the redraw order, and sends the key and no-cache", async () => {
    const setup = await setUp();
    const [slot] = await freeSlots(standin(), setup.redrawId, 1);
    const booked = await setup.run(bookBody(slot!, { owner: 'team.outreach' }));
    expect(booked.statusCode).toBe(200);
    const followUp = booked.json.follow_up!;
    const start = canonicalFromDate(new Date(slot!.slot_start));
    expect(followUp).toMatchObject({ state: 'snoozed', snooze_reason: 'appointment_booked', owner: 'team.outreach', snoozed_until: canonicalFromDate(new Date(Date.parse(slot!.slot_start) + 48 * 3_600_000)), version: 2 });
    expect(followUp.acknowledged_at).not.toBeNull();
    expect(followUp.booking).toMatchObject({ site_code: slot!.site_code, start_at: start, status: 'confirmed', booked_by: 'sam.c', booked_with: 'junction', key_hash: bookingKeyHash(slot!.booking_key), attempt: null, unknown_since: null, seq: 1 });
    const [call] = bookCalls(setup.sent);
    expect(call).toMatchObject({ method: 'POST', idempotencyKey: `${setup.followUpId}:0:${bookingKeyHash(slot!.booking_key)}`, idempotencyError: 'no-cache', body: { booking_key: slot!.booking_key } });
    expect(await getAppointment(table.db, table.tableName, setup.redrawId)).toMatchObject({ id: followUp.booking!.appointment_id, start_at: start, status: 'confirmed' });
    const entries = await readHistory(table.db, table.tableName, setup.followUpId, now);
    expect(entries.at(-1)).toMatchObject({ action: 'book', actor: 'sam.c', from_state: 'new', to_state: 'snoozed', appointment_id: followUp.booking!.appointment_id, site_code: slot!.site_code, start_at: start, booked_with: 'junction', appointment_status: 'confirmed', reason: 'appointment_booked', owner: 'team.outreach' });
    expect((await standin().bookings()).filter((change) => change.orderId === setup.redrawId)).toHaveLength(1);
  });

  it('answers a double click and a retry with 200 and the follow-up as it is, whatever its expected_version, and another slot with 409 already_booked, without a second call', async () => {
    const setup = await setUp();
    const [slot, other] = await freeSlots(standin(), setup.redrawId, 2);
    const first = await setup.run(bookBody(slot!, { expected_version: 1 }));
    expect(first.statusCode).toBe(200);
    const again = await setup.run(bookBody(slot!, { expected_version: 1 }), 'kim.w');
    expect(again).toMatchObject({ statusCode: 200, json: { follow_up: { version: first.json.follow_up!.version } } });
    const elsewhere = await setup.run(bookBody(other!));
    expect(elsewhere).toMatchObject({ statusCode: 409, json: { error: { code: 'already_booked', message: expect.stringContaining('reschedule_booking') } } });
    expect(bookCalls(setup.sent)).toHaveLength(1);
    expect(await history(setup)).toEqual(['open', 'book']);
  });

  it('is 409 booking_in_progress for another booking while one is being made, and 200 for the same one', async () => {
    const setup = await setUp();
    const [slot, other] = await freeSlots(standin(), setup.redrawId, 2);
    await standin().injectFault({ kind: 'delay', delayMs: 800, endpoint: 'psc_book' });
    const slow = setup.run(bookBody(slot!));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const meanwhile = await setup.run(bookBody(other!), 'kim.w');
    expect(meanwhile).toMatchObject({ statusCode: 409, json: { error: { code: 'booking_in_progress', message: expect.stringContaining('someone is booking this redraw now') } } });
    expect(meanwhile.json.follow_up!.booking).toMatchObject({ attempt: { kind: 'book', by: 'sam.c' } });
    const same = await setup.run(bookBody(slot!));
    expect(same.statusCode).toBe(200);
    expect((await slow).statusCode).toBe(200);
    expect(bookCalls(setup.sent)).toHaveLength(1);
  });

  it("books once when Quest's 500 hides a booking that was made: the retry reads Junction's appointment first and records it", async () => {
    const setup = await setUp();
    const [slot, other] = await freeSlots(standin(), setup.redrawId, 2);
    await standin().setPsc({ questConfirm: 'booked_anyway' });
    const unknown = await setup.run(bookBody(slot!));
    expect(unknown).toMatchObject({ statusCode: 502, json: { error: { code: 'junction_unavailable', message: 'Nothing was booked that the tracker knows of; trying again books at most once' } } });
    expect(unknown.json.follow_up).toMatchObject({ state: 'new', version: 1, booking: { attempt: { kind: 'book', slot_start: canonicalFromDate(new Date(slot!.slot_start)) }, seq: 0 } });
    expect(unknown.json.follow_up!.booking!.unknown_since).toBe(unknown.json.follow_up!.booking!.attempt && (unknown.json.follow_up!.booking!.attempt as { at: string }).at);
    expect(setup.metrics).toContainEqual({ name: 'BookingUnknownOutcomes', value: 1 });
    await standin().setPsc({ questConfirm: 'yes' });
    // Within the minute, another slot is someone booking now.
    expect((await setup.run(bookBody(other!), 'kim.w')).json.error?.code).toBe('booking_in_progress');
    later(61_000);
    // After it, another slot reads first: the unknown attempt booked, so the redraw is booked already.
    const elsewhere = await setup.run(bookBody(other!), 'kim.w');
    expect(elsewhere).toMatchObject({ statusCode: 409, json: { error: { code: 'already_booked' } } });
    const retried = await setup.run(bookBody(slot!));
    expect(retried).toMatchObject({ statusCode: 200, json: { follow_up: { state: 'snoozed', booking: { booked_by: 'sam.c', attempt: null, unknown_since: null, seq: 1 } } } });
    expect(bookCalls(setup.sent)).toHaveLength(1);
    expect(setup.sent.filter((call) => call.method === 'GET' && call.path.endsWith('/psc/appointment'))).toHaveLength(1);
    expect((await standin().bookings()).filter((change) => change.orderId === setup.redrawId)).toHaveLength(1);
    expect(await history(setup)).toEqual(['open', 'book']);
  });

  it('sends the same idempotency key again after a 500 that booked nothing, once the read finds nothing', async () => {
    const setup = await setUp();
    const [slot] = await freeSlots(standin(), setup.redrawId, 1);
    await standin().injectFault({ kind: 'status', status: 503, retryAfter: '7', endpoint: 'psc_book' });
    const failed = await setup.run(bookBody(slot!));
    expect(failed).toMatchObject({ statusCode: 502, headers: { 'retry-after': '7' } });
    later(61_000);
    expect((await setup.run(bookBody(slot!))).statusCode).toBe(200);
    const calls = bookCalls(setup.sent);
    expect(calls.map((call) => call.idempotencyKey)).toEqual([`${setup.followUpId}:0:${bookingKeyHash(slot!.booking_key)}`, `${setup.followUpId}:0:${bookingKeyHash(slot!.booking_key)}`]);
    expect((await standin().bookings()).filter((change) => change.orderId === setup.redrawId)).toHaveLength(1);
  });

  it("keeps a call that passed the client's bound as an unknown outcome, and its function's end bounds the call", async () => {
    const setup = await setUp({ timeoutMs: 400 });
    const [slot] = await freeSlots(standin(), setup.redrawId, 1);
    await standin().injectFault({ kind: 'delay', delayMs: 1_500, endpoint: 'psc_book' });
    const hung = await setup.run(bookBody(slot!));
    expect(hung).toMatchObject({ statusCode: 502, json: { error: { code: 'junction_unavailable' }, follow_up: { booking: { attempt: { kind: 'book' } } } } });
    // Too little time left in the function: nothing is sent, nothing is unknown.
    const other = await setUp();
    const [otherSlot] = await freeSlots(standin(), other.redrawId, 1);
    const late = await other.run(bookBody(otherSlot!), 'sam.c', 2_500);
    expect(late).toMatchObject({ statusCode: 502, json: { error: { message: expect.stringMatching(/^Junction was not asked/) }, follow_up: { booking: { attempt: null, seq: 0 } } } });
    expect(bookCalls(other.sent)).toEqual([]);
  });

  it("answers Junction's refusals in words and settles the attempt: a slot just taken, an order not in a state to book, no key, another lab", async () => {
    const setup = await setUp();
    const [slot] = await freeSlots(standin(), setup.redrawId, 1);
    await standin().markNotBookable(setup.redrawId);
    const refused = await setup.run(bookBody(slot!));
    expect(refused).toMatchObject({ statusCode: 409, json: { error: { code: 'not_bookable', message: expect.stringContaining("check the order in Junction's dashboard") }, follow_up: { booking: { attempt: null, seq: 1 } } } });
    await standin().markNotBookable(setup.redrawId, false);
    const noKey = await setUp({ withKey: false });
    const [noKeySlot] = await freeSlots(standin(), noKey.redrawId, 1);
    expect(await noKey.run(bookBody(noKeySlot!))).toMatchObject({ statusCode: 409, json: { error: { code: 'not_bookable', message: expect.stringMatching(/^Junction's API key is not set/) } } });
    const labcorp = await setUp({ lab: 'labcorp' });
    expect(await labcorp.run(bookBody(slot!))).toMatchObject({ statusCode: 409, json: { error: { code: 'not_bookable', message: 'labcorp PSCs are booked with the lab: call the PSC, then record the booking' } } });
    expect(bookCalls([...noKey.sent, ...labcorp.sent])).toEqual([]);
  });

  it("answers a slot another booking took as 409 slot_unavailable, and the next booking goes with the next key", async () => {
    const setup = await setUp();
    const rival = await setUp();
    const [slot, next] = await freeSlots(standin(), setup.redrawId, 2);
    // Rival books the very slot (booking keys name a site and time; the stand-in's are not per order).
    expect((await rival.run(bookBody(slot!))).statusCode).toBe(200);
    const taken = await setup.run(bookBody(slot!));
    expect(taken).toMatchObject({ statusCode: 409, json: { error: { code: 'slot_unavailable', message: 'That time was just taken: choose another' }, follow_up: { booking: { attempt: null, seq: 1 } } } });
    expect((await setup.run(bookBody(next!))).statusCode).toBe(200);
    expect(bookCalls(setup.sent).map((call) => call.idempotencyKey!.split(':')[1])).toEqual(['0', '1']);
  });

  it('records a booking once after the function stopped between the claim and the answer: the next try reads it', async () => {
    const setup = await setUp();
    const [slot] = await freeSlots(standin(), setup.redrawId, 1);
    const dying = dyingTable(table.db);
    // The process dies as Junction receives its call: Junction books, the tracker never hears.
    const { psc } = recordingPsc(standin(), { onSend: (call) => call.path.endsWith('/book') && dying.kill() });
    void act(bookingActions({ db: dying.db, tableName: table.tableName }, { psc, now: clock }), setup.followUpId, bookBody(slot!));
    for (let waited = 0; (await standin().bookings()).every((change) => change.orderId !== setup.redrawId); waited += 20) {
      if (waited > 5_000) throw new Error('Junction never booked');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await dying.landed();
    const left = await getFollowUp(table.db, table.tableName, setup.followUpId, now);
    expect(left?.followUp).toMatchObject({ state: 'new', version: 1, booking: { attempt: { kind: 'book' }, unknown_since: expect.any(String) } });
    later(61_000);
    expect(await setup.run(bookBody(slot!))).toMatchObject({ statusCode: 200, json: { follow_up: { state: 'snoozed', booking: { booked_by: 'sam.c', attempt: null } } } });
    expect(bookCalls(setup.sent)).toEqual([]);
    expect((await standin().bookings()).filter((change) => change.orderId === setup.redrawId)).toHaveLength(1);
    expect(await history(setup)).toEqual(['open', 'book']);
  });

  it("keeps a person's action that raced the write after Junction booked, and the booking", async () => {
    const setup = await setUp();
    const [slot] = await freeSlots(standin(), setup.redrawId, 1);
    await standin().injectFault({ kind: 'delay', delayMs: 800, endpoint: 'psc_book' });
    const booking = setup.run(bookBody(slot!));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const contact = await actOnFollowUp(table.db, table.tableName, { id: setup.followUpId, body: { action: 'record_contact', channel: 'phone', outcome: 'reached' }, actor: 'kim.w', now, thresholds: DEFAULT_THRESHOLDS });
    expect(contact.kind).toBe('changed');
    expect(await booking).toMatchObject({ statusCode: 200, json: { follow_up: { state: 'snoozed', contact_attempts: 1, booking: { status: 'confirmed', attempt: null } } } });
    expect(await history(setup)).toEqual(['open', 'record_contact', 'book']);
  });

  it('writes the booking onto a follow-up closed meanwhile, which stays closed, and says so', async () => {
    const setup = await setUp();
    const [slot] = await freeSlots(standin(), setup.redrawId, 1);
    await standin().injectFault({ kind: 'delay', delayMs: 800, endpoint: 'psc_book' });
    const booking = setup.run(bookBody(slot!));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const closed = await actOnFollowUp(table.db, table.tableName, { id: setup.followUpId, body: { action: 'close', disposition: 'tested_elsewhere' }, actor: 'kim.w', now, thresholds: DEFAULT_THRESHOLDS });
    expect(closed.kind).toBe('changed');
    const answer = await booking;
    expect(answer).toMatchObject({ statusCode: 200, json: { message: 'Booked; kim.w closed the follow-up meanwhile', follow_up: { state: 'closed', booking: { status: 'confirmed', attempt: null } } } });
    expect(await history(setup)).toEqual(['open', 'close', 'book']);
  });
});

describe('reschedule_booking and cancel_booking (CONTRACT §14)', () => {
  it('moves the booking and its snooze, then cancels it and ends the snooze; without a booking both are 409 invalid_transition', async () => {
    const setup = await setUp();
    const [slot, other] = await freeSlots(standin(), setup.redrawId, 2);
    expect(await setup.run({ action: 'cancel_booking', cancellation_reason_id: CANCEL_REASON })).toMatchObject({ statusCode: 409, json: { error: { code: 'invalid_transition' } } });
    expect(await setup.run(rescheduleBody(slot!))).toMatchObject({ statusCode: 409, json: { error: { code: 'invalid_transition' } } });
    const booked = (await setup.run(bookBody(slot!))).json.follow_up!;
    const moved = await setup.run(rescheduleBody(other!));
    const to = canonicalFromDate(new Date(other!.slot_start));
    expect(moved).toMatchObject({ statusCode: 200, json: { follow_up: { state: 'snoozed', snoozed_until: canonicalFromDate(new Date(Date.parse(other!.slot_start) + 48 * 3_600_000)), booking: { start_at: to, site_code: other!.site_code, key_hash: bookingKeyHash(other!.booking_key), seq: 2 } } } });
    const entries = await readHistory(table.db, table.tableName, setup.followUpId, now);
    expect(entries.at(-1)).toMatchObject({ action: 'reschedule_booking', from: { start_at: booked.booking!.start_at, site_code: slot!.site_code }, to: { start_at: to, site_code: other!.site_code } });
    expect(await getAppointment(table.db, table.tableName, setup.redrawId)).toMatchObject({ start_at: to });
    expect(await setup.run({ action: 'cancel_booking' })).toMatchObject({ statusCode: 400, json: { error: { message: expect.stringMatching(/^cancellation_reason_id is required/) } } });
    // A reason Junction does not know: 400 naming it, nothing cancelled (Junction answered: seq moves on).
    expect(await setup.run({ action: 'cancel_booking', cancellation_reason_id: '8f1cb7e2-9a0e-4c43-9a55-2c6e1f1f3a10' })).toMatchObject({ statusCode: 400, json: { error: { code: 'invalid_request', message: expect.stringMatching(/^Junction refused the cancellation reason/) } } });
    const cancelled = await setup.run({ action: 'cancel_booking', cancellation_reason_id: CANCEL_REASON });
    expect(cancelled).toMatchObject({ statusCode: 200, json: { follow_up: { state: 'acknowledged', snoozed_until: null, booking: { status: 'cancelled', seq: 4 } } } });
    expect((await readHistory(table.db, table.tableName, setup.followUpId, now)).at(-1)).toMatchObject({ action: 'cancel_booking', cancellation_reason_id: CANCEL_REASON, to_state: 'acknowledged' });
    const cancel = setup.sent.findLast((call) => call.path.endsWith('/psc/appointment/cancel'));
    expect(cancel).toMatchObject({ method: 'PATCH', body: { cancellationReasonId: CANCEL_REASON, cancellation_reason_id: CANCEL_REASON } });
    expect(await setup.run({ action: 'cancel_booking', cancellation_reason_id: CANCEL_REASON })).toMatchObject({ statusCode: 409, json: { error: { code: 'invalid_transition' } } });
    // A reason's name is about the patient: the record keeps its id only.
    const kept = JSON.stringify([await scanLocalTable(localEndpoint(), table.tableName), setup.logs]);
    expect(kept).toContain(CANCEL_REASON);
    expect(kept).not.toContain('Schedule conflict');
  });
});

describe('record_booking (CONTRACT §14)', () => {
  it('records a booking made with the lab, replaces it, refuses it beside a Junction booking, and cancels it without a call', async () => {
    const setup = await setUp({ lab: 'labcorp' });
    const start = canonicalFromDate(new Date(now.getTime() + 5 * 86_400_000));
    const recorded = await setup.run({ action: 'record_booking', start_at: start, site_code: 'LC-77' });
    expect(recorded).toMatchObject({ statusCode: 200, json: { follow_up: { state: 'snoozed', snooze_reason: 'appointment_booked', booking: { booked_with: 'lab', status: 'recorded', start_at: start, site_code: 'LC-77', booked_by: 'sam.c', appointment_id: null } } } });
    const moved = canonicalFromDate(new Date(now.getTime() + 6 * 86_400_000));
    expect((await setup.run({ action: 'record_booking', start_at: moved })).json.follow_up!.booking).toMatchObject({ start_at: moved, site_code: null });
    const entries = await readHistory(table.db, table.tableName, setup.followUpId, now);
    expect(entries.at(-1)).toMatchObject({ action: 'record_booking', from: { start_at: start, site_code: 'LC-77' }, to: { start_at: moved, site_code: null }, booked_with: 'lab' });
    expect(await setup.run({ action: 'record_booking', start_at: canonicalFromDate(new Date(now.getTime() - 1000)) })).toMatchObject({ statusCode: 400, json: { error: { message: 'start_at must be in the future' } } });
    expect(await setup.run({ action: 'cancel_booking', cancellation_reason_id: CANCEL_REASON })).toMatchObject({ statusCode: 400 });
    expect(await setup.run({ action: 'cancel_booking' })).toMatchObject({ statusCode: 200, json: { follow_up: { state: 'acknowledged', booking: { status: 'cancelled' } } } });
    expect(setup.sent).toEqual([]);
    // Beside an active Junction booking: 409 already_booked.
    const quest = await setUp();
    const [slot] = await freeSlots(standin(), quest.redrawId, 1);
    expect((await quest.run(bookBody(slot!))).statusCode).toBe(200);
    expect(await quest.run({ action: 'record_booking', start_at: start })).toMatchObject({ statusCode: 409, json: { error: { code: 'already_booked' } } });
  });
});

describe('what a booking keeps (CONTRACT §14)', () => {
  it("keeps nothing of the patient's: no address, no notes, no site's name in the table or the logs", async () => {
    const setup = await setUp();
    const [slot] = await freeSlots(standin(), setup.redrawId, 1);
    expect((await setup.run(bookBody(slot!))).statusCode).toBe(200);
    const appointment = await fetch(`${standin().url}/v3/order/${setup.redrawId}/psc/appointment`, { headers: { 'x-vital-api-key': standin().apiKey } }).then((response) => response.json() as Promise<Record<string, unknown>>);
    const address = JSON.stringify(appointment.address ?? appointment.location ?? '');
    expect(address.length).toBeGreaterThan(10);
    const stored = JSON.stringify(await scanLocalTable(localEndpoint(), table.tableName));
    const logged = JSON.stringify(setup.logs);
    for (const text of [stored, logged]) {
      expect(text).not.toContain(PHI_CANARY);
      expect(text).not.toContain(slot!.booking_key);
    }
    const location = appointment.location as { name?: string; address?: { first_line?: string } } | undefined;
    for (const words of [location?.name, location?.address?.first_line].filter((value): value is string => typeof value === 'string')) {
      expect(stored).not.toContain(words);
      expect(logged).not.toContain(words);
    }
  });
});
