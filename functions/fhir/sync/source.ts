/**
 * What a follow-up's Task is computed from (CONTRACT §13), for a stored
 * follow-up: the writer, the sweep and the query function (its `fhir` state)
 * compute the same digest from the same item. No request here, so the query
 * function bundles none of the FHIR client.
 */
import { digestedTaskOf, followUpKind, type FhirSystems, type FhirTask, type TaskSource } from '../../core/fhir/task';
import type { StoredFollowUp } from '../../store/follow-ups/item';

/** What the Task is computed from, for a stored follow-up (store/follow-ups/fhir-marker.ts marks a write that changes it). */
export function taskSourceOf(stored: StoredFollowUp): TaskSource {
  return {
    followUp: stored.followUp,
    stale: (stored.staleFlag ?? null) !== null,
    lastAt: stored.last?.at ?? null,
    revision: stored.revision,
    kind: followUpKind(stored.followUp, stored.applied),
    ownerReference: stored.ehrOwner != null && stored.ehrOwner.value === stored.followUp.owner ? stored.ehrOwner.reference : null,
  };
}

/** A stored follow-up's Task and its digest, hashed once; `key` names the content (its opening and write revision). */
export interface DigestedTask {
  key: string;
  source: TaskSource;
  task: FhirTask;
  digest: string;
}

/** The Task of a stored follow-up with its digest: what a delivery computes once and passes on. */
export function digestedOf(stored: StoredFollowUp, systems: FhirSystems): DigestedTask {
  const source = taskSourceOf(stored);
  return { key: contentKey(stored), source, ...digestedTaskOf(source, systems) };
}

/** The digest of a stored follow-up's Task (what a confirmation is compared with). */
export function digestOf(stored: StoredFollowUp, systems: FhirSystems): string {
  return digestedOf(stored, systems).digest;
}

/**
 * What names one content of a follow-up within a delivery: its opening and its
 * write revision (every write of the item bumps it; a follow-up that returns
 * after an expiry is another opening).
 */
export function contentKey(stored: StoredFollowUp): string {
  return `${stored.followUp.opened_at}#${stored.revision}`;
}
