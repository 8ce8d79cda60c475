/**
 * Book, reschedule and cancel at the Junction stand-in (local/junction-standin/psc.ts):
 * Junction's rules as its docs give them (DOMAIN "Booking a PSC appointment"),
 * over the stand-in's orders, their active appointments and the PSC state.
 *
 * - A booking key the stand-in did not make: 400 "Invalid booking key format";
 *   an expired key or a slot already begun: 400 "... no longer available ...";
 *   a slot taken by any appointment: Quest's own words, 404 (production) or 400
 *   (the sandbox), per the `slotConflict` setting.
 * - An order the stand-in does not know: 404 "Order not found"; one marked not
 *   bookable: 400 "Order is not in a state that allows booking...".
 * - One active appointment per order (pending, reserved or confirmed, its start
 *   ahead): a second booking is 400, as Junction refuses a patient two.
 * - Quest's confirmation per `questConfirm`; with `async_confirmation` the
 *   appointment is answered `pending` (always: the stand-in does not answer
 *   within the sync window), then confirmed (or cancelled) after `confirmDelayMs`.
 *
 * A reschedule keeps the appointment's id and moves its start (Junction's docs
 * do not say which; the same id lets a tracker follow one appointment).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { FLOW_USER_ID, PHI_CANARY } from '../junction/flows';
import { isRecord } from './http';
import type { StandinStore } from './orders';
import { siteAddress, siteOf, type StandinSite } from './psc-sites';
import { SLOT_MINUTES, type SlotRef } from './psc-slots';
import { PscState } from './psc-state';
import type { StandinAppointment } from './types';

export interface PscAnswer {
  status: number;
  body: unknown;
}

const ACTIVE = new Set(['pending', 'reserved', 'confirmed']);
const EVENT_STATUS: Readonly<Record<string, string>> = { confirmed: 'scheduled' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

export const NOT_IN_STATE = 'Order is not in a state that allows booking. Please contact support.';
export const NO_LONGER_AVAILABLE = 'This appointment slot is no longer available. Please select a new time.';
export const SLOT_TAKEN = 'Requested appointment time is not available';
export const NOT_CONFIRMED = 'Failed to confirm the appointment with the lab';

const refusal = (status: number, detail: string): PscAnswer => ({ status, body: { detail } });

/** The order's appointment when it is active (pending, reserved or confirmed, its start ahead). */
export function activeAppointment(store: StandinStore, orderId: string, nowMs: number): StandinAppointment | null {
  const held = store.appointments.get(orderId);
  if (!held || typeof held.status !== 'string' || !ACTIVE.has(held.status)) return null;
  const start = typeof held.start_at === 'string' ? Date.parse(held.start_at) : NaN;
  return Number.isNaN(start) || start > nowMs ? held : null;
}

/** The slot a booking key names, free and ahead; else the refusal Junction answers. */
function freeSlot(store: StandinStore, bookingKey: string, nowMs: number): { ref: SlotRef; site: StandinSite } | PscAnswer {
  const ref = store.psc.keys.read(bookingKey);
  const site = ref === null ? null : siteOf(ref.code);
  if (ref === null || site === null) return refusal(400, 'Invalid booking key format');
  if (ref.expiresMs <= nowMs || ref.startMs <= nowMs) return refusal(400, NO_LONGER_AVAILABLE);
  const holder = store.psc.taken.get(PscState.slotId(ref.code, ref.startMs));
  if (holder !== undefined) return refusal(store.psc.settings.slotConflict, SLOT_TAKEN);
  return { ref, site };
}

function orderRefusal(store: StandinStore, orderId: string): PscAnswer | null {
  if (store.get(orderId) === undefined) return refusal(404, 'Order not found');
  if (store.psc.notBookable.has(orderId)) return refusal(400, NOT_IN_STATE);
  return null;
}

function transactionIdOf(store: StandinStore, orderId: string): string | null {
  const transaction = store.get(orderId)?.order_transaction;
  return isRecord(transaction) && typeof transaction.id === 'string' ? transaction.id : null;
}

/** Quest's confirmation code, e.g. `QD7K2M9XA4`. */
function confirmationCode(): string {
  return `QD${randomBytes(6).toString('base64url').toUpperCase().replace(/[^A-Z0-9]/g, '7').slice(0, 8)}`;
}

