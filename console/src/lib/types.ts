/**
 * The API's shapes the console reads (CONTRACT §9, docs/openapi.json), as plain
 * types. Answers are checked where they are read (`asFollowUp` and friends), never
 * cast blindly.
 */
import { asBookingOptions, bookingOf, type Booking, type BookingOptions } from './booking';

export type FollowUpState = 'new' | 'acknowledged' | 'snoozed' | 'closed';

export interface LastContact {
  at: string;
  channel: string;
  outcome: string;
}

export interface FollowUp {
  id: string;
  transaction_id: string | null;
  initial_order_id: string | null;
  redraw_order_id: string | null;
  state: FollowUpState;
  owner: string | null;
  snoozed_until: string | null;
  snooze_reason: string | null;
  contact_attempts: number;
  last_contact: LastContact | null;
  attention: string | null;
  /** What is missing and why (CONTRACT §9): absent from a tracker before it. */
  missing?: MissingResults | null;
  disposition: string | null;
  /** Who closed it (a person or `tracker`), null while open; absent from a tracker before it. */
  closed_by?: string | null;
  reference: string | null;
  opened_at: string;
  acknowledged_at: string | null;
  closed_at: string | null;
  due_at: string | null;
  stale: { since: string; reason: string } | null;
  waiting_since?: string | null;
  /** In a list and GET /follow-ups/{id} (CONTRACT §12): EHR work on it that needs a person (`refused`, `changed_in_ehr`, `conflict`, `deleted_in_ehr`); absent from a tracker before it. */
  ehr_attention?: string | null;
  /** The redraw's booking (CONTRACT §14): absent from a tracker before it. */
  booking?: Booking | null;
  version: number;
}

/** CONTRACT §9 `missing`: an order, its status and detail, counts; never a marker's name. */
export interface MissingResults {
  order_id: string;
  status: string;
  status_detail: string | null;
  markers: number | null;
  failure_types: Record<string, number> | null;
}

/** CONTRACT §13: the follow-up's Task in the team's EHR, as GET /follow-ups/{id} answers it (null while FHIR is off or nothing was sent). */
export interface FhirStatus {
  version: number;
  confirmed_at: string;
  /** The first that holds, in §13's order. */
  state: FhirStatusState;
  /** The newest change read from the EHR (null until the EHR's work comes back). */
  /** `actor_display`: the EHR user's name as the server gives it (issue 84), absent from a tracker before it. */
  ehr_change: { at: string; actor: string; actor_display?: string | null; fhir_version_id: string | null; actions: string[]; applied: boolean; why: string | null } | null;
  /** The person's action an EHR change met in a conflict. */
  tracker_change: { at: string; actor: string; action: string } | null;
  /** This implementation's extension: since when the tracker holds a state that needs a person and, for a refusal, the server's status and codes. */
  held: { at: string; status: number | null; codes: string[] } | null;
  /** While behind after a failed try: when the tracker tries again (issue 84); absent or null otherwise. */
  next_try_at?: string | null;
}

/** §13's states, in its order: when several hold, the first is answered. */
export const FHIR_STATUS_STATES = ['deleted_in_ehr', 'conflict', 'changed_in_ehr', 'refused', 'behind', 'current'] as const;
export type FhirStatusState = (typeof FHIR_STATUS_STATES)[number];

export interface Action {
  at: string;
  actor: string;
  action: string;
  from_state: string;
  to_state: string;
  [field: string]: unknown;
}

export interface FollowUpPage {
  items: FollowUp[];
  next_cursor: string | null;
}

