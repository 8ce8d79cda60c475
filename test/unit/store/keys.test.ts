/**
 * Every key layout of the table (functions/store/keys/): each builder's output
 * pinned byte for byte (stored data is read with these layouts and the readers'
 * grants are built from them, so a changed layout must fail here first), each
 * parser the inverse of its builder, and each parser refusing what is not its own.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backfillKeys,
  CLAIM_SCOPES,
  claimKey,
  CLOSES_COUNTED_KEY,
  fhirKeys,
  FOLLOW_UP_LISTING_PARTITIONS,
  followUpIdOfPartition,
  isPendingBehind,
  keys,
  type KeyedItem,
  leaseKey,
  NO_OWNER_KEY,
  OPEN_REDRAW_PARTITIONS,
  orderIdOfPartition,
  PARKED_WORK_PARTITION,
  parseAppointmentKey,
  parseBackfillKey,
  parseClaimKey,
  parseConfirmationKey,
  parseFollowUpKey,
  parseHistoryKey,
  parseListingSort,
  parseOrderKey,
  parseParkedWorkKey,
  parsePendingSort,
  parseQuarantineChunkKey,
  parseQuarantineKey,
  parseQuarantineListingSort,
  parseReportRowKey,
  parseReportRowSort,
  parseResultsWantedKey,
  parseTimeSort,
  parseTransactionKey,
  parseUnitSort,
  parseWorklistSort,
  QUARANTINE_LISTING_PARTITION,
  RECONCILE_PARTITION,
  reportToken,
  RESULTS_WANTED_PARTITION,
  rowKey,
  SYNC_STATE_KEY,
  transactionIdOfPartition,
  unitKeys,
  unitSort,
  worklistRange,
} from '../../../functions/store/keys';
import { propertyRuns } from '../../support/property-runs';

const AT = '2026-04-07T08:00:00.000000Z';
const BASE = 'https://ehr.example/fhir';
/** SHA-256 of BASE, base64url, first 22 characters (the servers' and owners' hash part). */
const BASE_HASH = '8tsedqHiaiAlJ9vO_6xmKU';

