/**
 * EHR work that needs a person (CONTRACT §12 "Needs attention", §13): a
 * follow-up whose Task the EHR's server refused, or that someone changed or
 * deleted in the EHR, or changed there while a person acted here. The
 * follow-up item keeps it as a flag (store/follow-ups/item.ts `ea`, and `e` of
 * its worklist entry), so the lists, the queue counts and the CLI's queue see
 * it from the worklist index alone, as they see a stale flag. The FHIR writer
 * sets it from what a delivery ended with (functions/fhir/sync/ehr-attention.ts);
 * a person's next action on the follow-up drops it. Plain functions over plain
 * data, a leaf: the queues, the store and the console's words import it.
 */

/** The `fhir.state` values that need a person, in §13's order (the first that holds is the one answered). */
export const EHR_ATTENTIONS = ['deleted_in_ehr', 'conflict', 'changed_in_ehr', 'refused'] as const;
export type EhrAttention = (typeof EHR_ATTENTIONS)[number];

/** Whether a value is one of EHR_ATTENTIONS (an item, a query parameter: decoded at the edge). */
export function isEhrAttention(value: unknown): value is EhrAttention {
  return typeof value === 'string' && (EHR_ATTENTIONS as readonly string[]).includes(value);
}

/** The flag on a follow-up item: what needs a person, since when (the delivery that found it). */
export interface EhrAttentionFlag {
  kind: EhrAttention;
  since: string;
}

/** EHR work that needs a person, as a list's row says it (CONTRACT §12 "Needs attention"): the console's and the CLI's. */
const EHR_ATTENTION_WORDS: Readonly<Record<EhrAttention, string>> = {
  changed_in_ehr: 'Changed in the EHR: not applied',
  conflict: 'Changed in both places',
  deleted_in_ehr: 'Deleted in the EHR',
  refused: 'Refused by the EHR',
};

/** The words of a flag as an answer gives it (a state a later tracker added, or none: null). */
export function ehrAttentionWords(kind: string | null | undefined): string | null {
  return isEhrAttention(kind) ? EHR_ATTENTION_WORDS[kind] : null;
}

/** What a delivery of a Task ended with, as far as the flag reads it (fhir/sync/sync.ts SyncOutcome). */
export interface DeliveryEnd {
  kind: string;
  /** Work done in the EHR the delivery met: `conflict` when it met a person's action here. */
  ehr?: string;
}

/**
 * The flag a delivery leaves: the EHR work that needs a person it ended on,
 * null once the Task is current (written, or already so, without a conflict),
 * or `keep` when it ended without knowing (no answer, the follow-up gone, a
 * credential refused): the flag stays as it is until a delivery knows.
 */
export function ehrAttentionAfter(end: DeliveryEnd): EhrAttention | null | 'keep' {
  switch (end.kind) {
    case 'refused':
    case 'changed_in_ehr':
    case 'deleted_in_ehr':
      return end.kind;
    case 'written':
    case 'unchanged':
      return end.ehr === 'conflict' ? 'conflict' : null;
    default:
      return 'keep';
  }
}

/** What a confirmation record says, as far as the migration's reading of the flag needs it (core/fhir/view.ts ConfirmationFacts). */
export interface ConfirmedHolds {
  deletedInEhrVersion: number | null;
  conflictVersion?: number | null;
  changedInEhrDigest: string | null;
  refusedDigest: string | null;
}

/**
 * The flag a follow-up written before it is given by `migrate` (no FHIR
 * settings there, so no Task digest to compare): from its confirmation record
 * alone, in §13's order, a refusal counted while the record keeps it (a later
 * write that the server confirmed clears it there). The writer's next delivery
 * of the follow-up sets the exact one.
 */
export function ehrAttentionOfRecord(record: ConfirmedHolds | null, version: number): EhrAttention | null {
  if (record === null) return null;
  if (record.deletedInEhrVersion !== null) return 'deleted_in_ehr';
  if ((record.conflictVersion ?? null) !== null && record.conflictVersion === version) return 'conflict';
  if (record.changedInEhrDigest !== null) return 'changed_in_ehr';
  return record.refusedDigest !== null ? 'refused' : null;
}
