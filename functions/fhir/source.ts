/**
 * What a follow-up's Task is computed from (CONTRACT §13), for a stored
 * follow-up: the writer, the sweep and the query function (its `fhir` state)
 * compute the same digest from the same item. No request here, so the query
 * function bundles none of the FHIR client.
 */
import { contentDigest, taskOf, type FhirSystems } from '../core/fhir-task';
import type { StoredFollowUp } from '../store/follow-ups/item';
import { taskSourceOf } from '../store/follow-ups/task-source';

export { taskSourceOf };

/** The digest of a stored follow-up's Task (what a confirmation is compared with). */
export function digestOf(stored: StoredFollowUp, systems: FhirSystems): string {
  return contentDigest(taskOf(taskSourceOf(stored), systems), systems);
}
