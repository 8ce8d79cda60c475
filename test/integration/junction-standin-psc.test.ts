/**
 * The local Junction stand-in's PSC scheduling routes (CONTRACT §14 "Locally"),
 * driven through the tracker's own client (functions/junction/psc.ts) and read
 * with the tracker's own rules (functions/core/booking): sites per order, slots
 * in each site's zone, booking that takes a slot, Quest's answer to a slot taken,
 * idempotency keys, async confirmation, Quest not confirming, reschedule and
 * cancel, an order not bookable, and faults on the new endpoints.
 */
import { describe, expect, it } from 'vitest';
import { bookingRefusal } from '../../functions/core/booking/answers';
import { sitesAnswer } from '../../functions/core/booking/sites';
import { slotsAnswer } from '../../functions/core/booking/slots';
import { createPscClient, type PscApi, type PscOutcome } from '../../functions/junction/psc';
import { connectStandin } from '../../local/junction-standin';
import { wallClock } from '../../local/junction-standin/psc-slots';
import { freshId } from '../support/junction';
import { callStandin, putPscOrder, useJunctionStandin } from '../support/junction-standin';

const standin = useJunctionStandin();
const client = (timeoutMs?: number): PscApi => createPscClient({ baseUrl: standin().url, apiKey: standin().apiKey, ...(timeoutMs === undefined ? {} : { timeoutMs }) });

function ok<T>(outcome: PscOutcome<T>): T {
  if (outcome.kind !== 'ok') throw new Error(`expected an answer, got ${JSON.stringify(outcome)}`);
  return outcome.value;
}

/** An order's sites that book here, and (per site) its slots as the tracker reads them. */
async function hereSlots(orderId: string) {
  const psc = client();
  const sites = ok(await psc.sites(orderId, 100)).patient_service_centers;
  const codes = sites.filter((site) => site.capabilities.includes('appointment_scheduling_via_junction')).map((site) => site.site_code);
  const raw = ok(await psc.slots({ lab: 'quest', siteCodes: codes, allowStale: false }));
  return { codes, raw, answer: slotsAnswer(raw, codes, false) };
}

/** The first free slot of the order's nearest site that books here, with its site's code. */
async function firstSlot(orderId: string) {
  const { answer } = await hereSlots(orderId);
  const site = answer.sites.find((candidate) => candidate.days.length > 0)!;
  return { site_code: site.site_code, ...site.days[0]!.slots[0]! };
}

/** An instant as the tracker reads it (six decimals) and as the stand-in answered it (three) name the same moment. */
const instant = (value: string | null | undefined) => (value ? new Date(value).toISOString() : value);

const book = (orderId: string, bookingKey: string, idempotencyKey = freshId(), asyncConfirmation = false) => client().book(orderId, { bookingKey, idempotencyKey, asyncConfirmation });

