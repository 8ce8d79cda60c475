/**
 * The marker every write of a follow-up item carries when what its FHIR Task is
 * computed from, or the item's expiry, changed (CONTRACT §13, "Only writes that
 * matter reach the writer"): the FHIR writer's stream mapping passes only the
 * records whose new image carries it. It is written FHIR on or off, and knows no
 * settings: the Task is a function of the follow-up, its stale flag, its newest
 * version's time and the facts that tell its kind (functions/fhir/sync/source.ts
 * taskSourceOf), and of a deployment's systems, which do not change between two
 * writes. Comparing those inputs, not the mapped Task, keeps the mapping (and
 * its words) out of every function that writes a follow-up; a field the Task
 * does not map (a reference, say) marks a write it need not, never the other way.
 */
import { canonicalJson } from '../../core/canonical-json';
import type { StoredFollowUp } from './item';

/** What the Task is computed from, as one text (key order does not count). */
function taskInputs(stored: Omit<StoredFollowUp, 'revision'>): string {
  return canonicalJson([stored.followUp, (stored.staleFlag ?? null) !== null, stored.last?.at ?? null, stored.applied.includes('no_redraw'), stored.ehrOwner ?? null]);
}

/** Whether a write of `next` over `from` (null: a creation) changes its Task's inputs or the item's expiry: the marker. */
export function changesFhirTask(from: StoredFollowUp | null, next: Omit<StoredFollowUp, 'revision'>): boolean {
  return from === null || from.expiresAt !== next.expiresAt || taskInputs(from) !== taskInputs(next);
}
