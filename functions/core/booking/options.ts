/**
 * What can be booked (CONTRACT §14), from stored facts only, never a Junction
 * call: `GET /follow-ups/{id}`'s `booking_options`, and the first check of the
 * booking routes and actions. `here`: the follow-up is open, its redraw order
 * exists, is not ended and is a walk-in order, Junction's key is set and the
 * lab books through Junction (or is not known); `with_lab_only`: only a booking
 * made with the lab can be recorded; `no`, with why in words.
 */

/** The labs whose PSCs Junction books (the OpenAPI's `AppointmentPSCLabs`). */
export const APPOINTMENT_PSC_LABS: readonly string[] = ['quest', 'sonora_quest'];

/** A redraw order's statuses while it can still be booked. */
const NOT_ENDED = new Set(['received', 'collecting_sample']);

export interface OrderFacts {
  /** The order's status (`received`, `collecting_sample`, `completed`, ...); null when not known. */
  status: string | null;
  /** `walk_in_test`, `testkit`, ...; null when not known. */
  method: string | null;
  /** `lab_test.lab.slug`; null when not known. */
  lab: string | null;
}

export interface BookingFacts {
  followUpOpen: boolean;
  redrawOrderId: string | null;
  /** The redraw order as stored; null when no webhook of it was stored yet. */
  redraw: OrderFacts | null;
  initial: Omit<OrderFacts, 'status'> | null;
  junctionKeySet: boolean;
}

export type BookingOptions = { book: 'here'; why: null } | { book: 'with_lab_only' | 'no'; why: string };

/** The redraw order's lab: its own, else the initial order's. */
export function bookingLab(facts: Pick<BookingFacts, 'redraw' | 'initial'>): string | null {
  return facts.redraw?.lab ?? facts.initial?.lab ?? null;
}

export function bookingOptions(facts: BookingFacts): BookingOptions {
  const refusal = notBookable(facts);
  if (refusal !== null) return { book: 'no', why: refusal };
  if (!facts.junctionKeySet) return { book: 'with_lab_only', why: "Junction's API key is not set: record a booking made with the lab, or see docs/reconcile.md" };
  const lab = bookingLab(facts);
  if (lab !== null && !APPOINTMENT_PSC_LABS.includes(lab)) return { book: 'with_lab_only', why: `${lab} PSCs are booked with the lab: call the PSC, then record the booking` };
  return { book: 'here', why: null };
}

/** Why nothing can be booked for this follow-up at all, or null. */
export function notBookable(facts: BookingFacts): string | null {
  if (!facts.followUpOpen) return 'The follow-up is closed: reopen it to book its redraw';
  if (facts.redrawOrderId === null) return "Junction has not created the redraw order yet: wait for it, or check the transaction in Junction's dashboard";
  const status = facts.redraw?.status ?? null;
  if (status !== null && !NOT_ENDED.has(status)) return `The redraw order is ${status.replaceAll('_', ' ')}: there is no draw left to book`;
  const method = facts.redraw?.method ?? null;
  const walkIn = method === null ? facts.initial?.method === 'walk_in_test' : method === 'walk_in_test';
  if (!walkIn) return method === null ? 'The redraw order is not known to be a walk-in order: only walk-in draws are booked at a PSC' : `The redraw order is a ${method.replaceAll('_', ' ')} order: only walk-in draws are booked at a PSC`;
  return null;
}
