/**
 * `bookings_by_lab` and `first_bookings` of GET /reports/redraws
 * (CONTRACT §14 "The report", docs/openapi.json) as the console and the CLI read
 * them: checked field by field; a tracker older than the console sends none of
 * them (an empty list, no first bookings). Their figures are as of the read:
 * the page says when it read them. Pure: no DOM.
 */
import { CODE, count, durations, isRecord, type Fields } from './doc-fields';
import type { Durations } from './report-words';

/** One lab's bookings over the redraws opened in the window, as of the read; `lab` null: all labs (the last row). */
export interface BookingsRow {
  lab: string | null;
  redraws: number;
  booked: number;
  booked_here: number;
  booked_then_drawn: number;
  appointment_missed: number;
  time_to_booking_hours: Durations;
}

export interface ReportBookings {
  bookings_by_lab: BookingsRow[];
  /** First bookings made in the window and the hours from the offer to each; null from an older tracker. */
  first_bookings: Durations | null;
}

const COUNTS = ['redraws', 'booked', 'booked_here', 'booked_then_drawn', 'appointment_missed'] as const;

/** A bookings row, or the name of its first wrong field ('' for the row itself). */
function readRow(value: unknown): BookingsRow | string {
  if (!isRecord(value)) return '';
  if (value.lab !== null && (typeof value.lab !== 'string' || !CODE.test(value.lab))) return 'lab';
  for (const field of COUNTS) if (count(value[field]) === null) return field;
  const [redraws, booked, here, drawn, missed] = COUNTS.map((field) => value[field] as number) as [number, number, number, number, number];
  if (booked > redraws) return 'booked';
  if (here > booked) return 'booked_here';
  if (drawn > booked) return 'booked_then_drawn';
  if (missed > here) return 'appointment_missed';
  const spans = durations(value.time_to_booking_hours);
  if (spans === null) return 'time_to_booking_hours';
  return { lab: value.lab as string | null, redraws, booked, booked_here: here, booked_then_drawn: drawn, appointment_missed: missed, time_to_booking_hours: spans };
}

/** The report's booking fields in `body`, or the name of the first wrong one. */
export function readReportBookings(body: Fields): { ok: true; bookings: ReportBookings } | { ok: false; field: string } {
  const rows: BookingsRow[] = [];
  if (body.bookings_by_lab !== undefined) {
    if (!Array.isArray(body.bookings_by_lab)) return { ok: false, field: 'bookings_by_lab' };
    for (const [index, value] of body.bookings_by_lab.entries()) {
      const row = readRow(value);
      if (typeof row === 'string') return { ok: false, field: `bookings_by_lab[${index}]${row === '' ? '' : `.${row}`}` };
      rows.push(row);
    }
  }
  const first = body.first_bookings === undefined ? null : durations(body.first_bookings);
  if (body.first_bookings !== undefined && first === null) return { ok: false, field: 'first_bookings' };
  return { ok: true, bookings: { bookings_by_lab: rows, first_bookings: first } };
}
