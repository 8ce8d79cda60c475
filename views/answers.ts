/**
 * The query API's answers (CONTRACT §2, §9, docs/openapi.json) as a client of
 * the tracker reads them: the CLI (cli/) and the simulator (local/) alike.
 * Schemas are loose: a field the API adds later passes through to `--json`
 * untouched.
 */
import * as z from 'zod';

export const OrderView = z
  .object({
    id: z.string(),
    transaction_id: z.string().nullable(),
    origin: z.string().nullable(),
    collection_method: z.string(),
    status: z.string(),
    low_level_status: z.string(),
    last_event: z.object({ id: z.number(), created_at: z.string(), status: z.string() }).loose().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    has_missing_results: z.boolean().nullable(),
    source: z.string(),
    stale: z.object({ since: z.string(), reason: z.string() }).loose().nullable(),
    /** Its newest appointment (CONTRACT §10); absent from a tracker older than appointments. */
    appointment: z
      .object({ id: z.string(), start_at: z.string().nullable(), end_at: z.string().nullable(), status: z.string(), type: z.string().nullable(), provider: z.string().nullable() })
      .loose()
      .nullable()
      .optional(),
    /** Its follow-up's id (CONTRACT §9); absent from a tracker older than follow-ups. */
    follow_up_id: z.string().nullable().optional(),
  })
  .loose();
export type OrderView = z.output<typeof OrderView>;

export const OrderAnswer = z.object({ order: OrderView }).loose();
export const TransactionAnswer = z
  .object({
    transaction: z
      .object({ id: z.string(), status: z.string(), reported_status: z.string().nullable(), orders: z.array(OrderView), updated_at: z.string() })
      .loose(),
  })
  .loose();
export type TransactionView = z.output<typeof TransactionAnswer>['transaction'];
export const RedrawPage = z.object({ items: z.array(OrderView), next_cursor: z.string().nullable() }).loose();
export type RedrawPage = z.output<typeof RedrawPage>;

/** What is missing and why (CONTRACT §9 `missing`): an order, codes and counts, never a marker's name. */
export const MissingView = z
  .object({
    order_id: z.string(),
    status: z.string(),
    status_detail: z.string().nullable(),
    markers: z.number().nullable(),
    failure_types: z.record(z.string(), z.number()).nullable(),
  })
  .loose();
export type MissingView = z.output<typeof MissingView>;

export const FollowUpView = z
  .object({
    id: z.string(),
    transaction_id: z.string().nullable(),
    initial_order_id: z.string().nullable(),
    redraw_order_id: z.string().nullable(),
    state: z.string(),
    owner: z.string().nullable(),
    snoozed_until: z.string().nullable(),
    snooze_reason: z.string().nullable(),
    contact_attempts: z.number(),
    last_contact: z.object({ at: z.string(), channel: z.string(), outcome: z.string() }).loose().nullable(),
    attention: z.string().nullable(),
    // Absent from a tracker before issue 46: read as null.
    missing: MissingView.nullable().default(null),
    disposition: z.string().nullable(),
    closed_by: z.string().nullable().default(null),
    reference: z.string().nullable(),
    opened_at: z.string(),
    acknowledged_at: z.string().nullable(),
    closed_at: z.string().nullable(),
    due_at: z.string().nullable(),
    stale: z.object({ since: z.string(), reason: z.string() }).loose().nullable(),
    version: z.number(),
    // In a list and GET /follow-ups/{id} (CONTRACT §12): EHR work that needs a person; absent from an action's answer and from a tracker before issue 84.
    ehr_attention: z.string().nullable().default(null),
  })
  .loose();
export type FollowUpView = z.output<typeof FollowUpView>;

export const HistoryEntry = z.object({ at: z.string(), actor: z.string(), action: z.string(), from_state: z.string(), to_state: z.string() }).loose();
export type HistoryEntry = z.output<typeof HistoryEntry>;

export const FollowUpPage = z.object({ items: z.array(FollowUpView), next_cursor: z.string().nullable() }).loose();
export type FollowUpPage = z.output<typeof FollowUpPage>;
/**
 * Where the follow-up's FHIR `Task` stands in the team's EHR (CONTRACT §13): the
 * version and time the FHIR server last confirmed; the first state that holds of
 * `deleted_in_ehr`, `conflict`, `changed_in_ehr`, `refused`, `behind`, `current`
 * (a state added later passes as a string); the newest change read from the EHR
 * and the person's action it met in a conflict (null until the EHR's work comes
 * back); and `held`, this implementation's extension: since when a state that
 * needs a person holds and, for a refusal, the server's status and codes. The
 * fields after `state` are absent from a tracker before issue 69.
 */
export const FhirView = z
  .object({
    version: z.number(),
    confirmed_at: z.string(),
    state: z.string(),
    ehr_change: z
      .object({ at: z.string(), actor: z.string(), fhir_version_id: z.string().nullable(), actions: z.array(z.string()), applied: z.boolean(), why: z.string().nullable() })
      .loose()
      .nullable()
      .optional(),
    tracker_change: z.object({ at: z.string(), actor: z.string(), action: z.string() }).loose().nullable().optional(),
    held: z.object({ at: z.string(), status: z.number().nullable(), codes: z.array(z.string()) }).loose().nullable().optional(),
  })
  .loose();
export type FhirView = z.output<typeof FhirView>;
/** GET /follow-ups/{id}; `fhir` is null while FHIR is off or nothing was sent, and absent from a tracker before issue 59. */
/** How its redraw can be booked (CONTRACT §14); absent from a tracker before issue 83. */
export const BookingOptions = z.object({ book: z.enum(['here', 'with_lab_only', 'no']), why: z.string().nullable() });
export const FollowUpDetail = z
  .object({ follow_up: FollowUpView, history: z.array(HistoryEntry), fhir: FhirView.nullable().optional(), booking_options: BookingOptions.optional(), stamp: z.string().optional() })
  .loose();
export type FollowUpDetail = z.output<typeof FollowUpDetail>;
export const FollowUpAnswer = z.object({ follow_up: FollowUpView }).loose();
/** What GET /orders/{id} says of the order's follow-up (CONTRACT §9: its `follow_up_id`). */
export const OrderFollowUp = z.object({ order: z.object({ id: z.string(), follow_up_id: z.string().nullable() }).loose() }).loose();