describe('each layout, byte for byte', () => {
  it('orders, appointments, transactions, results wanted and the open-redraws index', () => {
    expect(keys.order('o-1')).toEqual({ pk: 'ORDER#o-1', sk: 'ORDER' });
    expect(keys.appointment('o-1')).toEqual({ pk: 'ORDER#o-1', sk: 'APPT' });
    expect(keys.transaction('t-1')).toEqual({ pk: 'TXN#t-1', sk: 'TXN' });
    expect(keys.resultsWanted('o-1')).toEqual({ pk: 'RESULTS#o-1', sk: 'RESULTS' });
    expect(keys.openRedrawSort(AT, 'o-1')).toBe(`${AT}#o-1`);
    expect(keys.behindSort(AT, 't-1')).toBe(`${AT}#t-1`);
    expect(keys.resultsWantedSort(AT, 'o-1')).toBe(`${AT}#o-1`);
    expect(OPEN_REDRAW_PARTITIONS).toEqual({ redrawInProgress: 'REDRAW#in_progress', awaitingRedraw: 'REDRAW#awaiting', stale: 'REDRAW#stale' });
    expect([RECONCILE_PARTITION, RESULTS_WANTED_PARTITION]).toEqual(['RECONCILE#behind', 'RESULTS#wanted']);
  });

  it('follow-ups, their history and the worklist', () => {
    expect(keys.followUp('f-1')).toEqual({ pk: 'FOLLOWUP#f-1', sk: 'FOLLOWUP' });
    expect(keys.followUpHistory('f-1', 12)).toEqual({ pk: 'FOLLOWUP#f-1', sk: 'HIST#00000012' });
    expect(FOLLOW_UP_LISTING_PARTITIONS).toEqual({ open: 'FOLLOWUPS#open', closed: 'FOLLOWUPS#closed' });
    expect(keys.openFollowUpSort(AT, 'f-1')).toBe(`${AT}#f-1`);
    expect(keys.openFollowUpSort(AT, 'f-1', true)).toBe(`!${AT}#f-1`);
    expect(keys.openFollowUpSort(null, 'f-1')).toBe('~#f-1');
    expect(keys.openFollowUpSort(AT, 'f-1', true, 1_796_040_000_000)).toBe('~1796040000000#f-1');
    expect(keys.openFollowUpSort(null, 'f-1', false, 5)).toBe('~0000000000005#f-1');
    expect(keys.openWorklistOrder(null, true)).toBe('!~');
    expect(keys.closedFollowUpSort(AT, 'f-1')).toBe(`${AT}#f-1`);
    expect(keys.ownerKey(null)).toBe(NO_OWNER_KEY);
    expect(NO_OWNER_KEY).toBe('none');
    expect(keys.ownerKey(BASE)).toBe(BASE_HASH);
    expect(keys.worklistSort(BASE_HASH, `!${AT}`)).toBe(`${BASE_HASH}#!${AT}`);
    expect(worklistRange('none')).toBe('none#');
  });

  it('quarantine and parked work', () => {
    expect(keys.quarantine('msg_1')).toEqual({ pk: 'QUARANTINE#msg_1', sk: 'QUARANTINE' });
    expect(keys.quarantineChunk('msg_1', 3)).toEqual({ pk: 'QUARANTINE#msg_1', sk: 'CHUNK#0003' });
    expect(keys.quarantinePartition('msg_1')).toBe('QUARANTINE#msg_1');
    expect(keys.quarantineListingSort(AT, 'msg_1')).toBe(`${AT}#msg_1`);
    expect(QUARANTINE_LISTING_PARTITION).toBe('QUARANTINE');
    expect(keys.parkedWork('rec-1')).toEqual({ pk: 'PARKED', sk: 'WORK#rec-1' });
    expect(PARKED_WORK_PARTITION).toBe('PARKED');
  });

  it('reports: rows, units, ledgers and the closes record', () => {
    expect(keys.reportRow('opened', AT, 'tok')).toEqual({ pk: 'REPORT#opened#2026-04', sk: `${AT}#tok` });
    expect(reportToken('f-1')).toMatch(/^[0-9a-f]{20}$/);
    expect(rowKey('f-1', { kind: 'opened', at: AT })).toEqual({ pk: 'REPORT#opened#2026-04', sk: `${AT}#${reportToken('f-1')}` });
    // A first booking's row beside the opened rows (a report reads it in no request more), under a token of its own.
    expect(rowKey('f-1', { kind: 'booked', at: AT, lab: 'quest', hours: 3 })).toEqual({ pk: 'REPORT#opened#2026-04', sk: `${AT}#${reportToken('f-1#booked')}` });
    expect(keys.reportLedger('tok', 'transaction')).toEqual({ pk: 'REPORTED#tok', sk: 'transaction' });
    const start = Date.parse('2026-04-07T08:00:00Z');
    expect(unitKeys.counts('hour', start)).toEqual({ pk: 'REPORT#unit-hour#2026-04', sk: '2026-04-07T08:00:00.000000Z' });
    expect(unitKeys.mark('day', start)).toEqual({ pk: 'REPORT#unit-mark-day', sk: '2026-04-07T08:00:00.000000Z' });
    expect(unitKeys.built('hour')).toEqual({ pk: 'REPORT#unit-built', sk: 'hour' });
    expect(CLOSES_COUNTED_KEY).toEqual({ pk: 'REPORT#counting', sk: 'closes_by_person' });
  });

  it('FHIR bookkeeping', () => {
    expect(fhirKeys.pending(AT, 'f-1')).toEqual({ pk: 'FHIR#PENDING', sk: `${AT}#f-1` });
    expect(fhirKeys.pendingBehind('2026-04-08T00:00:00.000Z', AT, 'f-1')).toEqual({ pk: 'FHIR#PENDING', sk: `~2026-04-08T00:00:00.000Z#${AT}#f-1` });
    expect(fhirKeys.pendingDueBefore('2026-04-08T00:00:00.000Z')).toBe('~2026-04-08T00:00:00.000Z');
    expect(fhirKeys.confirmation('f-1')).toEqual({ pk: 'FHIRTASK#f-1', sk: 'FHIRTASK' });
    expect(fhirKeys.seed(BASE)).toEqual({ pk: 'FHIR#SEED', sk: BASE_HASH });
    expect(fhirKeys.poll(BASE)).toEqual({ pk: 'FHIR#POLL', sk: BASE_HASH });
    expect(fhirKeys.notifiedPoll(BASE)).toEqual({ pk: 'FHIR#POLL', sk: `${BASE_HASH}#notified` });
    expect(fhirKeys.noticeCount(BASE, 'bearer:post', '2026-04-06T10:15')).toEqual({ pk: 'FHIR#POLL', sk: `${BASE_HASH}#notices#bearer:post#2026-04-06T10:15` });
  });

  it('leases, claims, backfill checkpoints and the sync state', () => {
    expect(leaseKey('sweep')).toEqual({ pk: 'LEASE#sweep', sk: 'LEASE' });
    expect(claimKey(CLAIM_SCOPES.digest, 'UTC#2026-04-06')).toEqual({ pk: 'CLAIM#digest#UTC#2026-04-06', sk: 'CLAIM' });
    expect(backfillKeys({ since: AT, until: null })).toEqual({ pk: `BACKFILL#${AT}#open`, sk: 'BACKFILL' });
    expect(backfillKeys({ since: AT, until: 'B' })).toEqual({ pk: `BACKFILL#${AT}#B`, sk: 'BACKFILL' });
    expect(SYNC_STATE_KEY).toEqual({ pk: 'SYNC#orders', sk: 'SYNC' });
  });
});

