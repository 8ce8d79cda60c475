/**
 * zod schemas for Junction's webhook envelope and order (DOMAIN.md). Strict on
 * what the tracker relies on (ids, event ids, date-times), tolerant of what
 * Junction says will change: unknown statuses, origins and event types, and extra
 * fields, which are stripped (that is also how PHI never travels further than here).
 */
import * as z from 'zod/mini';
import { canonicalInstant } from './instant';

/** Ids become parts of table keys: keep them to a safe alphabet (Junction's are UUIDs). */
export const ResourceId = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/, 'must be 1-128 letters, digits, "-" or "_"'));

/** An ISO 8601 date-time, kept as sent (the canonical form is derived where needed). */
export const Instant = z.string().check(z.refine((value) => canonicalInstant(value) !== null, 'must be an ISO 8601 date-time'));

export const OrderEvent = z.object({
  id: z.int().check(z.nonnegative(), z.maximum(Number.MAX_SAFE_INTEGER)),
  created_at: Instant,
  status: z.string().check(z.minLength(1), z.maxLength(200)),
  // Junction's detail of a status (e.g. sample_hemolyzed, CONTRACT §9): any value is accepted here, and one
  // that is not an operational code is kept as null (order-record.ts), never a reason to quarantine the event.
  status_detail: z.optional(z.unknown()),
});
export type OrderEvent = z.infer<typeof OrderEvent>;

/**
 * An order as listed in `order_transaction.orders`. The GET order-transaction
 * endpoint spells two fields `last_status` and `last_status_created_at`: both
 * spellings are accepted and folded into one.
 */
export const ListedOrder = z.pipe(
  z.object({
    id: ResourceId,
    created_at: Instant,
    updated_at: z.nullish(Instant),
    low_level_status: z.nullish(z.string().check(z.minLength(1), z.maxLength(200))),
    last_status: z.nullish(z.string().check(z.minLength(1), z.maxLength(200))),
    low_level_status_created_at: z.nullish(Instant),
    last_status_created_at: z.nullish(Instant),
    origin: z.nullish(z.string().check(z.maxLength(50))),
    parent_id: z.nullish(ResourceId),
  }),
  z.transform((listed) => ({
    id: listed.id,
    created_at: listed.created_at,
    updated_at: listed.updated_at ?? null,
    low_level_status: listed.low_level_status ?? listed.last_status ?? null,
    low_level_status_created_at: listed.low_level_status_created_at ?? listed.last_status_created_at ?? null,
    origin: listed.origin ?? null,
    parent_id: listed.parent_id ?? null,
  })),
);
export type ListedOrder = z.output<typeof ListedOrder>;

export const OrderTransaction = z.object({
  id: ResourceId,
  status: z.nullish(z.string().check(z.maxLength(50))),
  orders: z._default(z.array(ListedOrder).check(z.maxLength(100)), []),
});

/** The `data` of a `labtest.order.*` webhook: only what the tracker keeps or needs. */
export const OrderPayload = z.object({
  id: ResourceId,
  team_id: z.nullish(z.string().check(z.maxLength(128))),
  created_at: Instant,
  updated_at: Instant,
  status: z.nullish(z.string().check(z.maxLength(200))),
  events: z._default(z.array(OrderEvent).check(z.maxLength(1000)), []),
  last_event: z.nullish(OrderEvent),
  details: z.nullish(z.object({ type: z.string().check(z.minLength(1), z.maxLength(100)) })),
  origin: z.nullish(z.string().check(z.maxLength(50))),
  order_transaction: z.nullish(OrderTransaction),
  has_missing_results: z.nullish(z.boolean()),
  // Only the operational codes of the test (CONTRACT §11): its lab's slug, method and sample type. Its name and
  // markers are health information and are stripped here. Any value is accepted; one that is not an operational
  // code is kept as null (order-record.ts), never a reason to quarantine the event.
  lab_test: z.nullish(
    z.object({
      method: z.optional(z.unknown()),
      sample_type: z.optional(z.unknown()),
      lab: z.nullish(z.object({ slug: z.optional(z.unknown()) })),
    }),
  ),
});
export type OrderPayload = z.output<typeof OrderPayload>;