export interface Counts {
  actor: string;
  counts: Partial<Record<'mine' | 'unassigned' | 'attention' | 'snoozed' | 'open', number>>;
  owners: { owner: string; open: number }[];
  /** Open follow-ups with EHR work that needs a person ("EHR needs you"); absent from a tracker before it. */
  ehr_needs_you?: number;
  as_of: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A follow-up from an answer, or null when the answer holds none. */
export function asFollowUp(value: unknown): FollowUp | null {
  if (!isRecord(value)) return null;
  if (typeof value.id !== 'string' || typeof value.version !== 'number' || typeof value.state !== 'string') return null;
  // `booking` read as the console reads it (CONTRACT §14); a tracker before it answers none.
  return 'booking' in value ? { ...(value as unknown as FollowUp), booking: bookingOf(value.booking) } : (value as unknown as FollowUp);
}

/** `{"follow_up": FollowUp}` (an action's 200, a 409's body) → the follow-up, or null. */
export function followUpOf(body: unknown): FollowUp | null {
  return isRecord(body) ? asFollowUp(body.follow_up) : null;
}

/** A page of follow-ups (GET /follow-ups). */
export function asFollowUpPage(value: unknown): FollowUpPage {
  if (!isRecord(value) || !Array.isArray(value.items)) throw new Error('not a page of follow-ups');
  const items = value.items.map(asFollowUp).filter((item): item is FollowUp => item !== null);
  return { items, next_cursor: typeof value.next_cursor === 'string' ? value.next_cursor : null };
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter(isString) : [];
}

/** `ehr_change`: null unless it has its time and actor (absent from a tracker before issue 69). */
function ehrChangeOf(value: unknown): FhirStatus['ehr_change'] {
  if (!isRecord(value) || !isString(value.at) || !isString(value.actor)) return null;
  return {
    at: value.at,
    actor: value.actor,
    actor_display: isString(value.actor_display) ? value.actor_display : null,
    fhir_version_id: isString(value.fhir_version_id) ? value.fhir_version_id : null,
    actions: strings(value.actions),
    applied: value.applied === true,
    why: isString(value.why) ? value.why : null,
  };
}

function trackerChangeOf(value: unknown): FhirStatus['tracker_change'] {
  return isRecord(value) && isString(value.at) && isString(value.actor) && isString(value.action) ? { at: value.at, actor: value.actor, action: value.action } : null;
}

function heldOf(value: unknown): FhirStatus['held'] {
  return isRecord(value) && isString(value.at) ? { at: value.at, status: typeof value.status === 'number' ? value.status : null, codes: strings(value.codes) } : null;
}

/** `fhir` of GET /follow-ups/{id}, or null: absent (a tracker before it), off, never sent, or a state this console does not know. */
function fhirOf(value: unknown): FhirStatus | null {
  if (!isRecord(value) || !isString(value.confirmed_at) || typeof value.version !== 'number') return null;
  const state = FHIR_STATUS_STATES.find((known) => known === value.state);
  if (state === undefined) return null;
  return { version: value.version, confirmed_at: value.confirmed_at, state, ehr_change: ehrChangeOf(value.ehr_change), tracker_change: trackerChangeOf(value.tracker_change), held: heldOf(value.held), ...(isString(value.next_try_at) ? { next_try_at: value.next_try_at } : {}) };
}

/** GET /follow-ups/{id}: the follow-up, its history, where its Task stands in the EHR and how its redraw can be booked. */
export function asFollowUpDetail(value: unknown): { follow_up: FollowUp; history: Action[]; fhir: FhirStatus | null; booking_options: BookingOptions; stamp: string | null } {
  const followUp = followUpOf(value);
  if (!followUp || !isRecord(value) || !Array.isArray(value.history)) throw new Error('not a follow-up');
  const stamp = typeof value.stamp === 'string' ? value.stamp : null;
  return { follow_up: followUp, history: value.history.filter(isRecord) as Action[], fhir: fhirOf(value.fhir), booking_options: asBookingOptions(value.booking_options), stamp };
}

/** GET /follow-ups/counts. */
export function asCounts(value: unknown): Counts {
  if (!isRecord(value) || !isRecord(value.counts)) throw new Error('not the counts');
  const owners = Array.isArray(value.owners)
    ? value.owners.filter(isRecord).flatMap((row) => (typeof row.owner === 'string' ? [{ owner: row.owner, open: typeof row.open === 'number' ? row.open : 0 }] : []))
    : [];
  const counts: Counts['counts'] = {};
  for (const key of ['mine', 'unassigned', 'attention', 'snoozed', 'open'] as const) {
    const count = value.counts[key];
    if (typeof count === 'number') counts[key] = count;
  }
  const ehr = typeof value.ehr_needs_you === 'number' ? { ehr_needs_you: value.ehr_needs_you } : {};
  return { actor: typeof value.actor === 'string' ? value.actor : '', counts, owners, ...ehr, as_of: typeof value.as_of === 'string' ? value.as_of : '' };
}

export { isRecord };
