/**
 * The closes-by-person CSV (CONTRACT §11, §12; console/src/report/closers-table.ts):
 * data in columns of their own, read back with a CSV parser: the handle (a
 * formula-like one escaped), the EHR's name or an empty cell, the count as a
 * number, the counting's start as `YYYY-MM-DD HH:MM` UTC (empty before any), and
 * whether the window's count is partial.
 */
import { describe, expect, it } from 'vitest';
import { tableCsv } from '../../../functions/core/csv';
import { closesByPersonTable, csvUtcMinute } from '../../../console/src/report/closers-table';
import { parseCsv } from '../../support/csv-parse';

describe('closesByPersonTable', () => {
  it('holds each person’s handle, name, closes, the counting’s start and partial in columns of their own', () => {
    const table = closesByPersonTable({
      closes_by_person: [
        { actor: 'ehr:Practitioner/123', actor_display: 'Lee, Ann', closed: 3 },
        { actor: '=1+1', actor_display: null, closed: 1 },
      ],
      closes_counted_since: '2026-11-20T09:30:59.999000Z',
      closes_partial: true,
    }, 'America/New_York');
    expect(table.name).toBe('closes-by-person');
    const rows = parseCsv(tableCsv(table));
    expect(rows).toEqual([
      ['actor', 'actor_display', 'closed', 'counted_since_utc', 'counted_since_local_america_new_york', 'partial'],
      ['ehr:Practitioner/123', 'Lee, Ann', '3', '2026-11-20 09:30', '2026-11-20 04:30', 'true'],
      ["'=1+1", '', '1', '2026-11-20 09:30', '2026-11-20 04:30', 'true'],
    ]);
    for (const row of rows.slice(1)) expect(Number.isInteger(Number(row[2]))).toBe(true);
  });

  it('has its header alone when nothing was counted, and an empty time for none', () => {
    expect(closesByPersonTable({ closes_by_person: null, closes_counted_since: null, closes_partial: false }).rows).toEqual([]);
    expect(csvUtcMinute(null)).toBe('');
    expect(csvUtcMinute('not a time')).toBe('');
  });
});
