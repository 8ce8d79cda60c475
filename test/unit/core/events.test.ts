/**
 * The fact rules of CONTRACT §7 as plain functions (functions/core/events.ts):
 * the stale facts' times and fields (issue 24 item 10), `results_missing`, and
 * the fact of a results_missing learned after `completed` (item 11).
 */
import { describe, expect, it } from 'vitest';
import { orderFacts, resultsMissing, transactionFacts, type OrderFactState, type TransactionFactState } from '../../../functions/core/events';
import { isSameOrderState } from '../../../functions/core/order-record';

const order = (overrides: Partial<OrderFactState> = {}): OrderFactState => ({
  id: 'o-1',
  transaction_id: 't-1',
  origin: 'redraw',
  low_level_status: 'appointment_scheduled',
  source: 'webhook',
  status_time: '2026-03-02T12:00:00.000000Z',
  rank: '0000000000001004|2026-03-02T12:00:00.000000Z',
  stale: null,
  ...overrides,
});
const FLAG = { since: '2026-03-10T09:00:00.000000Z', reason: 'no_progress' as const };

describe('redraw.stale_cleared says what cleared the flag (cleared_by, issue 32)', () => {
  const flagged = order({ stale: FLAG, open_redraw: true });
  const clearedBy = (after: OrderFactState) => orderFacts(flagged, after).find((fact) => fact.type === 'redraw.stale_cleared');

  it('moved: a new status or a new status time of the order', () => {
    expect(clearedBy(order({ low_level_status: 'completed_sample', rank: 'r2', open_redraw: true }))).toMatchObject({ cleared_by: 'moved' });
    expect(clearedBy(order({ status_time: '2026-03-12T00:00:00.000000Z', rank: 'r3', open_redraw: true }))).toMatchObject({ cleared_by: 'moved' });
  });

  it('ended: the order moved to an ending state', () => {
    for (const status of ['completed', 'cancelled', 'sample_error']) {
      expect(clearedBy(order({ low_level_status: status, rank: `r-${status}`, open_redraw: false }))).toMatchObject({ cleared_by: 'ended' });
    }
  });

  it('redraw_created: the same state left the open redraws (its redraw order became known)', () => {
    expect(clearedBy(order({ open_redraw: false }))).toMatchObject({ cleared_by: 'redraw_created' });
  });

  it('snoozed or closed: the sweep’s note for this very flag; a note of an earlier flag says nothing', () => {
    expect(clearedBy(order({ open_redraw: true, stale_cleared: { since: FLAG.since, by: 'snoozed' } }))).toMatchObject({ cleared_by: 'snoozed' });
    expect(clearedBy(order({ open_redraw: false, stale_cleared: { since: FLAG.since, by: 'closed' } }))).toMatchObject({ cleared_by: 'closed' });
    expect(clearedBy(order({ open_redraw: true, stale_cleared: { since: '2026-03-01T00:00:00.000000Z', by: 'closed' } }))).toMatchObject({ cleared_by: 'moved' });
    // A move wins over a note the item still carries.
    expect(clearedBy(order({ low_level_status: 'completed', rank: 'r9', stale_cleared: { since: FLAG.since, by: 'closed' } }))).toMatchObject({ cleared_by: 'ended' });
  });

  it('keeps the fact’s id whatever cleared it (the id names the flag)', () => {
    const ids = [order({ open_redraw: false }), order({ rank: 'r2', open_redraw: true })].map((after) => clearedBy(after)?.id);
    expect(new Set(ids).size).toBe(1);
  });
});

describe('redraw.stale and redraw.stale_cleared (issue 24 item 10)', () => {
  it('dates redraw.stale at the flag’s since, not at the order’s last move', () => {
    const [fact] = orderFacts(order(), order({ stale: FLAG }));
    expect(fact).toMatchObject({ type: 'redraw.stale', status_time: FLAG.since, since: FLAG.since, reason: 'no_progress' });
  });

  it('dates redraw.stale_cleared when the write cleared it and names the flag’s reason and since', () => {
    const facts = orderFacts(order({ stale: FLAG }), order({ stale: null }), '2026-03-11T10:30:00.000000Z');
    expect(facts).toEqual([expect.objectContaining({ type: 'redraw.stale_cleared', status_time: '2026-03-11T10:30:00.000000Z', reason: 'no_progress', since: FLAG.since })]);
  });

  it('never dates a clear before its flag, whatever time it is given or the order’s status time', () => {
    // A webhook that arrives after the flag carries a status time before it (delivered late).
    const cleared = orderFacts(order({ stale: FLAG }), order({ low_level_status: 'completed', status_time: '2026-03-09T00:00:00.000000Z', rank: 'x' }));
    const stale = cleared.find((fact) => fact.type === 'redraw.stale_cleared');
    expect(stale?.status_time).toBe(FLAG.since);
    const moved = orderFacts(order({ stale: FLAG }), order({ low_level_status: 'completed', status_time: '2026-03-12T00:00:00.000000Z', rank: 'y' }));
    expect(moved.find((fact) => fact.type === 'redraw.stale_cleared')?.status_time).toBe('2026-03-12T00:00:00.000000Z');
  });

  it('gives a clear the same id whatever time it is given (the same fact, the same id)', () => {
    const a = orderFacts(order({ stale: FLAG }), order(), '2026-03-11T10:30:00.000000Z');
    const b = orderFacts(order({ stale: FLAG }), order());
    expect(a.map((fact) => fact.id)).toEqual(b.map((fact) => fact.id));
  });

  it('orders the two facts of one flag by status_time', () => {
    const [raised] = orderFacts(order(), order({ stale: FLAG }));
    const [cleared] = orderFacts(order({ stale: FLAG }), order(), '2026-03-10T09:00:01.000000Z');
    expect(raised!.status_time < cleared!.status_time).toBe(true);
  });
});