/** Any id (`#` and all): ids are the last part of every key they are in. */
const id = fc.string({ maxLength: 12 });
/** A part that precedes another: never holds `#`. */
const part = fc.string({ maxLength: 12 }).filter((value) => !value.includes('#'));
const instant = fc.integer({ min: 0, max: 4_102_444_800_000 }).map((ms) => `${new Date(ms).toISOString().slice(0, 23)}000Z`);
const RUNS = { numRuns: propertyRuns(100) };

describe('each parser is the inverse of its builder', () => {
  it('orders, appointments, transactions, results wanted and their index sort keys', () => {
    fc.assert(
      fc.property(id, part, (value, time) => {
        expect(parseOrderKey(keys.order(value))).toEqual({ orderId: value });
        expect(orderIdOfPartition(keys.order(value).pk)).toBe(value);
        expect(parseAppointmentKey(keys.appointment(value))).toEqual({ orderId: value });
        expect(parseTransactionKey(keys.transaction(value))).toEqual({ transactionId: value });
        expect(transactionIdOfPartition(keys.transaction(value).pk)).toBe(value);
        expect(parseResultsWantedKey(keys.resultsWanted(value))).toEqual({ orderId: value });
        for (const sort of [keys.openRedrawSort, keys.behindSort, keys.resultsWantedSort]) expect(parseTimeSort(sort(time, value))).toEqual({ time, id: value });
      }),
      RUNS,
    );
  });

  it('follow-ups, their history and the worklist sort keys', () => {
    const dueAt = fc.option(instant, { nil: null });
    const snoozed = fc.option(fc.integer({ min: 0, max: 9_999_999_999_999 }), { nil: null });
    fc.assert(
      fc.property(id, fc.nat(), dueAt, fc.boolean(), snoozed, (value, version, due, attention, until) => {
        expect(parseFollowUpKey(keys.followUp(value))).toEqual({ id: value });
        expect(followUpIdOfPartition(keys.followUp(value).pk)).toBe(value);
        expect(parseHistoryKey(keys.followUpHistory(value, version))).toEqual({ followUpId: value, version });
        const order = keys.openWorklistOrder(due, attention, until);
        expect(parseListingSort(keys.openFollowUpSort(due, value, attention, until))).toEqual({ order, id: value });
        expect(parseListingSort(keys.closedFollowUpSort(due ?? AT, value))).toEqual({ order: due ?? AT, id: value });
        const owner = keys.ownerKey(attention ? null : value);
        expect(parseWorklistSort(keys.worklistSort(owner, order))).toEqual({ ownerKey: owner, order });
        expect(keys.worklistSort(owner, order).startsWith(worklistRange(owner))).toBe(true);
      }),
      RUNS,
    );
  });

  it('quarantine and parked work', () => {
    fc.assert(
      fc.property(id, part, fc.nat({ max: 99_999 }), (value, time, index) => {
        expect(parseQuarantineKey(keys.quarantine(value))).toEqual({ quarantineId: value });
        expect(parseQuarantineChunkKey(keys.quarantineChunk(value, index))).toEqual({ quarantineId: value, index });
        expect(parseQuarantineListingSort(keys.quarantineListingSort(time, value))).toEqual({ receivedAt: time, quarantineId: value });
        expect(parseParkedWorkKey(keys.parkedWork(value))).toEqual({ recordId: value });
      }),
      RUNS,
    );
  });

  it('report rows and units', () => {
    const kind = fc.constantFrom('opened', 'closed', 'ended', 'failures');
    const token = fc.stringMatching(/^[0-9a-f]{20}$/);
    fc.assert(
      fc.property(kind, instant, token, fc.integer({ min: 0, max: 4_102_444_800_000 }), (k, at, t, ms) => {
        expect(parseReportRowKey(keys.reportRow(k, at, t))).toEqual({ kind: k, month: at.slice(0, 7), at, token: t });
        expect(parseReportRowSort(keys.reportRow(k, at, t).sk)).toEqual({ at, token: t });
        expect(parseUnitSort(unitSort(ms))).toBe(ms);
        expect(parseUnitSort(unitKeys.counts('hour', ms).sk)).toBe(ms);
      }),
      RUNS,
    );
  });

  it('FHIR pending records and confirmations', () => {
    fc.assert(
      fc.property(id, instant, instant, (value, openedAt, nextTryAt) => {
        expect(parsePendingSort(fhirKeys.pending(openedAt, value).sk)).toEqual({ openedAt, id: value, nextTryAt: null });
        expect(parsePendingSort(fhirKeys.pendingBehind(nextTryAt, openedAt, value).sk)).toEqual({ openedAt, id: value, nextTryAt });
        expect(isPendingBehind(fhirKeys.pending(openedAt, value).sk)).toBe(false);
        expect(isPendingBehind(fhirKeys.pendingBehind(nextTryAt, openedAt, value).sk)).toBe(true);
        expect(parseConfirmationKey(fhirKeys.confirmation(value))).toEqual({ id: value });
      }),
      RUNS,
    );
  });

  it('claims and backfill checkpoints', () => {
    const scope = fc.constantFrom(...Object.values(CLAIM_SCOPES));
    const until = fc.option(part.filter((value) => value !== 'open'), { nil: null });
    fc.assert(
      fc.property(scope, id, part, until, (s, value, since, end) => {
        expect(parseClaimKey(claimKey(s, value))).toEqual({ scope: s, key: value });
        expect(parseBackfillKey(backfillKeys({ since, until: end }))).toEqual({ since, until: end });
      }),
      RUNS,
    );
  });
});

