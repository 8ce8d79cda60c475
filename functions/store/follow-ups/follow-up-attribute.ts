/**
 * The follow-up item's `fu` attribute (item.ts A.followUp): the FollowUp view,
 * stored compactly (issue 76). A write is billed by the KB, on the table and
 * again on the by-transaction index (which projects ALL), so the item leaves
 * out what its reader can restore, and names each field in a letter or two
 * (FOLLOW_UP_FIELDS):
 * - `id`: the item's partition key holds it (`FOLLOWUP#<id>`);
 * - `transaction_id` when it equals the id (absent: the id; an explicit null
 *   stays, so a follow-up without a transaction is told apart);
 * - every nullable field whose value is null (absent: null).
 *
 * An item written before this (a `fu` that carries its `id`) reads as it did.
 * `missing` and `closed_by` have attributes of their own (item.ts `ms`, `cb`):
 * they are never in `fu`.
 */
import type { FollowUp } from '../../core/follow-up/states';

/**
 * How `fu` stores each field of T: under a short name (`as`, a letter or two: the
 * names were half of `fu`'s bytes), and whether null is one of its values (then
 * left out when null).
 */
export type FieldKinds<T> = { [K in keyof T]-?: { as: string; nullable: null extends T[K] ? true : false } };

/**
 * Every field of FollowUp (core/follow-up/states.ts) in the contract's order,
 * its name in `fu`, and whether null is one of its values: a field added to
 * FollowUp, or made nullable, and not said here fails typecheck. `id` is never
 * stored; `missing` and `closed_by` never in `fu`.
 */
export const FOLLOW_UP_FIELDS: FieldKinds<FollowUp> = {
  id: { as: 'id', nullable: false },
  transaction_id: { as: 't', nullable: true },
  initial_order_id: { as: 'i', nullable: true },
  redraw_order_id: { as: 'r', nullable: true },
  state: { as: 's', nullable: false },
  owner: { as: 'o', nullable: true },
  snoozed_until: { as: 'u', nullable: true },
  snooze_reason: { as: 'z', nullable: true },
  contact_attempts: { as: 'c', nullable: false },
  last_contact: { as: 'l', nullable: true },
  attention: { as: 'a', nullable: true },
  missing: { as: 'm', nullable: true },
  disposition: { as: 'd', nullable: true },
  closed_by: { as: 'b', nullable: true },
  reference: { as: 'f', nullable: true },
  opened_at: { as: 'oa', nullable: false },
  acknowledged_at: { as: 'ka', nullable: true },
  closed_at: { as: 'ca', nullable: true },
  booking: { as: 'bk', nullable: true },
  version: { as: 'v', nullable: false },
};

const FIELDS = Object.entries(FOLLOW_UP_FIELDS) as [keyof FollowUp, { as: string; nullable: boolean }][];
const KNOWN: ReadonlySet<string> = new Set(FIELDS.flatMap(([name, { as }]) => [name, as]));

/** The version a stored `fu` holds, under its short name or its own (a legacy `fu`, or one written before the short names). */
export function storedVersion(stored: Record<string, unknown>): unknown {
  return FOLLOW_UP_FIELDS.version.as in stored ? stored[FOLLOW_UP_FIELDS.version.as] : stored.version;
}

/** The follow-up as `fu` holds it: without `missing` and `closed_by` (their own attributes). */
export type FollowUpFields = Omit<FollowUp, 'missing' | 'closed_by'>;

/**
 * `fu` of a follow-up: its fields under their short names, without the id, the
 * transaction id when it is the id, or a nullable field that is null. A field
 * FOLLOW_UP_FIELDS does not know (none, by type) would be kept under its name.
 */
export function followUpAttribute(followUp: FollowUpFields): Record<string, unknown> {
  const fields: Record<string, unknown> = followUp;
  const stored: Record<string, unknown> = {};
  for (const [name, { as, nullable }] of FIELDS) {
    const value = fields[name];
    if (name === 'id' || !(name in fields) || (nullable && value === null)) continue;
    if (name === 'transaction_id' && value === followUp.id) continue;
    stored[as] = value;
  }
  // An explicit null transaction id is its own marker (absent: the id).
  if (followUp.transaction_id === null) stored[FOLLOW_UP_FIELDS.transaction_id.as] = null;
  for (const [name, value] of Object.entries(fields)) if (!KNOWN.has(name)) stored[name] = value;
  return stored;
}

/**
 * The follow-up `fu` holds, on the item of follow-up `id` (its partition key's;
 * null: an item read without its keys): every field under its own name, the
 * left-out ones restored, in the contract's order. A legacy `fu` (it carries
 * its `id`, every field under its own name) is returned as it is, as read
 * before issue 76.
 */
export function followUpOfAttribute(stored: Record<string, unknown>, id: string | null): FollowUpFields {
  if ('id' in stored) return stored as unknown as FollowUpFields;
  if (id === null) throw new Error('a follow-up item read without its keys');
  const restored: Record<string, unknown> = {};
  for (const [name, { as, nullable }] of FIELDS) {
    // Under its short name; under its own in a compact `fu` written before the short names.
    const at = as in stored ? as : name in stored ? name : null;
    if (name === 'id') restored.id = id;
    else if (at !== null) restored[name] = stored[at];
    else if (name === 'transaction_id') restored.transaction_id = id;
    else if (nullable && name !== 'missing' && name !== 'closed_by') restored[name] = null;
  }
  for (const [name, value] of Object.entries(stored)) if (!KNOWN.has(name)) restored[name] = value;
  return restored as unknown as FollowUpFields;
}
