/**
 * The report's bookings by lab (CONTRACT §14 "The report", §11, §12) in words
 * and numbers, for the page's table and chart and for the CSV: the rows the page
 * shows (each lab with a redraw, then the row for all labs), the booked share
 * (booked of the redraws) and the drawn share (drawn after booking of the
 * booked), each with its 95% Wilson interval. The CSV holds one kind of value
 * per column (§12): counts, shares in percent with the interval's ends in
 * columns of their own, hours, an empty cell for none. Pure: no DOM.
 */
import type { CsvTable, CsvValue } from '../../../functions/core/csv';
import { labName } from '../../../functions/core/lab-names';
import type { BookingsRow } from './report-bookings-doc';
import { labWords } from './report-labs';
import { durationsWords } from './report-words';
import { intervalPercentWords, percentNumber, wilsonInterval, type Interval } from './wilson';

/** The rows the page shows: the labs with a redraw in the window (the API's order), then the row for all labs; none from a tracker that counts no bookings. */
export function shownBookingRows(rows: readonly BookingsRow[]): BookingsRow[] {
  const all = rows.find((row) => row.lab === null);
  if (all === undefined) return [];
  return [...rows.filter((row) => row.lab !== null && row.redraws > 0), all];
}

/** Whether the window opened no redraw follow-up (the row for all labs counts none). */
export function noRedraws(rows: readonly BookingsRow[]): boolean {
  return rows.every((row) => row.redraws === 0);
}

/** "Quest Diagnostics (quest)", or "All labs" for the row of all labs. */
export function bookingLabWords(lab: string | null): string {
  return lab === null ? 'All labs' : labWords(lab);
}

/** A share of `part` in `whole`: the percentage (one decimal) and its 95% Wilson interval; null with a whole of 0. */
export interface Share {
  part: number;
  whole: number;
  percent: number;
  interval: Interval;
}

function shareOf(part: number, whole: number): Share | null {
  const interval = wilsonInterval(part, whole);
  return interval === null ? null : { part, whole, percent: percentNumber(part / whole), interval };
}

/** The booked share: booked of the redraws opened in the window. */
export const bookedShare = (row: BookingsRow): Share | null => shareOf(row.booked, row.redraws);
/** The drawn share: drawn after the booking, of the booked. */
export const drawnShare = (row: BookingsRow): Share | null => shareOf(row.booked_then_drawn, row.booked);

/** "3 of 10 (30%)": the booked cell. */
export function bookedCellWords(row: BookingsRow): string {
  const share = bookedShare(row);
  return share === null ? `${row.booked} of 0` : `${row.booked} of ${row.redraws} (${share.percent}%)`;
}

/** "1 of 3 booked (33.3%)", or "none booked": the drawn cell. */
export function drawnCellWords(row: BookingsRow): string {
  const share = drawnShare(row);
  return share === null ? 'none booked' : `${row.booked_then_drawn} of ${row.booked} booked (${share.percent}%)`;
}

/** A share as the chart says it: ["Booked: 30% (3 of 10)", "95% interval 10.8 to 60.3%"], or why there is none, alone. */
export type ShareWords = [string] | [string, string];

function shareParts(what: string, share: Share | null, none: string): ShareWords {
  return share === null ? [`${what}: ${none}`] : [`${what}: ${share.percent}% (${share.part} of ${share.whole})`, `95% interval ${intervalPercentWords(share.interval)}`];
}

/** The chart's words of a row's booked share (booked of its redraws). */
export const bookedWords = (row: BookingsRow): ShareWords => shareParts('Booked', bookedShare(row), 'no redraw');
/** The chart's words of a row's drawn share (drawn after booking, of the booked). */
export const drawnWords = (row: BookingsRow): ShareWords => shareParts('Drawn after booking', drawnShare(row), 'none booked');

/** "Booked: 30% (3 of 10), 95% interval 10.8 to 60.3%": a share's words on one line. */
export const oneLine = (words: ShareWords): string => words.join(', ');

/** The chart's name in words: every row's two shares. */
export function bookingsChartSummary(rows: readonly BookingsRow[]): string {
  const each = rows.map((row) => `${bookingLabWords(row.lab)}: ${oneLine(bookedWords(row))}; ${oneLine(drawnWords(row))}`);
  return `Bar chart of the booked share (of the redraws opened in the window) and the drawn share (of the booked), in percent, by lab, each with its 95% interval as a line across the bar's end: ${each.join('. ')}.`;
}

export const BOOKINGS_COLUMNS = ['Lab', 'Redraws', 'Booked (of the redraws)', 'Booked through Junction', 'Drawn after booking (of the booked)', 'Missed appointments', 'Time to booking'] as const;

/** A row of the page's table, cell by cell as shown. */
export function bookingsCells(row: BookingsRow): string[] {
  return [bookingLabWords(row.lab), String(row.redraws), bookedCellWords(row), String(row.booked_here), drawnCellWords(row), String(row.appointment_missed), durationsWords(row.time_to_booking_hours)];
}

/** The CSV's columns (CONTRACT §12: one kind of value per column; an empty cell for none). */
export const BOOKINGS_CSV_HEADER = [
  'lab',
  'lab_name',
  'redraws',
  'booked',
  'booked_percent',
  'booked_percent_low',
  'booked_percent_high',
  'booked_here',
  'booked_then_drawn',
  'drawn_percent',
  'drawn_percent_low',
  'drawn_percent_high',
  'appointment_missed',
  'time_to_booking_n',
  'time_to_booking_p50_hours',
  'time_to_booking_p90_hours',
] as const;

const shareCells = (share: Share | null): CsvValue[] => (share === null ? ['', '', ''] : [share.percent, percentNumber(share.interval.low), percentNumber(share.interval.high)]);

/** The lab's code ('' for all labs) and its name in words ("All labs"; '' for a code without a known name). */
function labCells(lab: string | null): CsvValue[] {
  return lab === null ? ['', 'All labs'] : [lab, labName(lab) ?? ''];
}

/** The bookings table as the CSV holds it: the rows the page shows, data only. */
export function bookingsTable(rows: readonly BookingsRow[]): CsvTable {
  return {
    name: 'bookings-by-lab',
    header: BOOKINGS_CSV_HEADER,
    rows: shownBookingRows(rows).map((row) => {
      const { n, p50, p90 } = row.time_to_booking_hours;
      return [
        ...labCells(row.lab),
        row.redraws,
        row.booked,
        ...shareCells(bookedShare(row)),
        row.booked_here,
        row.booked_then_drawn,
        ...shareCells(drawnShare(row)),
        row.appointment_missed,
        n,
        p50 ?? '',
        p90 ?? '',
      ];
    }),
  };
}
