/**
 * The follow-up item's `fu` attribute (item.ts A.followUp): the FollowUp view,
 * stored compactly (issue 76). A write is billed by the KB, on the table and
 * again on the by-transaction index (which projects ALL), so the item leaves
 * out what its reader can restore:
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

/** What a field of T may hold: `nullable` when null is one of its values, `kept` otherwise. */
export type FieldKinds<T> = { [K in keyof T]-?: null extends T[K] ? 'nullable' : 'kept' };

/**
 * Every field of FollowUp (core/follow-up/states.ts) in the contract's order,
 * and whether null is one of its values: a field added to FollowUp, or made
 * nullable, and not said here fails typecheck.
 */
export const FOLLOW_UP_FIELDS: FieldKinds<FollowUp> = {
  id: 'kept',
  transaction_id: 'nullable',
  initial_order_id: 'nullable',
  redraw_order_id: 'nullable',
  state: 'kept',
  owner: 'nullable',
  snoozed_until: 'nullable',
  snooze_reason: 'nullable',
  contact_attempts: 'kept',
  last_contact: 'nullable',
  attention: 'nullable',
  missing: 'nullable',
  disposition: 'nullable',
  closed_by: 'nullable',
  reference: 'nullable',
  opened_at: 'kept',
  acknowledged_at: 'nullable',
  closed_at: 'nullable',
  version: 'kept',
};

const FIELDS = Object.entries(FOLLOW_UP_FIELDS) as [keyof FollowUp, 'nullable' | 'kept'][];

/** The follow-up as `fu` holds it: without `missing` and `closed_by` (their own attributes). */
export type FollowUpFields = Omit<FollowUp, 'missing' | 'closed_by'>;

/** `fu` of a follow-up: its fields without the id, the transaction id when it is the id, or a nullable field that is null. */
export function followUpAttribute(followUp: FollowUpFields): Record<string, unknown> {
  const { id, transaction_id: transactionId, ...rest } = followUp;
  const kept = Object.entries(rest).filter(([name, value]) => value !== null || FOLLOW_UP_FIELDS[name as keyof FollowUp] !== 'nullable');
  return { ...(transactionId === id ? {} : { transaction_id: transactionId }), ...Object.fromEntries(kept) };
}

/**
 * The follow-up `fu` holds, on the item of follow-up `id` (its partition key's;
 * null: an item read without its keys): the left-out fields restored, in the
 * contract's order. A legacy `fu` (it carries its `id`) is returned as it is,
 * as read before issue 76.
 */
export function followUpOfAttribute(stored: Record<string, unknown>, id: string | null): FollowUpFields {
  if ('id' in stored) return stored as unknown as FollowUpFields;
  if (id === null) throw new Error('a follow-up item read without its keys');
  const restored: Record<string, unknown> = {};
  for (const [name, kind] of FIELDS) {
    if (name === 'id') restored.id = id;
    else if (name === 'transaction_id') restored.transaction_id = name in stored ? stored[name] : id;
    else if (name in stored) restored[name] = stored[name];
    else if (kind === 'nullable' && name !== 'missing' && name !== 'closed_by') restored[name] = null;
  }
  // A field this module does not know (none today) is kept as stored.
  return { ...restored, ...stored } as unknown as FollowUpFields;
}
