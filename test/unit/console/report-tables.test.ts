/**
 * console/src/report/report-tables.ts (CONTRACT §12 "CSV"): the report's
 * tables as data for a spreadsheet, each read back with an RFC 4180 parser and
 * held to one kind of value per column (codes, counts, rates in percent with
 * the interval's ends in columns of their own, hours, days, an empty cell for
 * none, never "-" or "None"), and the files' names by the report's window.
 */
import { describe, expect, it } from 'vitest';
import { tableCsv, type CsvTable } from '../../../functions/core/csv';
import { readReport, type ReportDoc } from '../../../console/src/report/report-doc';
import { agingTable, countsTable, durationsTable, endedMissingTable, failureTypesTable, labTable, reportCsvTables, weeksTable, windowFileTail } from '../../../console/src/report/report-tables';
import { percentNumber, wilsonInterval } from '../../../console/src/report/wilson';
import { expectColumnKinds, REPORT_KINDS } from '../../support/csv-columns';
import { parseCsv } from '../../support/csv-parse';
import { BY_LAB, quietReport } from '../../support/redraw-report';

function doc(figures: Parameters<typeof quietReport>[0] = {}): ReportDoc {
  const read = readReport(quietReport(figures));
  if (!read.ok) throw new Error(read.field);
  return read.report;
}

const REPORT = doc({
  opened: 41, closed: 30, closed_by_people: 14, closed_by_tracker: 16, by_disposition: { redraw_completed: 12, patient_unreachable: 9 },
  open_now: 17, stale_now: 3, walk_in_completed: 120, with_redraw: 21,
  time_to_acknowledge_hours: { n: 28, p50: 0.4, p90: 5.5 },
  ended_missing: { results_still_missing: 2, no_redraw: 3, redraw_failed: 1 },
  aging_now: { '0_7': 9, '8_14': 4, '15_30': 3, over_30: 1 },
  by_lab: BY_LAB,
});

const read = (table: CsvTable): string[][] => parseCsv(tableCsv(table));

describe("the report's tables as CSV (one kind of value per column)", () => {
  it('counts: a code, its words and the count per row; the redraw rate with, of, rate and its interval in columns of their own', () => {
    const rows = read(countsTable(REPORT));
    expectColumnKinds(rows, REPORT_KINDS.counts!, 'counts');
    expect(rows.map((row) => row[0])).toEqual(['measure', 'opened', 'closed', 'closed_by_people', 'closed_by_tracker', 'closed_as_redraw_completed', 'closed_as_patient_unreachable', 'open_now', 'stale_now', 'unassigned_now', 'redraw_failed_now', 'results_still_missing_now', 'no_redraw_now', 'redraw_rate']);
    expect(rows[2]!.slice(2)).toEqual(['30', '', '', '', '', '']);
    const interval = wilsonInterval(21, 120)!;
    expect(rows.at(-1)!.slice(2)).toEqual(['', '21', '120', '17.5', String(percentNumber(interval.low)), String(percentNumber(interval.high))]);
    // No walk-in completed: no rate, and no "-" or words in its place.
    expect(read(countsTable(doc())).at(-1)!.slice(2)).toEqual(['', '0', '0', '', '', '']);
  });

  it('ended without all results: the total, then each way by its code', () => {
    const rows = read(endedMissingTable(REPORT));
    expectColumnKinds(rows, REPORT_KINDS['ended-missing']!, 'ended-missing');
    expect(rows.slice(1).map((row) => [row[0], row[2]])).toEqual([['', '6'], ['results_still_missing', '2'], ['no_redraw', '3'], ['redraw_failed', '1']]);
  });

  it('durations: n, p50_hours and p90_hours as numbers, empty where none was measured', () => {
    const rows = read(durationsTable(REPORT));
    expectColumnKinds(rows, REPORT_KINDS.durations!, 'durations');
    expect(rows.slice(1).map((row) => [row[0], ...row.slice(2)])).toEqual([['time_to_redraw_order', '0', '', ''], ['time_to_acknowledge', '28', '0.4', '5.5'], ['time_to_close', '0', '', '']]);
  });

  it('aging: the bucket code the worklist filters on, its bounds in days (no top for the last) and the count', () => {
    const rows = read(agingTable(REPORT.aging_now));
    expectColumnKinds(rows, REPORT_KINDS.aging!, 'aging');
    expect(rows.slice(1).map((row) => [row[0], row[2], row[3], row[4]])).toEqual([['0_7', '0', '7', '9'], ['8_14', '8', '14', '4'], ['15_30', '15', '30', '3'], ['over_30', '31', '', '1']]);
  });

  it('by lab: the lab and method codes, the rate as numbers with its interval, the time to results in hours', () => {
    const rows = read(labTable('labs-ranked', BY_LAB));
    expectColumnKinds(rows, REPORT_KINDS['labs-ranked']!, 'labs');
    const interval = wilsonInterval(22, 96)!;
    expect(rows[1]).toEqual(['quest', 'Quest Diagnostics', 'walk_in_test', '22', '96', '22.9', String(percentNumber(interval.low)), String(percentNumber(interval.high)), '2', '20', '121.5', '260.4']);
    // A row with nothing completed: with and of are 0, no rate.
    expect(rows.at(-1)!.slice(3, 8)).toEqual(['0', '0', '', '', '']);
  });

  it('failure types: a row per lab, method and type, the type as its code and in words, the markers', () => {
    const rows = read(failureTypesTable(BY_LAB));
    expectColumnKinds(rows, REPORT_KINDS['failure-types']!, 'failure-types');
    expect(rows[1]!.slice(3)).toEqual(['quantity_not_sufficient_failure', expect.stringMatching(/sample/) as string, '9']);
  });

  it('weeks: the Monday and the last day counted as days, the counts; named by their own span', () => {
    const weeks = [
      { from: '2026-11-09T00:00:00Z', to: '2026-11-16T00:00:00Z', current: false, opened: 4, closed: 3 },
      { from: '2026-11-16T00:00:00Z', to: '2026-11-19T10:20:00Z', current: true, opened: 2, closed: 0 },
    ];
    const table = weeksTable(weeks, 'UTC');
    const rows = read(table);
    expectColumnKinds(rows, REPORT_KINDS.weeks!, 'weeks');
    expect(rows.slice(1)).toEqual([['2026-11-09', '2026-11-15', '4', '3'], ['2026-11-16', '2026-11-19', '2', '0']]);
    expect(table.fileTail).toBe('2026-11-09-to-2026-11-19');
  });

  it('leaves no cell of any table reading "-", "None", "n/a" or a percent sign', () => {
    for (const table of reportCsvTables(REPORT, [])) {
      for (const row of read(table).slice(1)) for (const cell of row) expect(cell, table.name).not.toMatch(/^(-|—|None|n\/a)$|%/);
    }
  });
});

describe("the report's files' names", () => {
  it("carry the window's first and last days in the report's zone (a window to midnight ends the day before)", () => {
    expect(windowFileTail({ from: '2026-10-31T00:00:00Z', to: '2026-11-28T15:42:00Z' }, 'UTC')).toBe('2026-10-31-to-2026-11-28');
    expect(windowFileTail({ from: '2026-10-30T00:00:00Z', to: '2026-11-27T00:00:00Z' }, 'UTC')).toBe('2026-10-30-to-2026-11-26');
    expect(windowFileTail({ from: '2026-10-30T04:00:00Z', to: '2026-11-27T05:00:00Z' }, 'America/New_York')).toBe('2026-10-30-to-2026-11-26');
    expect(windowFileTail({ from: 'x', to: 'y' }, 'UTC')).toBeNull();
  });
});
