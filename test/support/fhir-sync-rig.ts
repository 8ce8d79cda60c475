/**
 * The rig of the files that sync follow-ups against the stand-in FHIR server
 * (Medplum's engine) on a DynamoDB Local table of their own, the EHR's work
 * read with the default thresholds: the table, the stand-in, the sync's
 * dependencies and the stand-in's host (what an unreadable history names).
 */
import { DEFAULT_FHIR_SYSTEMS } from '../../functions/core/fhir/task';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFhirHttp } from '../../functions/fhir/client/http';
import type { SyncDeps } from '../../functions/fhir/sync/sync';
import { startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { createTestTable, type TestTable } from './dynamodb';

export interface FhirSyncRig {
  table: TestTable;
  standin: FhirStandin;
  sync: SyncDeps;
  host: string;
  stop(): Promise<void>;
}

/** Starts the rig for a file (call it in `beforeAll`, `stop` in `afterAll`); `name` names its table. */
export async function startFhirSyncRig(name: string): Promise<FhirSyncRig> {
  const [table, standin] = await Promise.all([createTestTable(name), startFhirStandin()]);
  const http = createFhirHttp({ baseUrl: standin.url, tokens: null });
  const sync: SyncDeps = { db: table.db, tableName: table.tableName, http, systems: DEFAULT_FHIR_SYSTEMS, baseUrl: standin.url, now: () => new Date(), ehr: { thresholds: DEFAULT_THRESHOLDS } };
  return { table, standin, sync, host: new URL(standin.url).host, stop: async () => void (await Promise.all([table.drop(), standin.stop()])) };
}
