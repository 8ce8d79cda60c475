/**
 * A follow-up's `fhir` (CONTRACT §13) for GET /follow-ups/{id}: what the FHIR
 * server confirmed of its Task against the follow-up's current digest. Loaded
 * by the route on first use, and only with FHIR on: computing the digest needs
 * the whole Task mapping and its words, which no other route needs at a cold start.
 */
import type { FhirSystems } from '../core/fhir/task';
import { fhirViewOf, type FhirView } from '../core/fhir/view';
import { digestOf } from '../fhir/sync/source';
import { readConfirmation } from '../store/fhir-records';
import type { StoredFollowUp } from '../store/follow-ups/item';
import type { TableClient } from '../store/table-client';

/** `now`: when the page reads it (a next try that has passed shows as the next tick, core/fhir/retry.ts). */
export async function fhirViewOfStored(db: TableClient, tableName: string, stored: StoredFollowUp, fhir: { baseUrl: string; systems: FhirSystems }, now = new Date()): Promise<FhirView | null> {
  const confirmation = await readConfirmation(db, tableName, stored.followUp.id, fhir.baseUrl, false);
  return fhirViewOf(confirmation, digestOf(stored, fhir.systems), fhir.baseUrl, stored.followUp.version, now);
}
