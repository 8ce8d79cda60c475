/**
 * console/src/lib/worklist-csv.ts (CONTRACT §12 "CSV"): a worklist view as data
 * for a spreadsheet, read back with an RFC 4180 parser and held to one kind of
 * value per column: whole ids, codes as the API gives them, each time as
 * `YYYY-MM-DD HH:MM` in UTC with its twin in the zone named in its header, an
 * empty cell for none, nothing that depends on the moment of the download;
 * and the file's name, which carries the view and its filters.
 */
import { describe, expect, it, vi } from 'vitest';
import { tableCsv } from '../../../functions/core/csv';
import { worklistColumns, worklistFileName, worklistTable } from '../../../console/src/lib/worklist-csv';
import { expectColumnKinds, worklistKinds } from '../../support/csv-columns';
import { parseCsv } from '../../support/csv-parse';
import { aFollowUp } from './follow-up-fixture';

const ZONE = 'America/New_York';

/** Open: one overdue with a stale flag and microseconds in its due time, one snoozed, one new without an order or owner, one owned by a handle stored before §9's rule with EHR work that needs a person. */
const OPEN = [
  aFollowUp({ id: 'txn-a', transaction_id: 'txn-a', redraw_order_id: 'ord-r', state: 'acknowledged', owner: 'j.doe', acknowledged_at: '2026-11-10T09:30:12.345Z', due_at: '2026-11-24T15:00:00.000000Z', stale: { since: '2026-11-20T00:00:00Z', reason: 'no_progress' }, contact_attempts: 2 }),
  aFollowUp({ id: 'txn-b', state: 'snoozed', owner: 'ana.lopez', snoozed_until: '2026-12-01T14:00:00Z', snooze_reason: 'appointment_booked', due_at: null }),
  aFollowUp({ id: 'txn-c', transaction_id: null, initial_order_id: null, attention: 'redraw_failed', due_at: '2026-11-25T04:59:00Z' }),
  aFollowUp({ id: 'txn-d', owner: '=1+1', state: 'acknowledged', ehr_attention: 'conflict' }),
];

describe('the worklist CSV', () => {
  it('holds an open view as data, one kind of value per column, each time twice: UTC and the zone named in its header', () => {
    const rows = parseCsv(tableCsv(worklistTable('worklist-open', OPEN, false, ZONE)));
    expect(rows[0]).toEqual([
      'follow_up_id', 'transaction_id', 'order_id', 'order_kind', 'state', 'attention', 'ehr_attention', 'stale_reason',
      'stale_since_utc', 'stale_since_local_america_new_york', 'due_utc', 'due_local_america_new_york',
      'snoozed_until_utc', 'snoozed_until_local_america_new_york', 'snooze_reason', 'owner', 'contact_attempts',
      'opened_utc', 'opened_local_america_new_york', 'acknowledged_utc', 'acknowledged_local_america_new_york',
    ]);
    expectColumnKinds(rows, worklistKinds(false, 'america_new_york'), 'open view');
    const byColumn = (row: number) => Object.fromEntries(rows[0]!.map((column, index) => [column, rows[row]![index]]));
    expect(byColumn(1)).toMatchObject({ follow_up_id: 'txn-a', order_id: 'ord-r', order_kind: 'redraw', state: 'acknowledged', stale_reason: 'no_progress', due_utc: '2026-11-24 15:00', due_local_america_new_york: '2026-11-24 10:00', acknowledged_utc: '2026-11-10 09:30', owner: 'j.doe', contact_attempts: '2' });
    expect(byColumn(2)).toMatchObject({ state: 'snoozed', snooze_reason: 'appointment_booked', snoozed_until_utc: '2026-12-01 14:00', due_utc: '', due_local_america_new_york: '' });
    expect(byColumn(3)).toMatchObject({ transaction_id: '', order_id: '', order_kind: '', attention: 'redraw_failed', owner: '', due_utc: '2026-11-25 04:59', due_local_america_new_york: '2026-11-24 23:59' });
    expect(byColumn(4)).toMatchObject({ owner: "'=1+1", ehr_attention: 'conflict' });
  });

  it('holds the Closed queue with its disposition, who closed it and when', () => {
    const closed = [aFollowUp({ id: 'txn-e', state: 'closed', disposition: 'tested_elsewhere', closed_by: 'ehr:Practitioner/123', closed_at: '2026-11-21T18:45:30Z', owner: 'j.doe' }), aFollowUp({ id: 'txn-f', state: 'closed', disposition: 'redraw_completed', closed_by: 'tracker', closed_at: '2026-11-22T01:00:00Z' })];
    const rows = parseCsv(tableCsv(worklistTable('worklist-closed', closed, true, 'UTC')));
    expect(rows[0]).toEqual(worklistColumns(true, 'UTC'));
    expectColumnKinds(rows, worklistKinds(true, 'utc'), 'closed view');
    expect(rows.slice(1).map((row) => row.slice(4, 7))).toEqual([['tested_elsewhere', 'ehr:Practitioner/123', '2026-11-21 18:45'], ['redraw_completed', 'tracker', '2026-11-22 01:00']]);
  });

  it('says nothing relative to the moment of the download: the same answer gives the same file a month later', () => {
    const first = tableCsv(worklistTable('worklist-open', OPEN, false, ZONE));
    vi.useFakeTimers({ now: Date.parse('2026-12-30T00:00:00Z') });
    try {
      expect(tableCsv(worklistTable('worklist-open', OPEN, false, ZONE))).toBe(first);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('the worklist file name', () => {
  it('carries the view and its filters, a value made safe for a file name; never the cursor', () => {
    expect(worklistFileName({ queue: 'open' }, 'open')).toBe('worklist-open');
    expect(worklistFileName({ queue: 'open', owner: 'j.doe', cursor: 'abc' }, 'open')).toBe('worklist-open-owner-j.doe');
    expect(worklistFileName({ state: 'acknowledged', age: '8_14' }, 'attention')).toBe('worklist-attention-state-acknowledged-age-8_14');
    expect(worklistFileName({ owner: '=1+1' }, 'open')).toBe('worklist-open-owner-_1_1');
    expect(worklistFileName({ queue: 'attention', ehr: 'needs_you' }, 'attention')).toBe('worklist-attention-ehr-needs_you');
  });
});
