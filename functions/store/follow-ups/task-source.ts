/**
 * What a follow-up's FHIR Task is computed from (CONTRACT §13), for a stored
 * follow-up, and the marker every write of a follow-up item carries when that
 * Task's content or the item's expiry changed (§13, "Only writes that matter
 * reach the writer"). The marker is written FHIR on or off: it knows no
 * settings, since the systems and the console URL are the same for every
 * write of one deployment, so the Task changes exactly when its content under
 * the default systems does. The FHIR writer's stream mapping passes only the
 * records whose new image carries it.
 */
import { contentDigest, DEFAULT_FHIR_SYSTEMS, followUpKind, taskOf, type TaskSource } from '../../core/fhir-task';
import type { StoredFollowUp } from './item';

/** What the Task is computed from, for a stored follow-up. */
export function taskSourceOf(stored: StoredFollowUp): TaskSource {
  return {
    followUp: stored.followUp,
    stale: (stored.staleFlag ?? null) !== null,
    lastAt: stored.last?.at ?? null,
    revision: stored.revision,
    kind: followUpKind(stored.followUp, stored.applied),
  };
}

/** The Task's content as the marker compares it (any deployment's systems tell the same changes). */
function contentKey(stored: Omit<StoredFollowUp, 'revision'>): string {
  return contentDigest(taskOf(taskSourceOf({ ...stored, revision: 0 }), DEFAULT_FHIR_SYSTEMS), DEFAULT_FHIR_SYSTEMS);
}

/** Whether a write of `next` over `from` (null: a creation) changes its Task's content or the item's expiry: the marker. */
export function changesFhirTask(from: StoredFollowUp | null, next: Omit<StoredFollowUp, 'revision'>): boolean {
  return from === null || from.expiresAt !== next.expiresAt || contentKey(from) !== contentKey(next);
}
