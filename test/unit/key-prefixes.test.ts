/**
 * The read-only readers' partitions (functions/store/key-prefixes.ts, issue 45
 * item 6) against every partition family of the table design: each key builder
 * of store/keys/ and each partition constant is classified here, so a new
 * family fails the type check (or this test) until someone says who reads it.
 * test/integration/read-partitions.test.ts shows the other half: every key the
 * readers build is within their partitions.
 */
import { describe, expect, it } from 'vitest';
import {
  backfillKeys,
  CLAIM_SCOPES,
  claimKey,
  CLOSES_COUNTED_KEY,
  fhirKeys,
  FOLLOW_UP_LISTING_PARTITIONS,
  keys,
  leaseKey,
  OPEN_REDRAW_PARTITIONS,
  PARKED_WORK_PARTITION,
  QUARANTINE_LISTING_PARTITION,
  RECONCILE_PARTITION,
  RESULTS_WANTED_PARTITION,
  SYNC_STATE_KEY,
  unitKeys,
} from '../../functions/store/keys';
import { leadingKeyPatterns, leadsWith, READER_PARTITIONS, type Reader } from '../../functions/store/key-prefixes';

type Where = 'table' | 'indexes';

/**
 * Every builder of `keys`: a sample partition key value it builds and who may
 * read that partition (per reader: where), or `sort` for a builder of sort keys.
 */
const BUILDERS: Record<keyof typeof keys, { pk: string; readers: Partial<Record<Reader, Where[]>> } | 'sort'> = {
  order: { pk: keys.order('o-1').pk, readers: { query: ['table', 'indexes'], digest: ['table', 'indexes'] } },
  appointment: { pk: keys.appointment('o-1').pk, readers: { query: ['table', 'indexes'], digest: ['table', 'indexes'] } },
  transaction: { pk: keys.transaction('t-1').pk, readers: { query: ['table'] } },
  quarantine: { pk: keys.quarantine('msg_1').pk, readers: {} },
  quarantineChunk: { pk: keys.quarantineChunk('msg_1', 0).pk, readers: {} },
  quarantinePartition: { pk: keys.quarantinePartition('msg_1'), readers: {} },
  parkedWork: { pk: keys.parkedWork('record-1').pk, readers: {} },
  followUp: { pk: keys.followUp('t-1').pk, readers: { query: ['table', 'indexes'], digest: ['indexes'] } },
  followUpHistory: { pk: keys.followUpHistory('t-1', 2).pk, readers: { query: ['table', 'indexes'], digest: ['indexes'] } },
  reportRow: { pk: keys.reportRow('opened', '2026-04-07T08:00:00.000000Z', 'token').pk, readers: { query: ['table'], digest: ['table'] } },
  reportLedger: { pk: keys.reportLedger('token', 'follow_up').pk, readers: {} },
  resultsWanted: { pk: keys.resultsWanted('o-1').pk, readers: {} },
  quarantineListingSort: 'sort',
  openRedrawSort: 'sort',
  behindSort: 'sort',
  resultsWantedSort: 'sort',
  openFollowUpSort: 'sort',
  closedFollowUpSort: 'sort',
  // The worklist index's sort key and its parts (its partitions are the listing's, above).
  ownerKey: 'sort',
  worklistSort: 'sort',
  openWorklistOrder: 'sort',
};

/** The partitions that are constants (of the table, or of an index), and the store's own families outside `keys`. */
const PARTITIONS: { pk: string; readers: Partial<Record<Reader, Where[]>> }[] = [
  { pk: QUARANTINE_LISTING_PARTITION, readers: {} },
  { pk: PARKED_WORK_PARTITION, readers: {} },
  { pk: RECONCILE_PARTITION, readers: {} },
  { pk: RESULTS_WANTED_PARTITION, readers: {} },
  { pk: leaseKey('sweep').pk, readers: {} },
  ...Object.values(CLAIM_SCOPES).map((scope) => ({ pk: claimKey(scope, 'a-message').pk, readers: {} })),
  { pk: OPEN_REDRAW_PARTITIONS.awaitingRedraw, readers: { query: ['indexes'] } },
  { pk: OPEN_REDRAW_PARTITIONS.redrawInProgress, readers: { query: ['indexes'] } },
  { pk: OPEN_REDRAW_PARTITIONS.stale, readers: { query: ['indexes'], digest: ['indexes'] } },
  { pk: FOLLOW_UP_LISTING_PARTITIONS.open, readers: { query: ['indexes'], digest: ['indexes'] } },
  { pk: FOLLOW_UP_LISTING_PARTITIONS.closed, readers: { query: ['indexes'] } },
  // The FHIR writer's bookkeeping and the sweep's own: no reader's.
  ...[fhirKeys.pending('2026-04-07T08:00:00.000000Z', 'f-1'), fhirKeys.confirmation('f-1'), fhirKeys.seed('https://ehr.example/fhir'), fhirKeys.poll('https://ehr.example/fhir')].map(({ pk }) => ({ pk, readers: {} })),
  { pk: backfillKeys({ since: '2026-04-01T00:00:00.000000Z', until: null }).pk, readers: {} },
  { pk: SYNC_STATE_KEY.pk, readers: {} },
  // Under the report rows' prefix: what a report reads beside its rows.
  ...[unitKeys.counts('hour', 0), unitKeys.mark('day', 0), unitKeys.built('hour'), CLOSES_COUNTED_KEY].map(({ pk }) => ({ pk, readers: { query: ['table'], digest: ['table'] } as const })),
];

const FAMILIES = [...Object.values(BUILDERS).flatMap((builder) => (builder === 'sort' ? [] : [builder])), ...PARTITIONS];

describe('the partitions the read-only readers may lead with', () => {
  it.each(['query', 'digest'] as const)('let the %s function lead with exactly the families it reads, on the table and in the indexes', (reader) => {
    for (const family of FAMILIES) {
      for (const where of ['table', 'indexes'] as const) {
        expect(leadsWith(READER_PARTITIONS[reader][where], family.pk), `${reader} ${where} ${family.pk}`).toBe(family.readers[reader]?.includes(where) ?? false);
      }
    }
  });

  it('never let a reader name a quarantined body, its chunks or its listing', () => {
    for (const partitions of Object.values(READER_PARTITIONS)) {
      for (const pk of [keys.quarantine('x').pk, keys.quarantineChunk('x', 3).pk, QUARANTINE_LISTING_PARTITION, 'QUARANTINE#']) {
        expect(leadsWith(partitions.table, pk), pk).toBe(false);
        expect(leadsWith(partitions.indexes, pk), pk).toBe(false);
      }
    }
  });

  it('turn prefixes into IAM patterns ending in * and whole partitions into themselves, and refuse a value holding a wildcard', () => {
    expect(leadingKeyPatterns({ prefixes: ['ORDER#'], partitions: ['REDRAW#stale'] })).toEqual(['ORDER#*', 'REDRAW#stale']);
    expect(() => leadingKeyPatterns({ prefixes: ['ORDER*'], partitions: [] })).toThrow(/not a partition key prefix/);
    expect(() => leadingKeyPatterns({ prefixes: [], partitions: ['REDRAW#?'] })).toThrow(/not a partition key prefix/);
    expect(() => leadingKeyPatterns({ prefixes: [''], partitions: [] })).toThrow(/not a partition key prefix/);
  });
});
