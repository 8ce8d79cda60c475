/**
 * The report's bookings by lab in the console (CONTRACT §14 "The report", §12;
 * issue 85 item 1): the rows the page shows, the table's cells, the chart's
 * words (each share with its sample and its 95% Wilson interval) and the CSV
 * table, read back as CSV with each column's kind of value checked.
 */
import { describe, expect, it } from 'vitest';
import { tableCsv } from '../../../functions/core/csv';
import type { BookingsRow } from '../../../console/src/report/report-bookings-doc';
import {
  BOOKINGS_COLUMNS,
  BOOKINGS_CSV_HEADER,
  bookedWords,
  bookingsCells,
  bookingsChartSummary,
  bookingsTable,
  drawnWords,
  noRedraws,
  oneLine,
  shownBookingRows,
} from '../../../console/src/report/report-bookings';
import { reportCsvTables } from '../../../console/src/report/report-tables';
import { readReport } from '../../../console/src/report/report-doc';
import { intervalPercentWords, percentNumber, wilsonInterval } from '../../../console/src/report/wilson';
import { quietReport } from '../../support/redraw-report';
import { parseCsv } from '../../support/csv-parse';

const none = { n: 0, p50: null, p90: null };
const row = (lab: string | null, redraws: number, booked: number, here: number, drawn: number, missed: number, hours = booked > 0 ? { n: booked, p50: 20.5, p90: 70 } : none): BookingsRow => ({
  lab,
  redraws,
  booked,
  booked_here: here,
  booked_then_drawn: drawn,
  appointment_missed: missed,
  time_to_booking_hours: hours,
});
const QUEST = row('quest', 10, 3, 2, 1, 1);
const NORTH = row('north-lab', 2, 0, 0, 0, 0);
const EMPTY = row('east-lab', 0, 0, 0, 0, 0);
const ALL = row(null, 12, 3, 2, 1, 1, { n: 3, p50: 20.5, p90: 70 });
const ROWS = [EMPTY, NORTH, QUEST, ALL];

describe('the bookings rows the page shows', () => {
  it('keeps the labs with a redraw in the API order, then the row for all labs; none from a tracker without them', () => {
    expect(shownBookingRows(ROWS)).toEqual([NORTH, QUEST, ALL]);
    expect(shownBookingRows([row(null, 0, 0, 0, 0, 0)])).toEqual([row(null, 0, 0, 0, 0, 0)]);
    expect(shownBookingRows([])).toEqual([]);
    expect(noRedraws([row(null, 0, 0, 0, 0, 0)])).toBe(true);
    expect(noRedraws(ROWS)).toBe(false);
  });

  it('says each row in words: the lab with its code, the booked and drawn shares with their counts, the time to booking as the page says durations', () => {
    expect(BOOKINGS_COLUMNS).toEqual(['Lab', 'Redraws', 'Booked (of the redraws)', 'Booked through Junction', 'Drawn after booking (of the booked)', 'Missed appointments', 'Time to booking']);
    expect(bookingsCells(QUEST)).toEqual(['Quest Diagnostics (quest)', '10', '3 of 10 (30%)', '2', '1 of 3 booked (33.3%)', '1', 'p50 20.5 h · p90 2.9 days (n 3)']);
    expect(bookingsCells(NORTH)).toEqual(['north-lab', '2', '0 of 2 (0%)', '0', 'none booked', '0', '- (n 0)']);
    expect(bookingsCells(ALL)[0]).toBe('All labs');
    expect(bookingsCells(row('labcorp', 40, 30, 30, 10, 0, { n: 30, p50: 0.5, p90: 96 }))[6]).toBe('p50 30 min · p90 4 days (n 30)');
  });
});

describe('the bookings chart in words', () => {
  it('says each share with its sample and its 95% Wilson interval, and why a share has none', () => {
    const booked = intervalPercentWords(wilsonInterval(3, 10)!);
    const drawn = intervalPercentWords(wilsonInterval(1, 3)!);
    expect(booked).toBe('10.8 to 60.3%');
    expect(bookedWords(QUEST)).toEqual(['Booked: 30% (3 of 10)', `95% interval ${booked}`]);
    expect(drawnWords(QUEST)).toEqual(['Drawn after booking: 33.3% (1 of 3)', `95% interval ${drawn}`]);
    expect(oneLine(bookedWords(QUEST))).toBe(`Booked: 30% (3 of 10), 95% interval ${booked}`);
    // No booking: the booked share is 0% with an interval; the drawn share has no sample.
    expect(bookedWords(NORTH)).toEqual(['Booked: 0% (0 of 2)', `95% interval ${intervalPercentWords(wilsonInterval(0, 2)!)}`]);
    expect(drawnWords(NORTH)).toEqual(['Drawn after booking: none booked']);
    expect(bookedWords(row(null, 0, 0, 0, 0, 0))).toEqual(['Booked: no redraw']);
  });

  it('names every shown row with both its shares in the chart\'s accessible name, the unit and the interval said', () => {
    const summary = bookingsChartSummary(shownBookingRows(ROWS));
    expect(summary).toMatch(/^Bar chart of the booked share \(of the redraws opened in the window\) and the drawn share \(of the booked\), in percent, by lab, each with its 95% interval/);
    expect(summary).toContain(`Quest Diagnostics (quest): Booked: 30% (3 of 10), 95% interval 10.8 to 60.3%; Drawn after booking: 33.3% (1 of 3), 95% interval ${intervalPercentWords(wilsonInterval(1, 3)!)}`);
    expect(summary).toContain('north-lab: Booked: 0% (0 of 2), 95% interval 0 to 65.8%; Drawn after booking: none booked');
    expect(summary).toContain('All labs: Booked: 25% (3 of 12)');
    expect(summary).not.toContain('east-lab');
  });
});

