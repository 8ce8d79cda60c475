/**
 * The decisions of the transaction-status function's steps
 * (functions/transaction-status/steps/*.ts), as plain data in and out: which
 * records ask for what, where their work goes in the batch, which records are
 * reported, parked or marked redone, and the metrics an invocation records.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as StreamAttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { followUpSituation } from '../../functions/core/follow-up/situation';
import { memberOf } from '../../functions/core/members';
import { OPENING_FOLLOW_UP, transactionExpiry } from '../../functions/core/retention';
import { transactionStatus } from '../../functions/core/transaction-status';
import { TRANSACTION_METRICS } from '../../functions/shared/metric-names';
import { appointmentItem } from '../../functions/store/appointments';
import { orderItem, parseOrderItem, type StoredOrder } from '../../functions/store/order-items';
import type { ParkedItem } from '../../functions/store/parked-work';
import type { ReportWork } from '../../functions/store/report-work';
import type { Tally } from '../../functions/core/report-tallies';
import { tallyWrite } from '../../functions/store/report-rows';
import type { TableWrite } from '../../functions/store/stream-items';
import type { TransactionItem } from '../../functions/store/transaction-items';
import type { RecomputeResult } from '../../functions/store/transactions';
import type { TrackerEvent } from '../../functions/core/events';
import { classify, type Classified } from '../../functions/transaction-status/steps/classify';
import { deadlinesOf } from '../../functions/transaction-status/steps/context';
import { distinctEvents, publishedCount, unpublishedOf } from '../../functions/transaction-status/steps/events';
import { appointmentOrderOf, hasFollowUp, keptForever, keptLogMessage, retainedFollowUp, retentionHoldsFor } from '../../functions/transaction-status/steps/follow-ups';
import { addReading, decodeRecord, emptyBatch, readRecord, routesOf, type RecordWork } from '../../functions/transaction-status/steps/intake';
import { isLone, loneOrderNeeds } from '../../functions/transaction-status/steps/lone-orders';
import { batchMetrics } from '../../functions/transaction-status/steps/metrics';
import { overdueWorks, parkedWorkOf, parkTargetsOf, redoneWorks } from '../../functions/transaction-status/steps/parked-work';
import { placementOf } from '../../functions/transaction-status/steps/place-orders';
import { addedUp, membersToReread, ownOrdersOf } from '../../functions/transaction-status/steps/recompute';
import { countsACloser, ledgerQueues, stoppedAt } from '../../functions/transaction-status/steps/report-rows';
import { record } from '../support/records';

/** An item as a stream record's image carries it. */
function image(item: Record<string, unknown>): Record<string, StreamAttributeValue> {
  return marshall(item, { removeUndefinedValues: true }) as unknown as Record<string, StreamAttributeValue>;
}

function rawRecord(
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE',
  images: { old?: Record<string, unknown>; new?: Record<string, unknown> },
  sequenceNumber = '100',
  created = 1_772_442_000,
): DynamoDBRecord {
  return {
    eventID: `event-${sequenceNumber}`,
    eventName,
    dynamodb: {
      SequenceNumber: sequenceNumber,
      ApproximateCreationDateTime: created,
      ...(images.old === undefined ? {} : { OldImage: image(images.old) }),
      ...(images.new === undefined ? {} : { NewImage: image(images.new) }),
    },
  };
}

/** The record as the intake decodes it (transaction-status/steps/intake.ts decodeRecord). */
function streamRecord(...args: Parameters<typeof rawRecord>): TableWrite {
  return decodeRecord(rawRecord(...args));
}

function stored(overrides: Parameters<typeof record>[0]): StoredOrder {
  return parseOrderItem(orderItem(record(overrides), false));
}

const appointment = { id: 'appt-1', order_id: 'ord-2', transaction_id: 'txn', start_at: '2026-03-05T09:00:00Z', end_at: null, iana_timezone: null, status: 'confirmed', type: null, provider: null, rank: '0001' };

const parkedItem = (overrides: Partial<ParkedItem> = {}): ParkedItem => ({
  recordId: 'event-1',
  transactions: [],
  loneOrderId: null,
  facts: [],
  recordedAt: '2026-03-02T09:00:00.000Z',
  parkedAt: '2026-03-02T10:00:00.000Z',
  attempts: 1,
  redoRequestedAt: null,
  redoneAt: null,
  ...overrides,
});