describe('isSameOrderState (CONTRACT §4: a newer copy of the same state)', () => {
  it('is the same low-level status at the same status time, whatever else differs', () => {
    expect(isSameOrderState({ low_level_status: 'ordered', status_time: 'a' }, { low_level_status: 'ordered', status_time: 'a' })).toBe(true);
    expect(isSameOrderState({ low_level_status: 'ordered', status_time: 'a' }, { low_level_status: 'ordered', status_time: 'b' })).toBe(false);
    expect(isSameOrderState({ low_level_status: 'ordered', status_time: 'a' }, { low_level_status: 'completed', status_time: 'a' })).toBe(false);
  });
});

type Member = Parameters<typeof resultsMissing>[0][number];
const member = (origin: string | null, low: string, at: string, missing: boolean | null = null): Member => ({
  origin,
  low_level_status: low,
  status_time: `2026-03-0${at}T00:00:00.000000Z`,
  has_missing_results: missing,
});

describe('resultsMissing (CONTRACT §7)', () => {
  const cases: [string, boolean, Member[]][] = [
    ['a redraw completed with nothing missing', false, [member('initial', 'redraw_available', '1', true), member('redraw', 'completed', '2', false)]],
    ['a redraw completed with has_missing_results', true, [member('initial', 'redraw_available', '1', true), member('redraw', 'completed', '2', true)]],
    ['a redraw completed, has_missing_results unknown (listed only)', false, [member('initial', 'redraw_available', '1', true), member('redraw', 'completed', '2')]],
    ['a redraw cancelled', true, [member('initial', 'redraw_available', '1', true), member('redraw', 'cancelled', '2')]],
    ['a redraw failed', true, [member('initial', 'redraw_available', '1', true), member('redraw', 'sample_error', '2')]],
    ['a single order failed (sample_error)', true, [member('initial', 'sample_error', '1')]],
    ['a test kit lost', true, [member('initial', 'lost', '1')]],
    ['a test kit never delivered to the lab', true, [member('initial', 'failure_to_deliver_to_lab', '1')]],
    ['a test kit never delivered to the customer', true, [member('initial', 'failure_to_deliver_to_customer', '1')]],
    ['a single order completed', false, [member('initial', 'completed', '1', false)]],
    ['a single order completed with has_missing_results', true, [member('initial', 'completed', '1', true)]],
    ['a failed order, then a recreation completed later', false, [member('initial', 'sample_error', '1'), member('recreation', 'completed', '2', false)]],
    ['a completed order, then a recreation failed later', true, [member('initial', 'completed', '1', false), member('recreation', 'lost', '2')]],
    ['the newest completed decides has_missing_results', false, [member('initial', 'completed', '1', true), member('recreation', 'corrected', '2', false)]],
  ];
  it.each(cases)('%s: %s', (_name, expected, members) => {
    expect(resultsMissing(members)).toBe(expected);
  });
});

const transaction = (overrides: Partial<TransactionFactState> = {}): TransactionFactState => ({
  id: 't-1',
  status: 'completed',
  updated_at: '2026-03-04T09:00:00.000000Z',
  results_missing: false,
  version: 3,
  members: [],
  ...overrides,
});

describe('transaction facts', () => {
  it('carries results_missing and the version with a status change', () => {
    const facts = transactionFacts(transaction({ status: 'active', version: 2 }), transaction({ results_missing: true }));
    expect(facts).toEqual([expect.objectContaining({ type: 'transaction.status_changed', from: 'active', to: 'completed', results_missing: true, version: 3 })]);
  });

  it('publishes results_missing learned after completed as its own fact, once per write', () => {
    const before = transaction({ version: 3 });
    const after = transaction({ version: 4, results_missing: true });
    const facts = transactionFacts(before, after);
    expect(facts).toEqual([
      expect.objectContaining({ type: 'transaction.results_missing_changed', status: 'completed', results_missing: true, version: 4, status_time: after.updated_at }),
    ]);
    expect(transactionFacts(before, after)).toEqual(facts);
    expect(transactionFacts(after, transaction({ version: 5, results_missing: true }))).toEqual([]);
  });

  it('publishes no results_missing change of a transaction that is not completed', () => {
    expect(transactionFacts(transaction({ status: 'active', results_missing: true }), transaction({ status: 'active', version: 4 }))).toEqual([]);
  });
});