describe('sites (GET /v3/order/{id}/psc/info)', () => {
  it('gives each order its own sites, the same every time, within the radius asked, some booked here and some with the lab', async () => {
    const orderId = await putPscOrder(standin());
    const psc = client();
    const wide = ok(await psc.sites(orderId, 100));
    expect(ok(await psc.sites(orderId, 100))).toEqual(wide);
    expect(wide.slug).toBe('quest');
    const near = ok(await psc.sites(orderId, 10)).patient_service_centers;
    expect(near.length).toBeGreaterThan(0);
    expect(near.length).toBeLessThan(wide.patient_service_centers.length);
    expect(near.every((site) => site.distance <= 10)).toBe(true);
    expect(ok(await psc.sites(orderId, 25)).patient_service_centers.every((site) => site.distance <= 25)).toBe(true);
    const answered = sitesAnswer(wide.patient_service_centers);
    expect(answered.map((site) => site.book)).toEqual(expect.arrayContaining(['here', 'with_lab']));
    // Nearest first, `here` before the others at the same distance.
    expect(answered.map((site) => site.distance_miles)).toEqual([...answered.map((site) => site.distance_miles)].sort((a, b) => a - b));
    const tie = answered.findIndex((site, index) => index > 0 && site.distance_miles === answered[index - 1]!.distance_miles);
    expect(tie).toBeGreaterThan(0);
    expect([answered[tie - 1]!.book, answered[tie]!.book]).toEqual(['here', 'with_lab']);
    expect(ok(await psc.sites(await putPscOrder(standin()), 100))).not.toEqual(wide);
  });

  it('names the order\'s lab, shows a site with neither capability now and then, and refuses an order it does not know', async () => {
    const sonora = await putPscOrder(standin(), 'sonora_quest');
    expect(ok(await client().sites(sonora, 25)).slug).toBe('sonora_quest');
    // Fixed order ids: which orders show such a site is the same on every run.
    const ids = Array.from({ length: 12 }, (_, index) => `00000000-0000-4000-8000-${String(index + 1).padStart(12, '0')}`);
    const bookings = await Promise.all(ids.map(async (id) => sitesAnswer(ok(await client().sites(await putPscOrder(standin(), 'quest', id), 100)).patient_service_centers)));
    const withUnknown = bookings.filter((sites) => sites.some((site) => site.book === 'unknown')).length;
    expect(withUnknown).toBeGreaterThan(0);
    expect(withUnknown).toBeLessThan(12);
    expect(await client().sites(freshId(), 25)).toEqual({ kind: 'refused', status: 404, detail: 'Order not found', field: null });
  });
});

describe('slots (POST /v3/order/psc/appointment/availability)', () => {
  it('answers 14 days of slots in UTC, 07:00 to 11:00 in each site\'s own zone, with keys that expire in minutes', async () => {
    const before = Date.now();
    const orderId = await putPscOrder(standin());
    const { raw, answer } = await hereSlots(orderId);
    expect(raw.timezone).toBeNull();
    const zones = new Set<string>();
    for (const day of raw.slots) {
      if (!day.location?.iana_timezone) continue;
      zones.add(day.location.iana_timezone);
      for (const slot of day.slots) {
        const local = wallClock(Date.parse(slot.start), day.location.iana_timezone);
        expect(local.date).toBe(day.date);
        expect(local.minute).toBeGreaterThanOrEqual(7 * 60);
        expect(local.minute).toBeLessThan(11 * 60);
        expect(local.weekday).not.toBe('Sun');
      }
    }
    expect(zones.size).toBeGreaterThan(1);
    const slots = answer.sites.flatMap((site) => site.days.flatMap((day) => day.slots));
    expect(slots.length).toBeGreaterThan(50);
    for (const slot of slots) {
      expect(slot.start).toMatch(/Z$/);
      expect(Date.parse(slot.start)).toBeGreaterThan(before);
      expect(Date.parse(slot.start)).toBeLessThan(before + 16 * 86_400_000);
      expect(Date.parse(slot.end) - Date.parse(slot.start)).toBe(15 * 60_000);
      expect(Date.parse(slot.expires_at!) - before).toBeGreaterThanOrEqual(9 * 60_000);
      expect(Date.parse(slot.expires_at!) - before).toBeLessThanOrEqual(11 * 60_000);
      expect(slot.booking_key.length).toBeGreaterThan(100);
    }
  });

  it('gives a location without a zone, and a day without a location (left out among several sites, kept for one)', async () => {
    const orderId = await putPscOrder(standin());
    const { codes, raw, answer } = await hereSlots(orderId);
    expect(answer.sites.filter((site) => site.days.length > 0 && site.iana_timezone === null)).toHaveLength(1);
    expect(answer.days_left_out).toBeGreaterThan(0);
    const orphan = raw.slots.find((day) => day.location === null)!;
    const kept = [];
    for (const code of codes) {
      const alone = ok(await client().slots({ lab: 'quest', siteCodes: [code], allowStale: true }));
      if (!alone.slots.some((day) => day.location === null)) continue;
      const read = slotsAnswer(alone, [code], true);
      expect(read.days_left_out).toBe(0);
      expect(read.sites[0]!.days.map((day) => day.date)).toContain(orphan.date);
      expect(read.sites[0]!.days.flatMap((day) => day.slots).every((slot) => !slot.bookable)).toBe(true);
      kept.push(code);
    }
    expect(kept).toHaveLength(1);
  });

  it('gives sites that book with the lab no days: only those asked is 404 "No slots found", a start date is honoured', async () => {
    const orderId = await putPscOrder(standin());
    const sites = ok(await client().sites(orderId, 100)).patient_service_centers;
    const withLab = sites.filter((site) => !site.capabilities.includes('appointment_scheduling_via_junction')).map((site) => site.site_code);
    const answer = await client().slots({ lab: 'quest', siteCodes: withLab, allowStale: false });
    expect(answer).toMatchObject({ kind: 'refused', status: 404, detail: expect.stringMatching(/^No slots found\. Not all PSCs support scheduling/) });
    const here = sites.find((site) => site.capabilities.includes('appointment_scheduling_via_junction'))!.site_code;
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const days = ok(await client().slots({ lab: 'quest', siteCodes: [here], startDate: later, allowStale: false })).slots.map((day) => day.date);
    expect(days.every((date) => date >= later)).toBe(true);
    expect(days.length).toBeGreaterThan(0);
  });
});