/** A new `ClientFacingAppointment` at the slot; its address carries the PHI canary (a visit's place says where a patient goes). */
function newAppointment(store: StandinStore, orderId: string, slot: { ref: SlotRef; site: StandinSite }, status: string, notes: string | null, nowMs: number): StandinAppointment {
  const id = randomUUID();
  const user = store.get(orderId)?.user_id;
  return {
    id,
    user_id: typeof user === 'string' && UUID.test(user) ? user : FLOW_USER_ID,
    order_id: orderId,
    order_transaction_id: transactionIdOf(store, orderId),
    address: { ...siteAddress(slot.site), access_notes: `${PHI_CANARY}-access-notes-${id}` },
    location: { lng: slot.site.lng, lat: slot.site.lat },
    ...at(slot.ref),
    iana_timezone: slot.site.zone,
    type: 'patient_service_center',
    provider: slot.ref.lab === 'sonora_quest' ? 'sonora_quest' : 'quest',
    status,
    provider_id: slot.site.code,
    external_id: confirmationCode(),
    can_reschedule: true,
    appointment_notes: notes,
    event_status: EVENT_STATUS[status] ?? status,
    event_data: { origin: 'api', is_reschedule: false },
    events: [{ created_at: new Date(nowMs).toISOString(), status: EVENT_STATUS[status] ?? status, data: null }],
  };
}

function at(ref: SlotRef): { start_at: string; end_at: string } {
  return { start_at: new Date(ref.startMs).toISOString(), end_at: new Date(ref.startMs + SLOT_MINUTES * 60_000).toISOString() };
}

/** The newest `created_at` of these events, in ms (-Infinity for none). */
function newestEventMs(events: readonly unknown[]): number {
  return events.reduce<number>((newest, event) => {
    const at = isRecord(event) && typeof event.created_at === 'string' ? Date.parse(event.created_at) : NaN;
    return Number.isNaN(at) ? newest : Math.max(newest, at);
  }, -Infinity);
}

/**
 * The appointment with `status` (and an event of it) and `changes`, stored as the order's active one. The new
 * event is dated after every earlier one (a change in the same millisecond as the last, a pending booking
 * confirmed at once, still reads as newer: the tracker ranks an appointment's webhooks by their newest event).
 */
function update(store: StandinStore, appointment: StandinAppointment, status: string, nowMs: number, changes: Record<string, unknown> = {}): StandinAppointment {
  const events = Array.isArray(appointment.events) ? appointment.events : [];
  const eventMs = Math.max(nowMs, newestEventMs(events) + 1);
  const eventStatus = EVENT_STATUS[status] ?? status;
  const next: StandinAppointment = {
    ...appointment,
    ...changes,
    status,
    event_status: eventStatus,
    can_reschedule: status !== 'cancelled' && status !== 'completed',
    events: [...events, { created_at: new Date(eventMs).toISOString(), status: eventStatus, data: isRecord(changes.event_data) ? changes.event_data : null }],
  };
  store.appointments.set(next.order_id, next);
  return next;
}

/** Logs a change of the appointment (`bookings()`) and posts its webhook (with `--webhooks-to`). */
function log(store: StandinStore, kind: 'book' | 'reschedule' | 'cancel', appointment: StandinAppointment, answered: number, nowMs: number): void {
  store.psc.changed({
    kind,
    orderId: appointment.order_id,
    appointmentId: appointment.id,
    siteCode: String(appointment.provider_id),
    startAt: String(appointment.start_at),
    status: String(appointment.status),
    answered,
    at: new Date(nowMs).toISOString(),
  }, appointment);
}

function freeSlotOf(store: StandinStore, appointment: StandinAppointment): void {
  const start = typeof appointment.start_at === 'string' ? Date.parse(appointment.start_at) : NaN;
  const id = PscState.slotId(String(appointment.provider_id), start);
  if (store.psc.taken.get(id) === appointment.id) store.psc.taken.delete(id);
}

export interface BookRequest {
  bookingKey: string;
  notes: string | null;
  async: boolean;
}

