/**
 * CONTRACT §2's Order, strictly (a field the contract does not name fails the
 * parse): what the e2e tests read from the query API of a running `npm start`.
 */
import * as z from 'zod';

/** CONTRACT §10's appointment of an order, strictly (no address, location or notes can pass). */
export const AppointmentAnswer = z
  .object({
    id: z.string(),
    start_at: z.string().nullable(),
    end_at: z.string().nullable(),
    status: z.string(),
    type: z.string().nullable(),
    provider: z.string().nullable(),
  })
  .strict();
export type AppointmentAnswer = z.output<typeof AppointmentAnswer>;

export const OrderAnswer = z
  .object({
    id: z.string(),
    transaction_id: z.string().nullable(),
    origin: z.string().nullable(),
    collection_method: z.string(),
    status: z.string(),
    low_level_status: z.string(),
    last_event: z.object({ id: z.number(), created_at: z.string(), status: z.string() }).nullable(),
    /** CONTRACT §9: Junction's status detail of the newest event, an operational code. */
    status_detail: z.string().regex(/^[a-z0-9_]{1,64}$/).nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    has_missing_results: z.boolean().nullable(),
    /** CONTRACT §11: the lab's slug and the sample type, operational codes. */
    lab: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/).nullable(),
    sample_type: z.string().regex(/^[a-z0-9_]{1,64}$/).nullable(),
    source: z.enum(['webhook', 'api', 'transaction_listing']),
    stale: z.object({ since: z.string(), reason: z.enum(['no_progress', 'redraw_not_created', 'appointment_missed']) }).nullable(),
    /** CONTRACT §10: the order's newest appointment, when one is known. */
    appointment: AppointmentAnswer.nullable(),
    /** CONTRACT §9: the order's follow-up, when one exists. */
    follow_up_id: z.string().nullable(),
  })
  .strict();
export type OrderAnswer = z.output<typeof OrderAnswer>;

/** A GET /redraws item, strictly: the order, with its follow-up's state and owner (CONTRACT §9). */
export const RedrawItemAnswer = OrderAnswer.extend({
  follow_up_state: z.enum(['new', 'acknowledged', 'snoozed', 'closed']).nullable(),
  follow_up_owner: z.string().nullable(),
}).strict();

/** A page of GET /redraws. */
export const RedrawPageAnswer = z.object({ items: z.array(RedrawItemAnswer), next_cursor: z.string().nullable() });

/** CONTRACT §2's Transaction, strictly, with its orders. */
export const TransactionAnswer = z
  .object({
    id: z.string(),
    status: z.enum(['active', 'completed', 'cancelled']),
    reported_status: z.string().nullable(),
    orders: z.array(OrderAnswer),
    updated_at: z.string(),
    follow_up_id: z.string().nullable(),
  })
  .strict();
