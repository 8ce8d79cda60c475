/**
 * A booking in the CLI's words (cli/booking-words.ts, CONTRACT §14): times in
 * the site's zone, named, else in UTC; what a booking action did in one
 * sentence; the follow-up's booking in one line. What the Junction stand-in
 * does not give the CLI's end-to-end test (test/e2e/cli-booking.test.ts): a
 * booking Quest has yet to confirm, one made elsewhere, an attempt under way or
 * of unknown outcome, a zone this machine does not know.
 */
import { describe, expect, it } from 'vitest';
import { bookedWords, bookingLine, dayWords, timeWords } from '../../cli/booking-words';

const START = '2026-12-01T15:30:00.000000Z';
const NOW = new Date('2026-11-28T10:00:30Z');
const booking = (fields: Record<string, unknown> = {}) => ({
  appointment_id: 'apt-1',
  site_code: '23070',
  start_at: START,
  end_at: '2026-12-01T15:45:00.000000Z',
  iana_timezone: 'America/Phoenix',
  status: 'confirmed',
  booked_by: 'sam.c',
  booked_with: 'junction' as 'junction' | 'lab' | null,
  unknown_since: null,
  attempt: null,
  ...fields,
});
const snoozed = { state: 'snoozed', snoozed_until: '2026-12-03T15:30:00.000000Z' };

describe('times of a booking', () => {
  it("names the site's zone, and UTC where the zone is not known or this machine does not know it", () => {
    expect(timeWords(START, 'America/Phoenix')).toBe('Tue 1 Dec 08:30 MST');
    expect(timeWords(START, 'America/New_York')).toBe('Tue 1 Dec 10:30 EST');
    expect(timeWords(START, null)).toBe('Tue 1 Dec 15:30 UTC');
    expect(timeWords(START, 'Mars/Olympus_Mons')).toBe('Tue 1 Dec 15:30 UTC');
    expect(timeWords('not a time', 'UTC')).toBe('not a time');
    // Junction's own date of a day, whatever this machine's zone.
    expect(dayWords('2026-12-01')).toBe('Tue 1 Dec');
  });
});

describe('what a booking action did, in one sentence', () => {
  it('says what was booked and until when the follow-up sleeps, in the site\'s zone; pending is never "booked"', () => {
    expect(bookedWords('book', booking(), snoozed)).toBe('Booked Tue 1 Dec 08:30 MST at site 23070; snoozed until Thu 3 Dec 08:30 MST.');
    expect(bookedWords('book', booking({ status: 'pending' }), snoozed)).toBe('Asked Quest for Tue 1 Dec 08:30 MST at site 23070: waiting for Quest to confirm; snoozed until Thu 3 Dec 08:30 MST.');
    expect(bookedWords('reschedule_booking', booking(), snoozed)).toBe('Moved the booking to Tue 1 Dec 08:30 MST at site 23070; snoozed until Thu 3 Dec 08:30 MST.');
    expect(bookedWords('cancel_booking', booking({ status: 'cancelled' }), { state: 'acknowledged', snoozed_until: null })).toBe(
      'Cancelled the booking of Tue 1 Dec 08:30 MST at site 23070; the follow-up is acknowledged again.',
    );
    const lab = booking({ booked_with: 'lab', status: 'recorded', iana_timezone: null, site_code: null, appointment_id: null });
    expect(bookedWords('record_booking', lab, snoozed)).toBe('Recorded a booking made with the lab: Tue 1 Dec 15:30 UTC; snoozed until Thu 3 Dec 15:30 UTC.');
    // Closed meanwhile: the fact is written, the follow-up stays closed.
    expect(bookedWords('book', booking(), { state: 'closed', snoozed_until: null })).toBe('Booked Tue 1 Dec 08:30 MST at site 23070; the follow-up is closed.');
  });
});

describe("the follow-up's booking in one line", () => {
  it('says who booked it, the patient or elsewhere, a pending one, a lab booking, and an attempt under way or of unknown outcome', () => {
    expect(bookingLine(null, NOW)).toBeNull();
    expect(bookingLine(booking(), NOW)).toBe('booked by sam.c: Tue 1 Dec 08:30 MST at site 23070 (confirmed)');
    expect(bookingLine(booking({ booked_by: null }), NOW)).toBe('booked by the patient or elsewhere: Tue 1 Dec 08:30 MST at site 23070 (confirmed)');
    expect(bookingLine(booking({ status: 'pending' }), NOW)).toBe('waiting for Quest to confirm Tue 1 Dec 08:30 MST at site 23070');
    expect(bookingLine(booking({ booked_with: 'lab', status: 'recorded', iana_timezone: null }), NOW)).toBe('booked with the lab for Tue 1 Dec 15:30 UTC at site 23070 (recorded here)');
    const none = { appointment_id: null, site_code: null, start_at: null, iana_timezone: null, status: null, booked_by: null, booked_with: null };
    // The claim's minute (CONTRACT §14): someone is booking now, then the outcome is not known.
    const attempt = booking({ ...none, unknown_since: '2026-11-28T10:00:00.000000Z', attempt: { kind: 'book', at: '2026-11-28T10:00:00.000000Z', by: 'kim.w' } });
    expect(bookingLine(attempt, NOW)).toBe('someone is booking it now (a book sent at 2026-11-28T10:00:00.000000Z by kim.w)');
    expect(bookingLine(attempt, new Date('2026-11-28T10:01:00Z'))).toBe(
      'a book sent to Junction at 2026-11-28T10:00:00.000000Z has no known outcome: the next book or reschedule reads Junction first',
    );
  });
});