const Label = z.string().check(z.minLength(1), z.maxLength(100));

/** An IANA zone name (`America/New_York`, `Etc/GMT+5`): a safe alphabet, never free text. */
export const TimeZone = z.string().check(z.regex(/^[A-Za-z0-9_+\-/]{1,64}$/, 'must be an IANA time zone name'));

/** One entry of `events[]`: only its time (its `status` and `data` are not kept; `data` may carry more than the tracker needs). */
const AppointmentEvent = z.object({ created_at: Instant });

/**
 * The `data` of a `labtest.appointment.*` webhook (`ClientFacingAppointment`):
 * only what the tracker keeps or orders by (core/appointment.ts). Its PHI
 * (address, location, appointment_notes, user_id) and what it does not need
 * (provider_id, event_data, the events' status and data) are stripped here.
 */
export const AppointmentPayload = z.object({
  id: ResourceId,
  order_id: ResourceId,
  order_transaction_id: z.nullish(ResourceId),
  start_at: z.nullish(Instant),
  end_at: z.nullish(Instant),
  iana_timezone: z.nullish(TimeZone),
  status: Label,
  type: z.nullish(Label),
  provider: z.nullish(Label),
  events: z._default(z.array(AppointmentEvent).check(z.maxLength(1000)), []),
});
export type AppointmentPayload = z.output<typeof AppointmentPayload>;

/** The event types whose `data` is an appointment. */
export const APPOINTMENT_EVENT_TYPES: ReadonlySet<string> = new Set(['labtest.appointment.created', 'labtest.appointment.updated']);

/** The envelope every webhook shares. `client_user_id` is the customer's choice: not validated. */
export const WebhookEnvelope = z.object({
  event_type: z.string().check(z.minLength(1), z.maxLength(200)),
  data: z.unknown(),
});

/** The event types whose `data` is an order, and which the tracker tracks. */
export const TRACKED_EVENT_TYPES: ReadonlySet<string> = new Set(['labtest.order.created', 'labtest.order.updated']);

export type ReadBody =
  | { kind: 'order'; eventType: string; order: OrderPayload }
  | { kind: 'appointment'; eventType: string; appointment: AppointmentPayload }
  | { kind: 'ignored'; eventType: string }
  | { kind: 'unreadable'; reason: string };

/**
 * Reads a verified webhook body. Never throws: a body that is not JSON, not an
 * envelope, or a tracked type whose order (or appointment) is invalid is `unreadable` (to be
 * quarantined), with a reason that names fields but never echoes their values.
 */
export function readWebhookBody(rawBody: string): ReadBody {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    return { kind: 'unreadable', reason: 'body is not valid JSON' };
  }
  const envelope = WebhookEnvelope.safeParse(json);
  if (!envelope.success) return { kind: 'unreadable', reason: `envelope: ${describeIssues(envelope.error)}` };
  const eventType = envelope.data.event_type;
  if (APPOINTMENT_EVENT_TYPES.has(eventType)) {
    const appointment = AppointmentPayload.safeParse(envelope.data.data);
    if (!appointment.success) return { kind: 'unreadable', reason: `appointment: ${describeIssues(appointment.error)}` };
    return { kind: 'appointment', eventType, appointment: appointment.data };
  }
  if (!TRACKED_EVENT_TYPES.has(eventType)) return { kind: 'ignored', eventType };
  const order = OrderPayload.safeParse(envelope.data.data);
  if (!order.success) return { kind: 'unreadable', reason: `order: ${describeIssues(order.error)}` };
  return { kind: 'order', eventType, order: order.data };
}

/** Paths and messages only: zod's own messages can quote the offending input, which may be PHI. */
function describeIssues(error: z.core.$ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`)
    .join('; ');
}