const options = { retentionDays: null, publishing: true, now: () => Date.parse('2026-03-02T12:00:00Z') };

describe('classifying stream records', () => {
  it('asks for the transaction of an order written with one', () => {
    const item = orderItem(record({ id: 'ord-1' }), false);
    const classified = classify(streamRecord('INSERT', { new: item }), null);
    expect(classified).toMatchObject({ kind: 'order', transactionId: 'txn', order: { record: { id: 'ord-1' } } });
  });

  it('skips a modification that keeps the order\'s rank, source and listing', () => {
    const item = orderItem(record({ id: 'ord-1' }), false);
    expect(classify(streamRecord('MODIFY', { old: item, new: item }), null)).toEqual({ kind: 'skip' });
  });

  it('skips removals and listing-sourced orders (written here, before their transaction)', () => {
    const item = orderItem(record({ id: 'ord-1' }), false);
    expect(classify(streamRecord('REMOVE', { old: item }), 30)).toEqual({ kind: 'skip' });
    const listed = orderItem(record({ id: 'ord-1', source: 'transaction_listing' }), false);
    expect(classify(streamRecord('INSERT', { new: listed }), 30)).toEqual({ kind: 'skip' });
  });

  it('keeps an order without a transaction only for retention or its redraw', () => {
    const item = orderItem(record({ id: 'ord-1', transaction_id: null }), false);
    expect(classify(streamRecord('INSERT', { new: item }), null)).toEqual({ kind: 'skip' });
    expect(classify(streamRecord('INSERT', { new: item }), 30)).toMatchObject({ kind: 'lone', order: { record: { id: 'ord-1' } } });
  });

  it('asks for an appointment\'s transaction, or its order when it names none', () => {
    expect(classify(streamRecord('INSERT', { new: appointmentItem(appointment) }), null)).toEqual({ kind: 'appointment', orderId: 'ord-2', transactionId: 'txn' });
    expect(classify(streamRecord('INSERT', { new: appointmentItem({ ...appointment, transaction_id: null }) }), null)).toEqual({
      kind: 'appointment',
      orderId: 'ord-2',
      transactionId: null,
    });
    const moved = appointmentItem({ ...appointment, provider: 'another', rank: '0002' });
    expect(classify(streamRecord('MODIFY', { old: appointmentItem(appointment), new: moved }), null)).toEqual({ kind: 'skip' });
  });

  it('tells TTL\'s removals from anyone else\'s', () => {
    const removal = rawRecord('REMOVE', { old: orderItem(record({ id: 'ord-1' }), false) });
    expect(decodeRecord(removal).expiry).toBe(false);
    expect(decodeRecord({ ...removal, userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } }).expiry).toBe(true);
  });
});

