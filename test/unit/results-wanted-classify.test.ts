/**
 * Which follow-up writes ask for an order's missing results (CONTRACT §9
 * `missing`; functions/transaction-status/steps/classify.ts classifyFollowUp):
 * a `missing` without counts that names another order, status or status
 * detail than the write before it, or any when the follow-up opened or returned
 * over an expired one; each want keyed by the follow-up, its life and the state
 * read for. What the write asks of retention is unchanged beside it; the record
 * reaches the batch's work even when that is nothing.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as StreamAttributeValue, DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { openFollowUp, type FollowUp, type MissingResults } from '../../functions/core/follow-up/states';
import { itemOf, type StoredFollowUp } from '../../functions/store/follow-ups/item';
import { withMissingCounts } from '../../functions/store/follow-ups/missing-counts';
import type { TableWrite } from '../../functions/store/stream-items';
import { classify } from '../../functions/transaction-status/steps/classify';
import { addReading, decodeRecord, emptyBatch, readRecord } from '../../functions/transaction-status/steps/intake';

function image(item: Record<string, unknown>): Record<string, StreamAttributeValue> {
  return marshall(item, { removeUndefinedValues: true }) as unknown as Record<string, StreamAttributeValue>;
}

/** A stream record of a write at 2026-03-02T09:00:00Z (1,772,442,000 s). */
function rawRecord(eventName: 'INSERT' | 'MODIFY', images: { old?: Record<string, unknown>; new: Record<string, unknown> }): DynamoDBRecord {
  return {
    eventID: 'event-1',
    eventName,
    dynamodb: { SequenceNumber: '100', ApproximateCreationDateTime: 1_772_442_000, ...(images.old ? { OldImage: image(images.old) } : {}), NewImage: image(images.new) },
  };
}

/** The record as the intake decodes it (transaction-status/steps/intake.ts decodeRecord). */
function streamRecord(...args: Parameters<typeof rawRecord>): TableWrite {
  return decodeRecord(rawRecord(...args));
}

const OPENED = '2026-03-02T09:00:00.000000Z';
/** When streamRecord's writes were made, canonical: each want is dated by it. */
const WRITTEN = '2026-03-02T09:00:00.000000Z';
/** The want of `missing` on follow-up `id` (its key: the follow-up, its life, the order and the state). */
const wantOf = (id: string, state: Pick<MissingResults, 'order_id' | 'status' | 'status_detail'>, openedAt = OPENED) => ({
  orderId: state.order_id,
  followUpId: id,
  want: [id, openedAt, state.order_id, state.status, state.status_detail ?? ''].join('|'),
  state: { status: state.status, statusDetail: state.status_detail },
  wantedAt: WRITTEN,
});

const missing = (orderId: string, counts: Pick<MissingResults, 'markers' | 'failure_types'> = { markers: null, failure_types: null }): MissingResults => ({
  order_id: orderId,
  status: 'sample_error',
  status_detail: null,
  ...counts,
});

function stored(id: string, followUp: Partial<FollowUp>): StoredFollowUp {
  return {
    followUp: { ...openFollowUp({ id, transactionId: null, initialOrderId: id, redrawOrderId: null, openedAt: '2026-03-02T09:00:00.000000Z' }), attention: 'no_redraw', ...followUp },
    redraw: null,
    dueAt: null,
    applied: [],
    expiresAt: null,
    remindedAt: null,
    revision: 1,
  };
}

const item = (followUp: Partial<FollowUp>, id = 'ord-1') => itemOf(stored(id, followUp));

