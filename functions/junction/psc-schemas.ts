/**
 * zod schemas for the answers of Junction's PSC scheduling routes (CONTRACT §14,
 * DOMAIN "Booking a PSC appointment"; shapes from Junction's OpenAPI). What they
 * keep is what the booking routes answer on demand (a site's address, phone and
 * hours among it) and never store; unknown fields are stripped. A value out of
 * its bounds makes the whole answer unreadable rather than half-read.
 */
import * as z from 'zod/mini';
import { AppointmentPayload, Instant, TimeZone } from '../core/schemas';

const Text = (max: number) => z.string().check(z.maxLength(max));
const Code = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1-32 letters, digits, "-" or "_"'));

/** `LabLocationMetadata`: `hours` is Junction's free-form object (made into text, or null, by the route). */
const SiteMetadata = z.object({
  name: Text(200),
  first_line: Text(200),
  second_line: z.nullish(Text(200)),
  city: Text(100),
  state: Text(50),
  zip_code: Text(20),
  phone_number: z.nullish(Text(50)),
  hours: z.nullish(z.record(z.string(), z.unknown())),
});

/** `ClientFacingLabLocation`: capabilities are a non-exhaustive enum, kept as sent. */
export const PscSite = z.object({
  metadata: SiteMetadata,
  distance: z.number().check(z.nonnegative()),
  site_code: Code,
  capabilities: z._default(z.array(Text(100)).check(z.maxLength(20)), []),
});
export type PscSite = z.output<typeof PscSite>;

/** `PSCInfo` (`GET /v3/order/{order_id}/psc/info`). */
export const PscInfoAnswer = z.object({
  slug: Text(100),
  patient_service_centers: z.array(PscSite).check(z.maxLength(500)),
});
export type PscInfoAnswer = z.output<typeof PscInfoAnswer>;

/** `TimeSlot`: times in UTC; a slot without `booking_key` cannot be booked. */
const TimeSlot = z.object({
  booking_key: z.nullish(Text(2048)),
  start: Instant,
  end: Instant,
  expires_at: z.nullish(Instant),
});

/** `AppointmentLocation`, as far as the slots answer needs it. */
const SlotLocation = z.object({ code: Code, name: Text(200), iana_timezone: z.nullish(TimeZone) });

/** `DaySlots`. */
const DaySlots = z.object({
  location: z.nullish(SlotLocation),
  date: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date')),
  slots: z.array(TimeSlot).check(z.maxLength(500)),
});

/** `AppointmentAvailabilitySlots` (`POST /v3/order/psc/appointment/availability`). */
export const AvailabilityAnswer = z.object({
  slots: z.array(DaySlots).check(z.maxLength(1000)),
  timezone: z.nullish(TimeZone),
});
export type AvailabilityAnswer = z.output<typeof AvailabilityAnswer>;

/** `ClientFacingAppointmentCancellationReason`: `name` is about the patient, answered from the list and never kept. */
export const CancellationReasonsAnswer = z.array(z.object({ id: Text(64), name: Text(200), is_refundable: z.boolean() })).check(z.maxLength(200));
export type CancellationReasonsAnswer = z.output<typeof CancellationReasonsAnswer>;

/** `ClientFacingAppointment` (book, reschedule, cancel, the active one): the same projection as the webhooks' (core/schemas.ts). */
export const AppointmentAnswer = AppointmentPayload;
export type AppointmentAnswer = z.output<typeof AppointmentAnswer>;

/**
 * An error's body (`{"detail": ...}`): a sentence, or FastAPI's list of
 * `{loc, msg}` (422). Anything else reads as no detail.
 */
export const ErrorAnswer = z.object({
  detail: z.union([z.string(), z.array(z.object({ loc: z._default(z.array(z.union([z.string(), z.number()])), []), msg: z._default(z.string(), '') }))]),
});