/** `POST /v3/order/{order_id}/psc/appointment/book`. */
export function book(store: StandinStore, orderId: string, request: BookRequest, nowMs: number): PscAnswer {
  const refused = orderRefusal(store, orderId);
  if (refused) return refused;
  const slot = freeSlot(store, request.bookingKey, nowMs);
  if ('status' in slot) return slot;
  if (activeAppointment(store, orderId, nowMs)) return refusal(400, 'Patient already has an active appointment with this provider. Please reschedule or cancel it first.');
  const { questConfirm } = store.psc.settings;
  if (!request.async && questConfirm === 'no') return refusal(500, NOT_CONFIRMED);
  store.psc.clearTimer(orderId);
  const appointment = newAppointment(store, orderId, slot, request.async ? 'pending' : 'confirmed', request.notes, nowMs);
  store.appointments.set(orderId, appointment);
  store.psc.taken.set(PscState.slotId(slot.ref.code, slot.ref.startMs), appointment.id);
  const answered = !request.async && questConfirm === 'booked_anyway' ? 500 : 200;
  log(store, 'book', appointment, answered, nowMs);
  if (request.async) awaitQuest(store, orderId);
  return answered === 500 ? refusal(500, NOT_CONFIRMED) : { status: 200, body: structuredClone(appointment) };
}

/** Quest answers the pending appointment after the configured delay. */
function awaitQuest(store: StandinStore, orderId: string): void {
  const timer = setTimeout(() => {
    store.psc.timers.delete(orderId);
    settlePending(store, orderId, store.psc.settings.questConfirm === 'yes' ? 'confirmed' : 'cancelled', Date.now());
  }, store.psc.settings.confirmDelayMs);
  timer.unref();
  store.psc.timers.set(orderId, timer);
}

/** The order's pending appointment confirmed or cancelled by Quest now; false when it has none pending. */
export function settlePending(store: StandinStore, orderId: string, outcome: 'confirmed' | 'cancelled', nowMs: number): boolean {
  const held = store.appointments.get(orderId);
  if (!held || held.status !== 'pending') return false;
  store.psc.clearTimer(orderId);
  if (outcome === 'cancelled') freeSlotOf(store, held);
  const changes = outcome === 'cancelled' ? { event_data: { origin: 'lab', reason: 'the lab did not confirm the booking in time' } } : {};
  log(store, outcome === 'cancelled' ? 'cancel' : 'book', update(store, held, outcome, nowMs, changes), 200, nowMs);
  return true;
}

/** `PATCH /v3/order/{order_id}/psc/appointment/reschedule`: the active appointment moved to the new slot (same id). */
export function reschedule(store: StandinStore, orderId: string, request: { bookingKey: string; notes: string | null }, nowMs: number): PscAnswer {
  const refused = orderRefusal(store, orderId);
  if (refused) return refused;
  const held = activeAppointment(store, orderId, nowMs);
  if (!held) return refusal(404, 'Appointment not found');
  const slot = freeSlot(store, request.bookingKey, nowMs);
  if ('status' in slot) return slot;
  freeSlotOf(store, held);
  store.psc.taken.set(PscState.slotId(slot.ref.code, slot.ref.startMs), held.id);
  const changes = {
    ...at(slot.ref),
    address: { ...siteAddress(slot.site), access_notes: `${PHI_CANARY}-access-notes-${held.id}` },
    location: { lng: slot.site.lng, lat: slot.site.lat },
    iana_timezone: slot.site.zone,
    provider_id: slot.site.code,
    external_id: confirmationCode(),
    event_data: { origin: 'api', is_reschedule: true },
    ...(request.notes === null ? {} : { appointment_notes: request.notes }),
  };
  const moved = update(store, held, String(held.status), nowMs, changes);
  log(store, 'reschedule', moved, 200, nowMs);
  return { status: 200, body: structuredClone(moved) };
}

/** `PATCH /v3/order/{order_id}/psc/appointment/cancel`: the active appointment cancelled, its slot freed. */
export function cancel(store: StandinStore, orderId: string, reasonId: string, nowMs: number): PscAnswer {
  if (store.get(orderId) === undefined) return refusal(404, 'Order not found');
  const held = activeAppointment(store, orderId, nowMs);
  if (!held) return refusal(404, 'Appointment not found');
  store.psc.clearTimer(orderId);
  freeSlotOf(store, held);
  const cancelled = update(store, held, 'cancelled', nowMs, { event_data: { origin: 'api', cancellation_reason_id: reasonId } });
  log(store, 'cancel', cancelled, 200, nowMs);
  return { status: 200, body: structuredClone(cancelled) };
}
