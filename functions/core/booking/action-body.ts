/**
 * The bodies of the four booking actions (CONTRACT §14): strict, one object per
 * action, refused with a message that names the field and what it may hold,
 * never what was sent. Nothing typed goes to Junction or the record: no note.
 */
import * as z from 'zod/mini';
import { MAX_SNOOZE_DAYS, Owner } from '../follow-up/action-body';
import { canonicalInstant, instantMillis } from '../instant';
import { Instant } from '../schemas';
import type { BookingActionName } from './record';

/** Junction's slot key, as the slots answered it: 1 to 2,048 printable ASCII. */
const BookingKey = z.string().check(z.minLength(1), z.maxLength(2048), z.regex(/^[\x21-\x7e]+$/, 'printable ASCII'));
/** A PSC's code (an operational code: kept, published, written to the EHR). */
export const SiteCode = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/, 'site code'));
const ReasonId = z.string().check(z.regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'UUID'));
const Version = { expected_version: z.optional(z.int().check(z.positive())) };
const Slot = { booking_key: BookingKey, site_code: SiteCode, slot_start: Instant };

export const BookingActionBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('book'), ...Slot, owner: z.optional(Owner), ...Version }),
  z.strictObject({ action: z.literal('reschedule_booking'), ...Slot, ...Version }),
  z.strictObject({ action: z.literal('cancel_booking'), cancellation_reason_id: z.optional(ReasonId), ...Version }),
  z.strictObject({ action: z.literal('record_booking'), start_at: Instant, site_code: z.optional(SiteCode), owner: z.optional(Owner), ...Version }),
]);
export type BookingActionBody = z.output<typeof BookingActionBody>;

export type ParsedBookingAction = { kind: 'ok'; action: BookingActionBody } | { kind: 'invalid'; message: string };

/** A recorded booking's start: in the future, at most this many days ahead. */
export const MAX_BOOKING_DAYS = MAX_SNOOZE_DAYS;
const DAY_MS = 86_400_000;

const FIELD_RULES: Record<string, string> = {
  booking_key: "booking_key must be 1-2,048 printable ASCII characters: a slot's booking_key from GET /follow-ups/{id}/booking/slots",
  site_code: 'site_code must be 1-32 letters, digits, "-" or "_": the site the slot was read from',
  slot_start: "slot_start must be the slot's start, an ISO 8601 date-time such as 2026-12-14T15:30:00Z",
  cancellation_reason_id: 'cancellation_reason_id must be a UUID: one of GET /booking/cancellation-reasons',
  start_at: 'start_at must be an ISO 8601 date-time such as 2026-12-14T09:00:00Z',
  owner: 'owner must be 1-2048 letters, digits and ._@:/+=,-',
  expected_version: "expected_version must be a whole number of 1 or more (the follow-up's version)",
};

/** Parses a booking action's JSON body at `now` (a recorded booking's start is in the future, within MAX_BOOKING_DAYS); times come back canonical. */
export function parseBookingAction(body: unknown, now: Date): ParsedBookingAction {
  const parsed = BookingActionBody.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const action = (body as { action: BookingActionName }).action;
    if (issue === undefined || issue.path.length === 0) {
      if (issue?.code === 'unrecognized_keys') return { kind: 'invalid', message: `unknown field: ${action} takes only ${fieldsOf(action)}` };
      return { kind: 'invalid', message: 'the body must be a JSON object: {"action": "...", ...}' };
    }
    const field = String(issue.path[0]);
    return { kind: 'invalid', message: FIELD_RULES[field] ?? `${field} is not valid here` };
  }
  const action = parsed.data;
  if (action.action === 'record_booking') {
    const start = instantMillis(action.start_at);
    if (start <= now.getTime()) return { kind: 'invalid', message: 'start_at must be in the future' };
    if (start > now.getTime() + MAX_BOOKING_DAYS * DAY_MS) return { kind: 'invalid', message: `start_at must be at most ${MAX_BOOKING_DAYS} days ahead` };
    return { kind: 'ok', action: { ...action, start_at: canonicalInstant(action.start_at) ?? action.start_at } };
  }
  if (action.action === 'book' || action.action === 'reschedule_booking') return { kind: 'ok', action: { ...action, slot_start: canonicalInstant(action.slot_start) ?? action.slot_start } };
  return { kind: 'ok', action };
}

function fieldsOf(name: BookingActionName): string {
  const option = BookingActionBody._zod.def.options.find((candidate) => candidate._zod.def.shape.action._zod.def.values.includes(name as never));
  return option === undefined ? 'its own fields' : Object.keys(option._zod.def.shape).join(', ');
}
