/**
 * `GET /local/fhir` (CONTRACT §13): how the follow-ups' Tasks stand on the
 * configured FHIR server, for `npm start` and its tests: per follow-up of the
 * worklist's listings (open, then closed and still kept), whether its Task is
 * confirmed at its current content, behind, refused or changed in the EHR, or
 * was never sent; and how many pending records wait for the next try; and how
 * often the EHR's changes are polled (`poll_seconds`, FHIR_POLL_SECONDS; null
 * with FHIR_EHR_ACTIONS off), for the simulator's words. A walk of the
 * listings: a local diagnostic, never a route of the deployed API.
 */
import type { FhirSystems } from '../../functions/core/fhir/task';
import { fhirViewOf } from '../../functions/core/fhir/view';
import { digestOf } from '../../functions/fhir/sync/source';
import { expired, parseStored } from '../../functions/store/follow-ups/item';
import { countPending, readConfirmation } from '../../functions/store/fhir-records';
import { indexPartition, queryItems } from '../../functions/store/query-pages';
import { TABLE } from '../../functions/store/table';
import { FOLLOW_UP_LISTING_PARTITIONS } from '../../functions/store/keys/index';
import type { TableClient } from '../../functions/store/table-client';

export interface LocalFhirStatus {
  base_url: string;
  follow_ups: number;
  confirmed: number;
  behind: number;
  refused: number;
  changed_in_ehr: number;
  conflict: number;
  deleted_in_ehr: number;
  never_sent: number;
  pending: number;
  poll_seconds: number | null;
}

export async function localFhirStatus(
  db: TableClient,
  tableName: string,
  fhir: { baseUrl: string; systems: FhirSystems; pollSeconds: number | null },
  now: Date,
): Promise<LocalFhirStatus> {
  const status: LocalFhirStatus = { base_url: fhir.baseUrl, follow_ups: 0, confirmed: 0, behind: 0, refused: 0, changed_in_ehr: 0, conflict: 0, deleted_in_ehr: 0, never_sent: 0, pending: 0, poll_seconds: fhir.pollSeconds };
  for (const partition of [FOLLOW_UP_LISTING_PARTITIONS.open, FOLLOW_UP_LISTING_PARTITIONS.closed]) {
    for await (const item of queryItems(db, indexPartition(tableName, TABLE.byTransaction, partition))) {
      if (expired(item, now)) continue;
      const stored = parseStored(item);
      status.follow_ups += 1;
      const confirmation = await readConfirmation(db, tableName, stored.followUp.id, fhir.baseUrl, true);
      const view = fhirViewOf(confirmation, digestOf(stored, fhir.systems), fhir.baseUrl, stored.followUp.version);
      if (view === null) status.never_sent += 1;
      else if (view.state === 'current') status.confirmed += 1;
      else status[view.state] += 1;
    }
  }
  status.pending = await countPending(db, tableName, 100_000);
  return status;
}