describe('book (POST /v3/order/{id}/psc/appointment/book)', () => {
  it('books a slot as the order\'s active appointment and takes it: a second booking of it is 404, as Quest answers', async () => {
    const orderId = await putPscOrder(standin());
    const slot = await firstSlot(orderId);
    const appointment = ok(await book(orderId, slot.booking_key));
    expect(appointment).toMatchObject({ order_id: orderId, status: 'confirmed', type: 'patient_service_center', provider: 'quest' });
    expect(instant(appointment.start_at)).toBe(instant(slot.start));
    expect(ok(await client().activeAppointment(orderId))).toEqual(appointment);
    const site = (await hereSlots(orderId)).answer.sites.find((candidate) => candidate.site_code === slot.site_code)!;
    const stillOffered = site.days.flatMap((day) => day.slots).some((other) => other.start === slot.start);
    expect(site.days.length).toBeGreaterThan(0);
    expect(stillOffered).toBe(false);
    const other = await putPscOrder(standin());
    const taken = await book(other, slot.booking_key);
    expect(taken).toEqual({ kind: 'refused', status: 404, detail: 'Requested appointment time is not available', field: null });
    expect(bookingRefusal(taken as Exclude<typeof taken, { kind: 'ok' }>, 'book')).toMatchObject({ code: 'slot_unavailable' });
    expect(await client().activeAppointment(other)).toEqual({ kind: 'ok', value: null, date: null });
    expect((await standin().bookings()).map((entry) => [entry.kind, entry.orderId])).toEqual([['book', orderId]]);
  });

  it('answers a slot taken with 400 under --slot-conflict 400 (the sandbox), and refuses a second active appointment', async () => {
    await standin().setPsc({ slotConflict: 400 });
    const orderId = await putPscOrder(standin());
    const { answer } = await hereSlots(orderId);
    const [first, second] = answer.sites.find((site) => site.days.length > 0)!.days[0]!.slots;
    ok(await book(orderId, first!.booking_key));
    expect(await book(await putPscOrder(standin()), first!.booking_key)).toMatchObject({ kind: 'refused', status: 400, detail: 'Requested appointment time is not available' });
    expect(await book(orderId, second!.booking_key)).toMatchObject({ kind: 'refused', status: 400, detail: expect.stringMatching(/already has an active appointment/) });
    await standin().reset();
    const again = await putPscOrder(standin());
    const slot = await firstSlot(again);
    ok(await book(again, slot.booking_key));
    expect(await book(await putPscOrder(standin()), slot.booking_key)).toMatchObject({ status: 404 });
  });

  it('refuses a key it did not make, an expired one, an order marked not bookable and one it does not know, in Junction\'s words', async () => {
    const orderId = await putPscOrder(standin());
    const slot = await firstSlot(orderId);
    expect(await book(orderId, `${slot.booking_key.slice(0, -4)}AAAA`)).toMatchObject({ status: 400, detail: 'Invalid booking key format' });
    expect(await book(orderId, 'not-a-key')).toMatchObject({ status: 400, detail: 'Invalid booking key format' });
    await standin().markNotBookable(orderId);
    const refused = await book(orderId, slot.booking_key);
    expect(refused).toMatchObject({ status: 400, detail: 'Order is not in a state that allows booking. Please contact support.' });
    expect(bookingRefusal(refused as Exclude<typeof refused, { kind: 'ok' }>, 'book')).toMatchObject({ code: 'not_bookable' });
    await standin().markNotBookable(orderId, false);
    expect(await book(freshId(), slot.booking_key)).toMatchObject({ status: 404, detail: 'Order not found' });
    await standin().setPsc({ keyTtlMs: 0 });
    const expired = await firstSlot(orderId);
    expect(await book(orderId, expired.booking_key)).toMatchObject({ status: 400, detail: 'This appointment slot is no longer available. Please select a new time.' });
    expect(await standin().bookings()).toEqual([]);
  });
});

