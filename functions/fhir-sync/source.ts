/**
 * What a follow-up's Task is computed from (CONTRACT §13), for a stored
 * follow-up: the writer, the sweep and the query function (its `fhir` state)
 * compute the same digest from the same item. No request here, so the query
 * function bundles none of the FHIR client.
 */
import { digestedTaskOf, followUpKind, type FhirSystems, type TaskSource } from '../core/fhir-task';
import type { StoredFollowUp } from '../store/follow-ups/item';

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

/** The digest of a stored follow-up's Task (what a confirmation is compared with), hashed once. */
export function digestOf(stored: StoredFollowUp, systems: FhirSystems): string {
  return digestedTaskOf(taskSourceOf(stored), systems).digest;
}
