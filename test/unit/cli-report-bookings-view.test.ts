/**
 * `report`'s bookings by lab (CONTRACT §14 "The report", issue 85;
 * cli/report-bookings-view.ts) without a tracker: the table after the by-lab
 * table in the whole report, alone with --by bookings, as of the read, labs in
 * words with their code, the shares, durations as the report's others, and
 * the lines for a tracker that counts no bookings and a window without
 * redraws. The command against a tracker: ./cli-report-command.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { createPrinter } from '../../cli/format';
import { bookingLabCell, shareCell } from '../../cli/report-bookings-view';
import { bookingsReportLines, bookingsTableLines, byLabLines, reportLines } from '../../cli/report-views';
import { BOOKINGS_BY_LAB, BY_LAB, redrawReport as report } from '../support/redraw-report';

const plain = createPrinter({ write: () => undefined }, {});
const READ_AT = new Date('2026-11-23T15:00:04Z');
const read = { rows: BOOKINGS_BY_LAB, readAt: READ_AT };

const TABLE = [
  'Bookings by lab (redraw follow-ups opened in the window, as of 2026-11-23 15:00Z; BOOKED: share of the redraws, DRAWN AFTER BOOKING: of the booked)',
  '  LAB                        REDRAWS  BOOKED   THROUGH JUNCTION  DRAWN AFTER BOOKING  MISSED  TIME TO BOOKING',
  '  Quest Diagnostics (quest)       12  9 (75%)                 8            6 (66.7%)       1  p50 20.5 h · p90 2.9 days (n 9)',
  '  westlab                          3   0 (0%)                 0                    0       0  - (n 0)',
  '  All labs                        15  9 (60%)                 8            6 (66.7%)       1  p50 20.5 h · p90 2.9 days (n 9)',
];

describe('the bookings by lab', () => {
  it('prints a row per lab in the API\'s order, the row for all labs last, as of the read: shares, counts aligned right, durations as the others', () => {
    expect(bookingsTableLines(read, plain)).toEqual(TABLE);
    // The row for all labs is last whatever the order it came in.
    expect(bookingsTableLines({ rows: [BOOKINGS_BY_LAB[2]!, BOOKINGS_BY_LAB[0]!, BOOKINGS_BY_LAB[1]!], readAt: READ_AT }, plain)).toEqual(TABLE);
  });

  it('comes after the by-lab table in the whole report, and alone with --by bookings', () => {
    const lines = reportLines(report({ by_lab: BY_LAB }), null, 'x', plain, read);
    const byLab = byLabLines({ by_lab: BY_LAB }, plain);
    const start = lines.indexOf(byLab[0]!);
    expect(lines.slice(start, start + byLab.length + 1 + TABLE.length + 2)).toEqual([...byLab, '', ...TABLE, '', expect.stringMatching(/^Closes by person /)]);
    expect(bookingsReportLines(report(), 'the local tracker at http://127.0.0.1:3999', plain, read)).toEqual([
      'Redraw report: bookings by lab on the local tracker at http://127.0.0.1:3999',
      'Window: 2026-11-16 15:00Z to 2026-11-23 15:00Z (7 days); days and weeks (Monday to Sunday) in UTC',
      '',
      ...TABLE,
    ]);
  });

  it('says why there is no row: a tracker that counts no bookings, a window without a redraw', () => {
    expect(bookingsTableLines({ rows: [], readAt: READ_AT }, plain).slice(1)).toEqual(['  not counted by this tracker: it is older than this CLI (CONTRACT §14)']);
    const none = { lab: null, redraws: 0, booked: 0, booked_here: 0, booked_then_drawn: 0, appointment_missed: 0, time_to_booking_hours: { n: 0, p50: null, p90: null } };
    expect(bookingsTableLines({ rows: [none], readAt: READ_AT }, plain).slice(1)).toEqual(['  no redraw follow-up opened in the window']);
  });

  it('names labs in words with their code, a share with at most one decimal, and colours only a missed appointment and the header', () => {
    expect([bookingLabCell('quest'), bookingLabCell('sonora_quest'), bookingLabCell('unknown'), bookingLabCell('westlab'), bookingLabCell(null)]).toEqual([
      'Quest Diagnostics (quest)',
      'Sonora Quest (sonora_quest)',
      'Lab not given (unknown)',
      'westlab',
      'All labs',
    ]);
    expect([shareCell(1, 3), shareCell(2, 3), shareCell(3, 3), shareCell(0, 0)]).toEqual(['1 (33.3%)', '2 (66.7%)', '3 (100%)', '0']);
    const tty = bookingsTableLines(read, createPrinter({ write: () => undefined, isTTY: true }, {})).join('\n');
    expect(tty).toContain('\u001b[1mLAB\u001b[22m');
    expect(tty).toContain(`6 (66.7%)${' '.repeat(7)}\u001b[31m1\u001b[39m  p50 `);
    expect(bookingsTableLines(read, createPrinter({ write: () => undefined, isTTY: true }, { NO_COLOR: '1' }))).toEqual(TABLE);
  });
});