describe('reading a record into the batch', () => {
  it('gives an order write its facts only when they are published', () => {
    const write = streamRecord('INSERT', { new: orderItem(record({ id: 'ord-1' }), false) });
    const published = readRecord(write, options);
    const unpublished = readRecord(write, { ...options, publishing: false });
    expect(published.kind === 'write' && published.facts.length).toBeGreaterThan(0);
    expect(unpublished).toMatchObject({ kind: 'write', facts: [] });
  });

  it('reads an expiry of an uncounted item as no work', () => {
    const expiry = decodeRecord({ ...rawRecord('REMOVE', { old: orderItem(record({ id: 'ord-1' }), false) }), userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } });
    expect(readRecord(expiry, options)).toEqual({ kind: 'expiry', tallies: [] });
    const batch = emptyBatch();
    addReading(batch, expiry, '100', { kind: 'expiry', tallies: [] });
    expect(batch.works.size).toBe(0);
  });

  it('touches a transaction once per batch, retention-only while every record asks for retention only', () => {
    const batch = emptyBatch();
    const retention: Classified = { kind: 'retention', transactionId: 'txn' };
    addReading(batch, streamRecord('MODIFY', {}), '1', { kind: 'write', classified: retention, facts: [], tallies: [], released: null, history: null });
    expect(batch.touched.get('txn')).toMatchObject({ records: new Set(['1']), parked: true, retentionOnly: true });
    const order = stored({ id: 'ord-1' });
    addReading(batch, streamRecord('MODIFY', {}), '2', { kind: 'write', classified: { kind: 'order', transactionId: 'txn', order }, facts: [], tallies: [], released: null, history: null });
    expect(batch.touched.size).toBe(1);
    expect(batch.touched.get('txn')).toMatchObject({ records: new Set(['1', '2']), orders: [order], parked: true, retentionOnly: false });
    expect([...batch.works.keys()]).toEqual(['1', '2']);
  });

  it('keeps a record with nothing to recompute as work when it has facts, rows or a released flag', () => {
    const batch = emptyBatch();
    const fact = { id: 'fact-1' } as TrackerEvent;
    addReading(batch, streamRecord('MODIFY', {}), '1', { kind: 'write', classified: { kind: 'skip' }, facts: [], tallies: [], released: null, history: null });
    addReading(batch, streamRecord('MODIFY', {}), '2', { kind: 'write', classified: { kind: 'skip' }, facts: [fact], tallies: [], released: null, history: null });
    expect([...batch.works.keys()]).toEqual(['2']);
    expect(batch.facts).toEqual([{ sequenceNumber: '2', event: fact }]);
    expect(batch.touched.size).toBe(0);
  });

  it('routes parked work to each of its transactions, with their orders, and places its lone order', () => {
    const item = parkedItem({ transactions: [{ transactionId: 'a', orderIds: ['ord-1'] }, { transactionId: 'b', orderIds: [] }], loneOrderId: 'ord-9' });
    expect(routesOf({ kind: 'parked', item })).toEqual([
      { to: 'transaction', transactionId: 'a', order: null, orderIds: ['ord-1'], parked: true, retentionOnly: false },
      { to: 'transaction', transactionId: 'b', order: null, orderIds: [], parked: true, retentionOnly: false },
      { to: 'place', orderId: 'ord-9' },
    ]);
  });

  it('places orders named by id: lone, by their transaction, or nowhere when not stored', () => {
    const lone = stored({ id: 'ord-1', transaction_id: null });
    expect(placementOf(null)).toEqual([]);
    expect(placementOf(lone)).toEqual([{ to: 'lone', order: lone }]);
    expect(placementOf(stored({ id: 'ord-2' }))).toEqual([{ to: 'transaction', transactionId: 'txn', order: null, orderIds: [], parked: true, retentionOnly: false }]);
  });
});

describe('events', () => {
  const fact = (id: string) => ({ id }) as TrackerEvent;
  const facts = [
    { sequenceNumber: '1', event: fact('a') },
    { sequenceNumber: '2', event: fact('a') },
    { sequenceNumber: '2', event: fact('b') },
    { sequenceNumber: '3', event: fact('c') },
  ];

  it('publishes a fact carried by two records once', () => {
    expect(distinctEvents(facts).map((event) => event.id)).toEqual(['a', 'b', 'c']);
  });

  it('reports every record carrying a fact that did not go out, and counts the facts once', () => {
    const unpublished = unpublishedOf(facts, [fact('a')]);
    expect(unpublished).toEqual({ records: new Set(['1', '2']), failed: 1 });
    expect(publishedCount(facts, unpublished)).toBe(2);
  });
});

describe('follow-ups', () => {
  it('logs the outcomes that wrote, and those refused as older knowledge', () => {
    expect(keptLogMessage('opened')).toBe('follow-up kept current');
    expect(keptLogMessage('changed')).toBe('follow-up kept current');
    expect(keptLogMessage('stale')).toBe('follow-up not kept from older knowledge');
    expect(keptLogMessage('diverged')).toBe('follow-up not kept from older knowledge');
    expect(keptLogMessage('unchanged')).toBeNull();
    expect(keptLogMessage('none')).toBeNull();
  });

  it('reads the appointment of a redraw order in progress only', () => {
    expect(appointmentOrderOf({ redraw: null })).toBeNull();
    const initial = record({ id: 'ord-1', low_level_status: 'redraw_available', status: 'failed' });
    const redraw = record({ id: 'ord-2', origin: 'redraw', created_at: '2026-03-03T09:00:00Z', status_time: '2026-03-03T09:00:00.000000Z' });
    expect(appointmentOrderOf(followUpSituation([initial, redraw], 'active'))).toBe('ord-2');
  });

  it('holds retention when the transaction and its follow-up carry the expiry the follow-up says', () => {
    const transaction: TransactionItem = {
      id: 'txn',
      status: 'completed',
      reported_status: null,
      reported_status_time: null,
      members: {},
      version: 3,
      updated_at: '2026-03-02T09:00:00Z',
      behind_status_time: null,
    };
    expect(hasFollowUp(transaction)).toBe(false);
    const expiry = transactionExpiry(transaction, 30);
    expect(retentionHoldsFor({ ...transaction, expires_at: expiry }, null, 30)).toBe(true);
    expect(retentionHoldsFor({ ...transaction, expires_at: null }, null, 30)).toBe(false);
  });
});

