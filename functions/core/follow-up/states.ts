/**
 * A follow-up's record (CONTRACT §9): its states, the enums its fields are
 * drawn from, what is missing and why, a new follow-up, and its state as of a
 * time (a snooze that has ended is acknowledged again). Nothing a person sends
 * is free text: every field is an enum, a date-time, a handle or a reference of
 * a restricted alphabet, so a follow-up can carry no PHI. No storage here: the
 * store writes what the other follow-up modules return, conditionally on the
 * version it read.
 */
import type { Attention } from '../attention';
import type { Booking } from '../booking/record';
import { instantMillis } from '../instant';

export const FOLLOW_UP_STATES = ['new', 'acknowledged', 'snoozed', 'closed'] as const;
export type FollowUpState = (typeof FOLLOW_UP_STATES)[number];

export const SNOOZE_REASONS = ['appointment_booked', 'patient_requested', 'awaiting_clinician', 'other'] as const;
export const CONTACT_CHANNELS = ['phone', 'sms', 'email', 'letter', 'other'] as const;
export const CONTACT_OUTCOMES = ['reached', 'no_answer', 'left_message', 'invalid_contact'] as const;
/** What a person may close a follow-up with; `reordered`: a new order was placed at Junction (its id may go in `reference`). */
export const PERSON_DISPOSITIONS = ['patient_declined', 'patient_unreachable', 'clinician_accepted_partial_results', 'tested_elsewhere', 'reordered', 'other'] as const;
/** What the tracker closes one with, from Junction's facts. */
export const TRACKER_DISPOSITIONS = ['redraw_completed', 'cancelled', 'results_received'] as const;
export type Disposition = (typeof PERSON_DISPOSITIONS)[number] | (typeof TRACKER_DISPOSITIONS)[number];

/** A `status_detail` or an `inferred_failure_type` the tracker keeps: an operational code, never free text. */
export const OPERATIONAL_CODE = /^[a-z0-9_]{1,64}$/;

/**
 * What is missing and why (CONTRACT §9), without PHI: the order whose results
 * are missing, its status and status detail from its own facts, and from
 * Junction's results API how many markers are missing and how many per
 * inferred failure type (null until read, or when it cannot be).
 */
export interface MissingResults {
  order_id: string;
  status: string;
  status_detail: string | null;
  markers: number | null;
  failure_types: Record<string, number> | null;
}

export interface FollowUp {
  id: string;
  transaction_id: string | null;
  initial_order_id: string | null;
  redraw_order_id: string | null;
  state: FollowUpState;
  owner: string | null;
  snoozed_until: string | null;
  snooze_reason: (typeof SNOOZE_REASONS)[number] | null;
  contact_attempts: number;
  last_contact: null | { at: string; channel: (typeof CONTACT_CHANNELS)[number]; outcome: (typeof CONTACT_OUTCOMES)[number] };
  attention: Attention | null;
  /** What is missing and why, without PHI (CONTRACT §9); not a version. */
  missing: MissingResults | null;
  disposition: Disposition | null;
  /** The actor of the close (a person or `tracker`), null while open. */
  closed_by: string | null;
  reference: string | null;
  opened_at: string;
  acknowledged_at: string | null;
  closed_at: string | null;
  /**
   * The redraw's booking (CONTRACT §14): null or absent until one is attempted or
   * recorded (absent in follow-ups stored before bookings). Its bookkeeping
   * (`attempt`, `seq`, `unknown_since`) changes without a version.
   */
  booking?: Booking | null;
  version: number;
}

/** A new follow-up, opened by what the tracker stored first (an initial order in redraw_available, or a redraw order). */
export function openFollowUp(input: {
  id: string;
  transactionId: string | null;
  initialOrderId: string | null;
  redrawOrderId: string | null;
  openedAt: string;
}): FollowUp {
  return {
    id: input.id,
    transaction_id: input.transactionId,
    initial_order_id: input.initialOrderId,
    redraw_order_id: input.redrawOrderId,
    state: 'new',
    owner: null,
    snoozed_until: null,
    snooze_reason: null,
    contact_attempts: 0,
    last_contact: null,
    attention: null,
    missing: null,
    disposition: null,
    closed_by: null,
    reference: null,
    opened_at: input.openedAt,
    acknowledged_at: null,
    closed_at: null,
    version: 1,
  };
}

/** A snooze whose `until` has passed is acknowledged again (CONTRACT §9): the state as of `now`. */
export function stateAt(followUp: FollowUp, now: Date): FollowUp {
  if (followUp.state !== 'snoozed' || followUp.snoozed_until === null || instantMillis(followUp.snoozed_until) > now.getTime()) return followUp;
  return { ...followUp, state: 'acknowledged', snoozed_until: null, snooze_reason: null };
}