describe('each parser refuses what is not its own', () => {
  /** One item of every family: each parser of items accepts exactly its own. */
  const ITEMS = {
    order: keys.order('o-1'),
    appointment: keys.appointment('o-1'),
    transaction: keys.transaction('t-1'),
    resultsWanted: keys.resultsWanted('o-1'),
    followUp: keys.followUp('f-1'),
    history: keys.followUpHistory('f-1', 2),
    quarantine: keys.quarantine('msg_1'),
    chunk: keys.quarantineChunk('msg_1', 0),
    parked: keys.parkedWork('rec-1'),
    row: keys.reportRow('opened', AT, 'tok'),
    unit: unitKeys.counts('hour', 0),
    mark: unitKeys.mark('hour', 0),
    built: unitKeys.built('day'),
    closes: CLOSES_COUNTED_KEY,
    ledger: keys.reportLedger('tok', 'follow_up'),
    pending: fhirKeys.pending(AT, 'f-1'),
    confirmation: fhirKeys.confirmation('f-1'),
    seed: fhirKeys.seed(BASE),
    poll: fhirKeys.poll(BASE),
    lease: leaseKey('sweep'),
    claim: claimKey('notification', 'alert#o-1#x'),
    backfill: backfillKeys({ since: AT, until: null }),
    sync: SYNC_STATE_KEY,
  } as const;
  type Family = keyof typeof ITEMS;
  const PARSERS: [Family, (item: KeyedItem) => unknown][] = [
    ['order', parseOrderKey],
    ['appointment', parseAppointmentKey],
    ['transaction', parseTransactionKey],
    ['resultsWanted', parseResultsWantedKey],
    ['followUp', parseFollowUpKey],
    ['history', parseHistoryKey],
    ['quarantine', parseQuarantineKey],
    ['chunk', parseQuarantineChunkKey],
    ['parked', parseParkedWorkKey],
    ['row', parseReportRowKey],
    ['confirmation', parseConfirmationKey],
    ['claim', parseClaimKey],
    ['backfill', parseBackfillKey],
  ];

  it.each(PARSERS)('%s: only its own family', (own, parse) => {
    for (const [family, item] of Object.entries(ITEMS)) expect(parse(item) !== null, family).toBe(family === own);
    expect(parse({ pk: 1, sk: 'ORDER' })).toBeNull();
    expect(parse({})).toBeNull();
  });

  it('malformed parts', () => {
    expect(parseHistoryKey({ pk: 'FOLLOWUP#f-1', sk: 'HIST#12' })).toBeNull();
    expect(parseHistoryKey({ pk: 'FOLLOWUP#f-1', sk: 'HIST#0000001x' })).toBeNull();
    expect(parseQuarantineChunkKey({ pk: 'QUARANTINE#m', sk: 'CHUNK#-001' })).toBeNull();
    expect(parseClaimKey({ pk: 'CLAIM#other#k', sk: 'CLAIM' })).toBeNull();
    expect(parseReportRowKey({ pk: 'REPORT#opened#2026-05', sk: `${AT}#tok` })).toBeNull();
    for (const parse of [parseTimeSort, parseListingSort, parseWorklistSort, parseQuarantineListingSort, parseReportRowSort, parsePendingSort]) {
      expect(parse('no-separator')).toBeNull();
      expect(parse(undefined)).toBeNull();
    }
    expect(parsePendingSort('~2026-04-08T00:00:00.000Z')).toBeNull();
    expect(parseUnitSort('not a time')).toBeNull();
    expect(orderIdOfPartition('TXN#t-1')).toBeNull();
    expect(transactionIdOfPartition('ORDER#o-1')).toBeNull();
    expect(followUpIdOfPartition('FOLLOWUPS#open')).toBeNull();
  });
});