describe('retention with FOLLOW_UP_MISSING_RESULTS (issue 55)', () => {
  const kit = record({ id: 'ord-1', collection_method: 'testkit', low_level_status: 'sample_error', status: 'failed', status_time: '2026-03-02T09:00:00.000000Z' });
  const status = transactionStatus([kit]);
  const on = followUpSituation([kit], status, { missingResults: true });
  const off = followUpSituation([kit], status, { missingResults: false });

  it('holds an ended transaction with results missing and no redraw by the follow-up about to open only while the setting opens one', () => {
    expect(status).not.toBe('active');
    expect([on.mayHaveFollowUp, off.mayHaveFollowUp]).toEqual([true, true]);
    expect(retainedFollowUp(on, null)).toEqual(OPENING_FOLLOW_UP);
    expect(retainedFollowUp(off, null)).toBeNull();
    const transaction: TransactionItem = { id: 'txn', status, reported_status: null, reported_status_time: null, members: { 'ord-1': memberOf(kit) }, version: 1, updated_at: kit.status_time, behind_status_time: null };
    const expiry = transactionExpiry(transaction, 30);
    expect(expiry).toBeTypeOf('number');
    expect(retentionHoldsFor({ ...transaction, expires_at: expiry }, null, 30, { missingResults: false })).toBe(true);
    expect(retentionHoldsFor({ ...transaction, expires_at: null }, null, 30, { missingResults: false })).toBe(false);
    expect(retentionHoldsFor({ ...transaction, expires_at: null }, null, 30, { missingResults: true })).toBe(true);
  });

  it('reads a stored follow-up, open or closed, whatever the setting is now (one opened while it was on)', () => {
    const open = { state: 'new', closed_at: null };
    const closed = { state: 'closed', closed_at: '2026-03-04T09:00:00.000Z' };
    for (const situation of [on, off]) {
      expect(retainedFollowUp(situation, open)).toBe(open);
      expect(retainedFollowUp(situation, closed)).toBe(closed);
    }
    // No follow-up possible at all: nothing is read, nothing holds.
    expect(retainedFollowUp({ mayHaveFollowUp: false, opens: false }, open)).toBeNull();
  });

  it('counts as kept forever only an ended one with retention on, no expiry and no follow-up', () => {
    expect(keptForever(30, true, null, 'none')).toBe(true);
    expect(keptForever(null, true, null, 'none')).toBe(false);
    expect(keptForever(30, false, null, 'none')).toBe(false);
    expect(keptForever(30, true, 1_800_000_000, 'none')).toBe(false);
    for (const kept of ['opened', 'changed', 'unchanged', 'stale', 'diverged'] as const) expect(keptForever(30, true, null, kept)).toBe(false);
  });
});

describe('lone orders', () => {
  it('is lone while stored without a transaction', () => {
    expect(isLone(null)).toBe(false);
    expect(isLone(stored({ id: 'ord-1' }))).toBe(false);
    expect(isLone(stored({ id: 'ord-1', transaction_id: null }))).toBe(true);
  });

  it('reads the follow-up for the expiry only with retention and a redraw', () => {
    const awaiting = record({ id: 'ord-1', transaction_id: null, low_level_status: 'redraw_available', status: 'failed' });
    expect(loneOrderNeeds(awaiting, null).readsFollowUp).toBe(false);
    expect(loneOrderNeeds(awaiting, 30).readsFollowUp).toBe(true);
    expect(loneOrderNeeds(record({ id: 'ord-1', transaction_id: null }), 30).readsFollowUp).toBe(false);
    expect(loneOrderNeeds(record({ id: 'ord-1', transaction_id: null }), 30).status).toBe('active');
  });
});