describe('a follow-up write that asks for missing results', () => {
  it('asks when its missing names an order first: on the insert, and when it moves to another order', () => {
    expect(classify(streamRecord('INSERT', { new: item({ missing: missing('ord-1') }) }), null)).toEqual({ kind: 'skip', resultsWanted: wantOf('ord-1', missing('ord-1')) });
    expect(classify(streamRecord('MODIFY', { old: item({ missing: null }), new: item({ missing: missing('ord-1') }) }), null)).toMatchObject({ resultsWanted: { orderId: 'ord-1' } });
    expect(classify(streamRecord('MODIFY', { old: item({ missing: missing('ord-1') }), new: item({ missing: missing('ord-2') }) }), null)).toMatchObject({ resultsWanted: wantOf('ord-1', missing('ord-2')) });
  });

  it('asks again when the same order’s status or status detail changes (a corrected result with fewer missing), under another key', () => {
    const first = missing('ord-1', { markers: 3, failure_types: { non_failure: 3 } });
    const corrected = { ...missing('ord-1'), status: 'corrected' };
    const detailed = { ...missing('ord-1'), status_detail: 'sample_hemolyzed' };
    const asked = classify(streamRecord('MODIFY', { old: item({ missing: first }), new: item({ missing: corrected }) }), null);
    expect(asked).toEqual({ kind: 'skip', resultsWanted: wantOf('ord-1', corrected) });
    expect(classify(streamRecord('MODIFY', { old: item({ missing: first }), new: item({ missing: detailed }) }), null)).toEqual({ kind: 'skip', resultsWanted: wantOf('ord-1', detailed) });
    expect(asked.resultsWanted?.want).not.toBe(wantOf('ord-1', first).want);
  });

  it('asks again when the follow-up returned over an expired one, whatever the expired one named', () => {
    const expiredAt = 1_772_442_000 - 60;
    const old = itemOf({ ...stored('ord-1', { missing: missing('ord-1'), state: 'closed', closed_at: '2026-02-01T09:00:00.000000Z' }), expiresAt: expiredAt });
    const returned = item({ missing: missing('ord-1'), opened_at: '2026-03-02T08:00:00.000000Z' });
    expect(classify(streamRecord('MODIFY', { old, new: returned }), null)).toEqual({ kind: 'skip', resultsWanted: wantOf('ord-1', missing('ord-1'), '2026-03-02T08:00:00.000000Z') });
    // Not expired yet (its TTL a minute on): the same follow-up, the same missing, nothing asked.
    const live = itemOf({ ...stored('ord-1', { missing: missing('ord-1') }), expiresAt: 1_772_442_000 + 60 });
    expect(classify(streamRecord('MODIFY', { old: live, new: item({ missing: missing('ord-1') }) }), null)).toEqual({ kind: 'skip' });
  });

  it('does not ask again for the same order, for counted results, or without missing', () => {
    const counted = missing('ord-1', { markers: 2, failure_types: { non_failure: 2 } });
    expect(classify(streamRecord('MODIFY', { old: item({ missing: missing('ord-1') }), new: item({ missing: missing('ord-1'), owner: 'someone' }) }), null)).toEqual({ kind: 'skip' });
    expect(classify(streamRecord('MODIFY', { old: item({ missing: missing('ord-1') }), new: item({ missing: counted }) }), null)).toEqual({ kind: 'skip' });
    expect(classify(streamRecord('INSERT', { new: item({ missing: null }) }), null)).toEqual({ kind: 'skip' });
  });

  it("asks for the initial order's results when the follow-up opened closed (no missing ever named it), once", () => {
    const closed = { missing: null, state: 'closed' as const, closed_at: '2026-03-03T09:00:00.000000Z', disposition: 'redraw_completed' as const, attention: null };
    expect(classify(streamRecord('INSERT', { new: item(closed) }), null)).toEqual({ kind: 'skip', resultsWanted: { orderId: 'ord-1', followUpId: 'ord-1', want: `ord-1|${OPENED}|ord-1|causing`, state: null, wantedAt: WRITTEN } });
    // Its later writes, and one whose causing order's counts are kept already, ask nothing.
    expect(classify(streamRecord('MODIFY', { old: item(closed), new: item({ ...closed, owner: 'someone' }) }), null)).toEqual({ kind: 'skip' });
    const counted = itemOf({ ...stored('ord-1', closed), causingResults: { order_id: 'ord-1', markers: 1, failure_types: { non_failure: 1 } } });
    expect(classify(streamRecord('INSERT', { new: counted }), null)).toEqual({ kind: 'skip' });
  });

  it('keeps what the write asks of retention beside it', () => {
    const closed = { missing: missing('ord-1'), state: 'closed' as const, closed_at: '2026-03-03T09:00:00.000000Z' };
    expect(classify(streamRecord('INSERT', { new: item(closed) }), 30)).toEqual({ kind: 'lone_retention', orderId: 'ord-1', resultsWanted: wantOf('ord-1', missing('ord-1')) });
  });

  it('reaches the batch’s work even when it asks nothing else', () => {
    const batch = emptyBatch();
    const record = streamRecord('INSERT', { new: item({ missing: missing('ord-1') }) });
    addReading(batch, record, '100', readRecord(record, { retentionDays: null, publishing: false, now: () => 0 }));
    expect([...batch.works.values()].map((work) => work.classified.resultsWanted)).toEqual([wantOf('ord-1', missing('ord-1'))]);
  });
});

describe('the counts written onto a follow-up', () => {
  const counts = { markers: 3, failure_types: { internal_lab_failure: 2, non_failure: 1 } };

  it('fill missing while it names the order, and the causing order’s counts once', () => {
    const next = withMissingCounts(stored('ord-1', { missing: missing('ord-1') }), 'ord-1', counts);
    expect(next?.followUp.missing).toEqual(missing('ord-1', counts));
    expect(next?.causingResults).toEqual({ order_id: 'ord-1', ...counts });
    expect(next === null ? null : withMissingCounts(next, 'ord-1', counts)).toBeNull();
  });

  it('leave a missing whose state moved on since the read was wanted (a newer want reads it), but keep the causing counts', () => {
    const wantedFor = { status: 'completed', statusDetail: null };
    const moved = withMissingCounts(stored('ord-1', { missing: { ...missing('ord-1'), status: 'corrected' } }), 'ord-1', counts, wantedFor);
    expect(moved?.followUp.missing).toMatchObject({ status: 'corrected', markers: null });
    expect(moved?.causingResults).toEqual({ order_id: 'ord-1', ...counts });
    const same = withMissingCounts(stored('ord-1', { missing: { ...missing('ord-1'), status: 'completed' } }), 'ord-1', counts, wantedFor);
    expect(same?.followUp.missing).toMatchObject({ status: 'completed', markers: 3 });
  });

  it('leave a missing that names another order, but keep the first order’s counts as the causing ones', () => {
    const next = withMissingCounts(stored('t-1', { missing: missing('ord-2') }), 'ord-1', counts);
    expect(next?.followUp.missing).toEqual(missing('ord-2'));
    expect(next?.causingResults).toEqual({ order_id: 'ord-1', ...counts });
  });
});
