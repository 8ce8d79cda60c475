/**
 * `report`'s bookings by lab (CONTRACT §14 "The report", §11 `bookings_by_lab`,
 * issue 85): a heading saying the figures are as of the read, then a row per
 * lab in the API's order (labs in words with their code, as the console names
 * them) and the row for all labs last: the redraw follow-ups opened in the
 * window, how many were booked (with the share of the redraws), through
 * Junction, drawn after the booking (with the share of the booked), missed
 * appointments, and the time from the redraw offer to the booking as the
 * report's other durations read. A tracker older than this CLI counts no
 * bookings: a line says so.
 */
import { labName } from '../functions/core/lab-names';
import type { BookingsRow } from '../console/src/report/report-bookings-doc';
import { visibleWidth, type Printer } from './format';

/** The rows as read from the answer (console/src/report/report-bookings-doc.ts) and when the CLI read them. */
export interface BookingsRead {
  rows: readonly BookingsRow[];
  readAt: Date;
}

/** "Quest Diagnostics (quest)", the code alone for a lab without a known name, "All labs" for the row of all labs. */
export function bookingLabCell(lab: string | null): string {
  if (lab === null) return 'All labs';
  const name = labName(lab);
  return name === null ? lab : `${name} (${lab})`;
}

/** "3 (30%)": `part` with its share of `whole` (one decimal at most, as the redraw rate), or the count alone with a whole of 0. */
export function shareCell(part: number, whole: number): string {
  if (whole === 0) return String(part);
  return `${part} (${Math.round((part / whole) * 1000) / 10}%)`;
}

const HEADER = ['LAB', 'REDRAWS', 'BOOKED', 'THROUGH JUNCTION', 'DRAWN AFTER BOOKING', 'MISSED', 'TIME TO BOOKING'] as const;
/** The columns of counts, aligned right. */
const NUMBERS: ReadonlySet<number> = new Set([1, 2, 3, 4, 5]);

/** The rows in the API's order, the row for all labs last (where the API puts it). */
function ordered(rows: readonly BookingsRow[]): BookingsRow[] {
  return [...rows.filter((row) => row.lab !== null), ...rows.filter((row) => row.lab === null)];
}

/**
 * The table's lines: the heading, then the header and the rows, or a line
 * saying why there are none. `durations` words a Durations as the report's
 * other durations ("p50 12.5 h · p90 6.3 days (n 14)"); `instant` an instant
 * as the report's other lines ("2026-11-23 15:00Z").
 */
export function bookingsLines(
  read: BookingsRead,
  out: Printer,
  words: { durations: (durations: BookingsRow['time_to_booking_hours']) => string; instant: (iso: string) => string },
): string[] {
  const heading = `${out.style('bold', 'Bookings by lab')} (redraw follow-ups opened in the window, as of ${words.instant(read.readAt.toISOString())}; BOOKED: share of the redraws, DRAWN AFTER BOOKING: of the booked)`;
  if (read.rows.length === 0) return [heading, '  not counted by this tracker: it is older than this CLI (CONTRACT §14)'];
  if (read.rows.every((row) => row.redraws === 0)) return [heading, '  no redraw follow-up opened in the window'];
  const cells = ordered(read.rows).map((row) => [
    bookingLabCell(row.lab),
    String(row.redraws),
    shareCell(row.booked, row.redraws),
    String(row.booked_here),
    shareCell(row.booked_then_drawn, row.booked),
    row.appointment_missed > 0 ? out.style('red', String(row.appointment_missed)) : String(row.appointment_missed),
    words.durations(row.time_to_booking_hours),
  ]);
  const widths = HEADER.map((title, column) => Math.max(title.length, ...cells.map((row) => visibleWidth(row[column]!))));
  const render = (row: readonly string[], header: boolean) =>
    `  ${row
      .map((cell, column) => {
        const room = ' '.repeat(widths[column]! - visibleWidth(cell));
        const shown = header ? out.style('bold', cell) : cell;
        if (column === row.length - 1) return shown;
        return NUMBERS.has(column) && !header ? `${room}${shown}` : `${shown}${room}`;
      })
      .join('  ')}`.trimEnd();
  return [heading, render(HEADER, true), ...cells.map((row) => render(row, false))];
}