describe('recomputes', () => {
  it('takes of parked work\'s orders only its transaction\'s own states', () => {
    const own = stored({ id: 'ord-1' });
    const orders = [own, stored({ id: 'ord-2', transaction_id: 'other' }), stored({ id: 'ord-3', source: 'transaction_listing' })];
    expect(ownOrdersOf(orders, 'txn')).toEqual([own]);
  });

  it('reads again every member the recompute knew or the stored item names, each once', () => {
    expect(membersToReread({ a: 1, b: 2 }, { b: 2, c: 3 })).toEqual(['a', 'b', 'c']);
    expect(membersToReread({ a: 1 }, undefined)).toEqual(['a']);
  });

  it('adds up the writes and conflicts of a recompute done again', () => {
    const first = { transaction: { status: 'active' }, writes: 2, conflicts: 1, expiresAt: null } as unknown as RecomputeResult;
    const again = { transaction: { status: 'completed' }, writes: 1, conflicts: 0, expiresAt: 5 } as unknown as RecomputeResult;
    expect(addedUp(first, again)).toEqual({ transaction: { status: 'completed' }, writes: 3, conflicts: 1, expiresAt: 5 });
  });
});

describe('report rows', () => {
  const end = (token: string): ReportWork => ({ kind: 'end', ledger: { token, item: 'transaction' }, by: 'ttl', keys: [], at: 1 });

  it('queues each ledger\'s work in stream order, ledgers apart', () => {
    const queues = ledgerQueues([
      { sequenceNumber: '1', tallies: [end('x')] },
      { sequenceNumber: '2', tallies: [end('y')] },
      { sequenceNumber: '3', tallies: [end('x')] },
    ]);
    expect(queues.map((queue) => queue.map((step) => step.sequenceNumber))).toEqual([['1', '3'], ['2']]);
  });

  it('reports a step not done and every later step of its queue', () => {
    const queue = ['1', '2', '3'].map((sequenceNumber) => ({ sequenceNumber, work: end('x') }));
    expect(stoppedAt(queue, 1)).toEqual(['2', '3']);
  });

  it('records when closes by person began only for a batch that puts a close row carrying its actor (issue 73)', () => {
    const closed = (by?: string): Tally => ({ kind: 'closed', at: '2026-11-17T09:00:00.000000Z', disposition: 'other', hours: { redraw_order: null, acknowledge: null, close: 1 }, ...(by === undefined ? {} : { by }) });
    const rows = (tallies: Tally[]): ReportWork => ({ kind: 'rows', ledger: { token: 't', item: 'follow_up' }, version: 2, writes: tallies.map((tally) => tallyWrite('f', tally, 2)), current: [] });
    const queuesOf = (work: ReportWork) => ledgerQueues([{ sequenceNumber: '1', tallies: [work] }]);
    expect(countsACloser(queuesOf(rows([closed('j.doe')])))).toBe(true);
    expect(countsACloser(queuesOf(rows([closed('tracker')])))).toBe(true);
    expect(countsACloser(queuesOf(rows([{ kind: 'opened', at: '2026-11-17T09:00:00.000000Z' }])))).toBe(false);
    expect(countsACloser(queuesOf(end('x')))).toBe(false);
  });
});