describe('the bookings CSV (CONTRACT §12: one kind of value per column)', () => {
  const INTEGER = /^\d+$/;
  const NUMBER_OR_EMPTY = /^(\d+(\.\d+)?)?$/;
  const PERCENT_OR_EMPTY = /^(\d{1,3}(\.\d)?)?$/;
  const kinds: Record<(typeof BOOKINGS_CSV_HEADER)[number], RegExp> = {
    lab: /^([a-z0-9][a-z0-9_-]*)?$/,
    lab_name: /^[A-Za-z][A-Za-z ]*$|^$/,
    redraws: INTEGER,
    booked: INTEGER,
    booked_percent: PERCENT_OR_EMPTY,
    booked_percent_low: PERCENT_OR_EMPTY,
    booked_percent_high: PERCENT_OR_EMPTY,
    booked_here: INTEGER,
    booked_then_drawn: INTEGER,
    drawn_percent: PERCENT_OR_EMPTY,
    drawn_percent_low: PERCENT_OR_EMPTY,
    drawn_percent_high: PERCENT_OR_EMPTY,
    appointment_missed: INTEGER,
    time_to_booking_n: INTEGER,
    time_to_booking_p50_hours: NUMBER_OR_EMPTY,
    time_to_booking_p90_hours: NUMBER_OR_EMPTY,
  };

  it('holds the shown rows as data: codes, counts, percents with the interval in columns of their own, hours, an empty cell for none', () => {
    const table = bookingsTable(ROWS);
    expect(table.name).toBe('bookings-by-lab');
    const [header, ...rows] = parseCsv(tableCsv(table));
    expect(header).toEqual([...BOOKINGS_CSV_HEADER]);
    expect(rows).toEqual([
      ['north-lab', '', '2', '0', '0', '0', String(percentNumber(wilsonInterval(0, 2)!.high)), '0', '0', '', '', '', '0', '0', '', ''],
      ['quest', 'Quest Diagnostics', '10', '3', '30', '10.8', '60.3', '2', '1', '33.3', String(percentNumber(wilsonInterval(1, 3)!.low)), String(percentNumber(wilsonInterval(1, 3)!.high)), '1', '3', '20.5', '70'],
      ['', 'All labs', '12', '3', '25', String(percentNumber(wilsonInterval(3, 12)!.low)), String(percentNumber(wilsonInterval(3, 12)!.high)), '2', '1', '33.3', String(percentNumber(wilsonInterval(1, 3)!.low)), String(percentNumber(wilsonInterval(1, 3)!.high)), '1', '3', '20.5', '70'],
    ]);
    for (const cells of rows) {
      expect(cells).toHaveLength(header!.length);
      header!.forEach((column, index) => expect(cells[index], `${column} of ${cells[0]}`).toMatch(kinds[column as keyof typeof kinds]));
      // Each percent reads back as a number, its interval around it.
      for (const [share, low, high] of [[4, 5, 6], [9, 10, 11]] as const) {
        if (cells[share] === '') continue;
        expect(Number(cells[low])).toBeLessThanOrEqual(Number(cells[share]));
        expect(Number(cells[high])).toBeGreaterThanOrEqual(Number(cells[share]));
      }
    }
  });

  it('is one of the report\'s tables (the page\'s and the CLI\'s), after the by-lab ones and before the weeks, only when a redraw opened in the window', () => {
    const read = (bookings: BookingsRow[]) => {
      const doc = readReport(quietReport({ bookings_by_lab: bookings }));
      if (!doc.ok) throw new Error(doc.field);
      return reportCsvTables(doc.report, []).map((table) => table.name);
    };
    const names = read(ROWS);
    expect(names.slice(-2)).toEqual(['bookings-by-lab', 'weeks']);
    expect(read([row(null, 0, 0, 0, 0, 0)])).not.toContain('bookings-by-lab');
    expect(read([])).not.toContain('bookings-by-lab');
  });
});