describe('idempotency keys', () => {
  it('answers the same key with the first answer, frozen, booking once; with --idempotency off each call answers as things are', async () => {
    const [a, b] = [await putPscOrder(standin()), await putPscOrder(standin())];
    const { answer } = await hereSlots(a);
    const [first, second] = answer.sites.find((site) => site.days.length > 0)!.days[0]!.slots;
    const key = `follow-up:0:${freshId()}`;
    const booked = ok(await book(a, first!.booking_key, key));
    expect(ok(await book(a, first!.booking_key, key))).toEqual(booked);
    // Another request under the same key: still the first answer (Junction's key names the request, whatever it carries).
    expect(ok(await book(b, second!.booking_key, key))).toEqual(booked);
    expect(await standin().bookings()).toHaveLength(1);

    await standin().setPsc({ idempotency: 'off' });
    expect(await book(a, first!.booking_key, key)).toMatchObject({ kind: 'refused', status: 404 });
    const rebooked = ok(await book(b, second!.booking_key, key));
    expect([rebooked.order_id, instant(rebooked.start_at)]).toEqual([b, instant(second!.start)]);
    expect((await standin().bookings()).map((entry) => entry.orderId)).toEqual([a, b]);
  });

  it('keeps no error under x-idempotency-error: no-cache (the client sends it), and freezes errors without it', async () => {
    const orderId = await putPscOrder(standin());
    const slot = await firstSlot(orderId);
    const key = freshId();
    expect(await book(orderId, 'not-a-key', key)).toMatchObject({ status: 400 });
    expect(instant(ok(await book(orderId, slot.booking_key, key)).start_at)).toBe(instant(slot.start));

    const other = await putPscOrder(standin());
    const next = await firstSlot(other);
    const frozen = freshId();
    const path = `/v3/order/${other}/psc/appointment/book`;
    expect(await callStandin(standin(), 'POST', path, { booking_key: 'not-a-key' }, { 'x-idempotency-key': frozen })).toEqual({ status: 400, body: { detail: 'Invalid booking key format' } });
    expect(await callStandin(standin(), 'POST', path, { booking_key: next.booking_key }, { 'x-idempotency-key': frozen })).toEqual({ status: 400, body: { detail: 'Invalid booking key format' } });
    expect((await callStandin(standin(), 'POST', path, { booking_key: next.booking_key }, { 'x-idempotency-key': freshId() })).status).toBe(200);
  });
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('confirmation by Quest', () => {
  it('answers async_confirmation with a pending appointment that Quest confirms after the delay (or at once, by control)', async () => {
    await standin().setPsc({ confirmDelayMs: 150 });
    const orderId = await putPscOrder(standin());
    const pending = ok(await book(orderId, (await firstSlot(orderId)).booking_key, freshId(), true));
    expect(pending.status).toBe('pending');
    await until(async () => ok(await client().activeAppointment(orderId))?.status === 'confirmed', 'the confirmation');
    const confirmed = ok(await client().activeAppointment(orderId))!;
    expect(confirmed).toMatchObject({ id: pending.id, start_at: pending.start_at });
    expect(confirmed.events).toHaveLength(2);
    const raw = await callStandin(standin(), 'GET', `/v3/order/${orderId}/psc/appointment`);
    expect((raw.body as { events: { status: string }[] }).events.map((event) => event.status)).toEqual(['pending', 'scheduled']);

    await standin().setPsc({ confirmDelayMs: 60_000 });
    const other = await putPscOrder(standin());
    ok(await book(other, (await firstSlot(other)).booking_key, freshId(), true));
    expect(await standin().confirmPending(other)).toBe(true);
    expect(ok(await client().activeAppointment(other))).toMatchObject({ status: 'confirmed' });
    expect(await standin().confirmPending(other)).toBe(false);
  });

  it('answers 500 and books nothing when Quest does not confirm; async, pending then cancelled and the slot freed', async () => {
    await standin().setPsc({ questConfirm: 'no', confirmDelayMs: 60_000 });
    const orderId = await putPscOrder(standin());
    const slot = await firstSlot(orderId);
    expect(await book(orderId, slot.booking_key)).toMatchObject({ kind: 'unavailable', reason: 'status 500', sent: true });
    expect(ok(await client().activeAppointment(orderId))).toBeNull();
    expect(await standin().bookings()).toEqual([]);
    ok(await book(orderId, slot.booking_key, freshId(), true));
    expect(await book(await putPscOrder(standin()), slot.booking_key)).toMatchObject({ status: 404 });
    expect(await standin().cancelPending(orderId)).toBe(true);
    expect(ok(await client().activeAppointment(orderId))).toMatchObject({ status: 'cancelled' });
    expect(ok(await book(await putPscOrder(standin()), slot.booking_key, freshId(), true))).toMatchObject({ status: 'pending' });
  });

  it('answers 500 after booking under booked_anyway: the appointment exists although Junction said it failed', async () => {
    await standin().setPsc({ questConfirm: 'booked_anyway' });
    const orderId = await putPscOrder(standin());
    const slot = await firstSlot(orderId);
    const outcome = await book(orderId, slot.booking_key);
    expect(outcome).toMatchObject({ kind: 'unavailable', reason: 'status 500', sent: true });
    expect(bookingRefusal(outcome as Exclude<typeof outcome, { kind: 'ok' }>, 'book')).toMatchObject({ status: 502, unknown: true });
    const exists = ok(await client().activeAppointment(orderId))!;
    expect([exists.status, instant(exists.start_at)]).toEqual(['confirmed', instant(slot.start)]);
    expect((await standin().bookings()).map((entry) => [entry.kind, entry.answered])).toEqual([['book', 500]]);
  });
});

describe('reschedule and cancel', () => {
  it('moves the active appointment (same id) to a free slot, freeing the old one; cancel frees it too', async () => {
    const orderId = await putPscOrder(standin());
    const { answer } = await hereSlots(orderId);
    const [first, second] = answer.sites.find((site) => site.days.length > 0)!.days[0]!.slots;
    const psc = client();
    expect(await psc.reschedule(orderId, { bookingKey: second!.booking_key, idempotencyKey: freshId() })).toMatchObject({ status: 404, detail: 'Appointment not found' });
    const booked = ok(await book(orderId, first!.booking_key));
    const moved = ok(await psc.reschedule(orderId, { bookingKey: second!.booking_key, idempotencyKey: freshId() }));
    expect([moved.id, instant(moved.start_at), moved.status]).toEqual([booked.id, instant(second!.start), 'confirmed']);
    const other = await putPscOrder(standin());
    expect(await book(other, second!.booking_key)).toMatchObject({ status: 404 });
    ok(await book(other, first!.booking_key));

    const reasons = ok(await psc.cancellationReasons());
    expect(reasons.length).toBeGreaterThanOrEqual(4);
    expect(reasons.length).toBeLessThanOrEqual(6);
    expect(reasons.map((reason) => reason.name)).toEqual(expect.arrayContaining(["I'm feeling sick", 'Schedule conflict']));
    expect(await psc.cancel(orderId, { reasonId: freshId(), idempotencyKey: freshId() })).toMatchObject({ status: 400, detail: 'Invalid cancellation reason' });
    const cancelled = ok(await psc.cancel(orderId, { reasonId: reasons[0]!.id, idempotencyKey: freshId() }));
    expect(cancelled).toMatchObject({ id: booked.id, status: 'cancelled' });
    expect(await psc.cancel(orderId, { reasonId: reasons[0]!.id, idempotencyKey: freshId() })).toMatchObject({ status: 404, detail: 'Appointment not found' });
    ok(await book(await putPscOrder(standin()), second!.booking_key));
    expect((await standin().bookings()).map((entry) => entry.kind)).toEqual(['book', 'reschedule', 'book', 'cancel', 'book']);
  });
});

describe('faults and control on the PSC endpoints', () => {
  it('plays status, delay and garbage faults on the new endpoints as on the others, each logged under its name', async () => {
    const orderId = await putPscOrder(standin());
    const slot = await firstSlot(orderId);
    await standin().clearRequests();
    await standin().injectFault({ kind: 'status', status: 503, retryAfter: '7', endpoint: 'psc_book' });
    expect(await book(orderId, slot.booking_key)).toEqual({ kind: 'unavailable', reason: 'status 503', retryAfter: '7', sent: true });
    expect(ok(await client().activeAppointment(orderId))).toBeNull();
    await standin().injectFault({ kind: 'delay', delayMs: 2_000, endpoint: 'psc_availability' });
    const hung = await client(300).slots({ lab: 'quest', siteCodes: ['PSC000000'], allowStale: false });
    expect(hung).toMatchObject({ kind: 'unavailable', sent: true });
    await standin().injectFault({ kind: 'not_an_order', endpoint: 'psc_info' });
    expect(await client().sites(orderId, 25)).toMatchObject({ kind: 'unavailable', reason: expect.stringMatching(/^answer unreadable/) });
    await standin().injectFault({ kind: 'status', status: 500, endpoint: 'psc_cancellation_reasons' });
    expect(await client().cancellationReasons()).toMatchObject({ kind: 'unavailable', reason: 'status 500' });
    const log = await standin().requests();
    expect(log.map((entry) => [entry.endpoint, entry.fault])).toEqual([
      ['psc_book', 'status'],
      ['appointment', null],
      ['psc_availability', 'delay'],
      ['psc_info', 'not_an_order'],
      ['psc_cancellation_reasons', 'status'],
    ]);
    expect((await callStandin(standin(), 'GET', `/v3/order/${orderId}/psc/appointment/book`)).status).toBe(405);
  });

  it('serves the PSC controls to another process, and reset() clears bookings, marks and settings', async () => {
    const remote = connectStandin(standin().url, standin().apiKey);
    const orderId = await putPscOrder(standin());
    const slot = await firstSlot(orderId);
    await remote.markNotBookable(orderId);
    expect(await book(orderId, slot.booking_key)).toMatchObject({ status: 400 });
    await remote.markNotBookable(orderId, false);
    await remote.setPsc({ confirmDelayMs: 60_000 });
    ok(await book(orderId, slot.booking_key, freshId(), true));
    expect(await remote.cancelPending(orderId)).toBe(true);
    expect(await remote.confirmPending(orderId)).toBe(false);
    expect((await remote.bookings()).map((entry) => entry.kind)).toEqual(['book', 'cancel']);
    await remote.setPsc({ slotConflict: 400 });
    await remote.reset();
    expect(await remote.bookings()).toEqual([]);
    const again = await putPscOrder(standin());
    const next = await firstSlot(again);
    ok(await book(again, next.booking_key));
    expect(await book(await putPscOrder(standin()), next.booking_key)).toMatchObject({ status: 404 });
  });
});