describe('parked work', () => {
  const work = (sequenceNumber: string, classified: Classified, created?: number): RecordWork => ({
    write: { eventId: `event-${sequenceNumber}`, sequenceNumber, eventName: 'MODIFY', writtenAt: created, expiry: false, before: undefined, after: undefined },
    sequenceNumber,
    classified,
    facts: [],
    tallies: [],
  });

  it('marks redone only the parked work whose records did not fail', () => {
    const works = [work('1', { kind: 'parked', item: parkedItem() }), work('2', { kind: 'parked', item: parkedItem() }), work('3', { kind: 'skip' })];
    expect(redoneWorks(works, new Set(['2'])).map((item) => item.sequenceNumber)).toEqual(['1']);
  });

  it('parks the failed records past the park age that can be parked, in the order reported', () => {
    const now = 10_000_000;
    const works = new Map(
      [work('1', { kind: 'skip' }, 5_000), work('2', { kind: 'skip' }, 9_999), work('3', { kind: 'skip' }, 1_000), work('4', { kind: 'skip' })].map((item) => [item.sequenceNumber, item]),
    );
    const overdue = overdueWorks(['3', '2', '1', '4', '5'], works, new Set(['1']), now, 3_600_000);
    expect(overdue.map((item) => item.sequenceNumber)).toEqual(['3']);
  });

  it('parks what each kind of record asks for', () => {
    const order = stored({ id: 'ord-1' });
    expect(parkTargetsOf({ kind: 'order', transactionId: 'txn', order })).toEqual({ transactions: [{ transactionId: 'txn', orderIds: ['ord-1'] }], loneOrderId: null });
    expect(parkTargetsOf({ kind: 'retention', transactionId: 'txn' })).toEqual({ transactions: [{ transactionId: 'txn', orderIds: [] }], loneOrderId: null });
    expect(parkTargetsOf({ kind: 'appointment', orderId: 'ord-2', transactionId: null })).toEqual({ transactions: [], loneOrderId: 'ord-2' });
    expect(parkTargetsOf({ kind: 'lone_retention', orderId: 'ord-3' })).toEqual({ transactions: [], loneOrderId: 'ord-3' });
    expect(parkTargetsOf({ kind: 'skip' })).toEqual({ transactions: [], loneOrderId: null });
  });

  it('dates parked work by its record\'s write, and cannot park a record without an event id', () => {
    const parked = parkedWorkOf(work('1', { kind: 'transaction', transactionId: 'txn' }, 1_772_442_000), 0);
    expect(parked).toEqual({ recordId: 'event-1', transactions: [{ transactionId: 'txn', orderIds: [] }], loneOrderId: null, facts: [], tallies: [], recordedAt: '2026-03-02T09:00:00.000Z' });
    const undated = parkedWorkOf(work('2', { kind: 'skip' }), Date.parse('2026-03-02T10:00:00Z'));
    expect(undated?.recordedAt).toBe('2026-03-02T10:00:00.000Z');
    // The results a follow-up write wanted ride along with its parked work (CONTRACT §9 missing).
    const want = { orderId: 'o-1', followUpId: 'txn', want: 'txn|2026-03-02T09:00:00.000Z|o-1|sample_error|', state: { status: 'sample_error', statusDetail: null }, wantedAt: '2026-03-02T09:00:00.000000Z' };
    const wanting = parkedWorkOf(work('4', { kind: 'retention', transactionId: 'txn', resultsWanted: want }, 1_772_442_000), 0);
    expect(wanting).toMatchObject({ transactions: [{ transactionId: 'txn', orderIds: [] }], resultsWanted: want });
    const anonymous = work('3', { kind: 'skip' });
    expect(parkedWorkOf({ ...anonymous, write: { ...anonymous.write, eventId: undefined } }, 0)).toBeNull();
  });
});

describe('an invocation', () => {
  it('keeps a margin of the time left for parking and answering', () => {
    expect(deadlinesOf(1_000, 60_000, 5_000)).toEqual({ workDeadline: 56_000, parkDeadline: 60_000 });
    expect(deadlinesOf(1_000, Infinity, 5_000)).toEqual({ workDeadline: Infinity, parkDeadline: Infinity });
  });

  it('records its metrics in one order, the event ones only with a publisher', () => {
    const counts = { recomputed: 3, writes: 4, followUpWrites: 1, reportRowWrites: 2, conflicts: 0, parked: 0, redone: 1, keptForever: 0, historyRepaired: 2, historyConflicts: 1 };
    const M = TRANSACTION_METRICS;
    expect(batchMetrics({ ...counts, events: null }).map(([name]) => name)).toEqual([M.recomputed, M.writes, M.followUpWrites, M.reportRowWrites, M.conflicts, M.parked, M.redone, M.keptForever, M.historyRepaired, M.historyConflicts]);
    expect(batchMetrics({ ...counts, events: { published: 5, failed: 1 } })).toEqual([
      [M.recomputed, 3],
      [M.eventsPublished, 5],
      [M.publishFailures, 1],
      [M.writes, 4],
      [M.followUpWrites, 1],
      [M.reportRowWrites, 2],
      [M.conflicts, 0],
      [M.parked, 0],
      [M.redone, 1],
      [M.keptForever, 0],
      [M.historyRepaired, 2],
      [M.historyConflicts, 1],
    ]);
  });
});
