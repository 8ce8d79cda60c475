/**
 * The booking panel's pure parts (issue 83 item 6, CONTRACT §14): the booking
 * in words as the first screen and the panel say it (the site's zone, the
 * browser's beside it; pending, elsewhere, lab, cancelled), the question before
 * booking, refusals in words, the answers read from the API and how the keys
 * move between a site's days and slots. The panel itself is
 * test/browser/console-booking.test.ts's.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bookedWords, bookQuestion, milesWords, refusalWords, unansweredWords } from '../../../console/src/lib/booking-answers';
import { activeBooking, asBookingOptions, attemptWords, bookingLine, bookingOf, slotWhen, type Booking } from '../../../console/src/lib/booking';
import { asBookingSites, asCancelReasons, asSiteSlots, movedFrom, slotsPath, windowStart, withLaterDays, type SlotDay } from '../../../console/src/lib/booking-reads';

const PHOENIX = 'America/Phoenix';
const NY = 'America/New_York';
/** Tue 1 Dec 2026, 08:30 in Phoenix (MST all year), 10:30 in New York. */
const START = '2026-12-01T15:30:00Z';

beforeAll(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-28T17:00:00Z'));
});
afterAll(() => {
  vi.useRealTimers();
});

const booking = (fields: Partial<Booking> = {}): Booking => ({ appointment_id: 'appt-1', site_code: '23070', start_at: START, iana_timezone: PHOENIX, status: 'confirmed', booked_by: 'j.doe', booked_with: 'junction', attempt: null, ...fields });
const snoozed = (fields: Partial<Booking> = {}) => ({ state: 'snoozed', snoozed_until: '2026-12-03T15:30:00Z', booking: booking(fields) });

describe('a booking in words (CONTRACT §14)', () => {
  it('says the issue’s first screen word for word: the site’s zone, the snooze in the browser’s', () => {
    expect(bookingLine(snoozed(), PHOENIX)).toBe('Booked Tue 1 Dec, 08:30 MST at Quest site 23070; snoozed until Thu 3 Dec 08:30 (your zone)');
  });

  it('puts the browser’s clock beside the site’s when it differs (its day too when another), and says when the site’s zone is not known', () => {
    expect(bookingLine(snoozed(), NY)).toBe('Booked Tue 1 Dec, 08:30 MST (10:30 EST, your zone) at Quest site 23070; snoozed until Thu 3 Dec 10:30 (your zone)');
    expect(slotWhen('2026-12-01T04:30:00Z', PHOENIX, false, NY)).toBe('Mon 30 Nov 21:30 MST (23:30 EST, your zone)');
    expect(slotWhen('2026-12-01T06:30:00Z', PHOENIX, false, NY)).toBe('Mon 30 Nov 23:30 MST (Tue 1 Dec 01:30 EST, your zone)');
    expect(slotWhen(START, null, false, NY)).toBe("Tue 1 Dec 10:30 EST (your zone; the site's time zone is not known)");
  });

  it('reads a pending booking “waiting for Quest to confirm”, never as booked; one the tracker did not book “by the patient or elsewhere”', () => {
    const pending = bookingLine(snoozed({ status: 'pending' }), PHOENIX)!;
    expect(pending).toBe('Waiting for Quest to confirm Tue 1 Dec, 08:30 MST at Quest site 23070; snoozed until Thu 3 Dec 08:30 (your zone)');
    expect(pending).not.toMatch(/booked/i);
    expect(bookingLine({ state: 'new', snoozed_until: null, booking: booking({ booked_by: null, site_code: null }) }, PHOENIX)).toBe('Booked by the patient or elsewhere: Tue 1 Dec, 08:30 MST');
  });

  it('reads a lab booking in the browser’s zone with UTC beside it, a cancelled and a completed one, and nothing without a time', () => {
    expect(bookingLine(snoozed({ booked_with: 'lab', status: 'recorded', iana_timezone: null, site_code: 'LAB-7' }), NY)).toBe('Booked with the lab: Tue 1 Dec, 10:30 EST (15:30 UTC) at the lab’s site LAB-7; snoozed until Thu 3 Dec 10:30 (your zone)');
    expect(bookingLine({ state: 'acknowledged', snoozed_until: null, booking: booking({ status: 'cancelled' }) }, PHOENIX)).toBe('The booking of Tue 1 Dec, 08:30 MST at Quest site 23070 was cancelled');
    expect(bookingLine({ state: 'snoozed', snoozed_until: null, booking: booking({ status: 'completed' }) }, PHOENIX)).toBe('The appointment of Tue 1 Dec, 08:30 MST at Quest site 23070 took place (completed)');
    // A refusal leaves only the bookkeeping (`seq`): no booking to say.
    expect(bookingLine({ state: 'new', snoozed_until: null, booking: booking({ appointment_id: null, start_at: null, status: null }) })).toBeNull();
    expect(bookingLine({ state: 'new', snoozed_until: null, booking: null })).toBeNull();
  });

  it('says who is booking now (under a minute), and an attempt older than that as an unknown outcome', () => {
    const attempt = { kind: 'book', at: '2026-11-28T16:59:30Z', by: 'j.doe' };
    expect(attemptWords(booking({ attempt }), new Date('2026-11-28T17:00:00Z'), NY)).toBe('j.doe is booking this redraw now (since 11:59 EST).');
    expect(attemptWords(booking({ attempt }), new Date('2026-11-28T17:01:00Z'), NY)).toMatch(/^j\.doe’s booking at 11:59 EST has no known outcome yet: booking again reads Junction first and books at most once\.$/);
    expect(attemptWords(booking(), new Date(), NY)).toBeNull();
  });

  it('asks “Book Tue 1 Dec 08:30 MST at Quest site 23070?”, or to reschedule there', () => {
    expect(bookQuestion(false, START, PHOENIX, 'quest', '23070', PHOENIX)).toBe('Book Tue 1 Dec 08:30 MST at Quest site 23070?');
    expect(bookQuestion(true, START, PHOENIX, 'sonora_quest', '23070', NY)).toBe('Reschedule to Tue 1 Dec 08:30 MST (10:30 EST, your zone) at Sonora Quest site 23070?');
    expect([milesWords(1), milesWords(2.46), milesWords(12)]).toEqual(['1 mile', '2.5 miles', '12 miles']);
  });

  it('answers an action in words, with what happened meanwhile, and each refusal with why and what to do', () => {
    expect(bookedWords('book', snoozed(), 'Booked; m.ops closed the follow-up meanwhile', PHOENIX)).toBe('Booked Tue 1 Dec, 08:30 MST at Quest site 23070; snoozed until Thu 3 Dec 08:30 (your zone). Booked; m.ops closed the follow-up meanwhile.');
    expect(bookedWords('book', snoozed({ status: 'pending' }), 'Booked, waiting for Quest to confirm', PHOENIX)).toBe('Waiting for Quest to confirm Tue 1 Dec, 08:30 MST at Quest site 23070; snoozed until Thu 3 Dec 08:30 (your zone).');
    expect(bookedWords('reschedule_booking', snoozed(), null, PHOENIX)).toMatch(/^Rescheduled: Booked Tue 1 Dec/);
    expect(refusalWords('slot_unavailable', 'That time was just taken: choose another')).toBe("That time was just taken: choose another. The site's times were read again.");
    expect(refusalWords('booking_in_progress', 'someone is booking this redraw now')).toMatch(/^Someone is booking this redraw now, so nothing was sent to Junction\. Wait a minute/);
    expect(refusalWords('not_bookable', "Junction says: \"Order is not in a state that allows booking\": check the order in Junction's dashboard")).toMatch(/dashboard\. Nothing was booked\.$/);
    expect(refusalWords('junction_unavailable', 'Nothing was booked that the tracker knows of; trying again books at most once', 'Reschedule')).toBe('Nothing was booked that the tracker knows of; trying again books at most once. Choose Reschedule again in a minute.');
    expect(refusalWords('junction_unavailable', "Junction refused the tracker's API key", 'Book')).toBe("Junction refused the tracker's API key.");
    expect(unansweredWords('Book')).toBe('Junction has not answered the first try yet, so nothing more was sent. Choose Book again in a minute: the tracker then asks Junction first, and books at most once.');
    expect(refusalWords('forbidden', 'booking is for the schedulers group; ask one of its members')).toBe('Booking is for the schedulers group; ask one of its members.');
    expect(refusalWords('conflict', 'version 3 is not the current version')).toMatch(/^The follow-up changed since you loaded it, so nothing was booked\./);
  });
});

describe('the answers the panel reads', () => {
  it('reads booking_options and booking, and none from a tracker before §14', () => {
    expect(asBookingOptions({ book: 'with_lab_only', why: 'labcorp PSCs are booked with the lab' })).toEqual({ book: 'with_lab_only', why: 'labcorp PSCs are booked with the lab' });
    expect(asBookingOptions(undefined)).toEqual({ book: 'no', why: null });
    expect(bookingOf(null)).toBeNull();
    expect(bookingOf({ ...booking(), attempt: { kind: 'reschedule', at: START, key: 'k', by: null, slot_start: null, site_code: null }, seq: 2 })?.attempt).toEqual({ kind: 'reschedule', at: START, by: null });
    expect(activeBooking(booking(), new Date('2026-11-30T00:00:00Z'))).toBe(true);
    expect(activeBooking(booking({ status: 'cancelled' }), new Date('2026-11-30T00:00:00Z'))).toBe(false);
    expect(activeBooking(booking(), new Date('2026-12-02T00:00:00Z'))).toBe(false);
    expect(activeBooking(booking({ booked_with: 'lab', status: 'recorded' }), new Date('2026-11-30T00:00:00Z'))).toBe(false);
  });

  it('keeps the sites, their times and the reasons it can read, and leaves out what it cannot', () => {
    const sites = asBookingSites({ lab: 'quest', radius: 25, sites: [{ site_code: 'A', name: 'Quest - A', address: '1 Main St', phone: null, hours: null, distance_miles: 2, book: 'here' }, { name: 'no code' }, { site_code: 'B', distance_miles: 3, book: 'something new' }] });
    expect(sites.sites.map((site) => [site.site_code, site.book])).toEqual([['A', 'here'], ['B', 'unknown']]);
    expect(() => asBookingSites({ error: {} })).toThrow();
    const slot = { booking_key: 'bk1.x', start: START, end: START, expires_at: null, bookable: false };
    expect(asSiteSlots({ sites: [{ site_code: 'A', iana_timezone: null, days: [{ date: '2026-12-01', slots: [slot, { start: 'no key' }] }, { date: '2026-12-02', slots: [] }] }], days_left_out: 0 })).toEqual([
      { site_code: 'A', iana_timezone: null, days: [{ date: '2026-12-01', slots: [{ booking_key: 'bk1.x', start: START, expires_at: null, bookable: false }] }] },
    ]);
    expect(asCancelReasons({ items: [{ id: 'r1', name: 'Schedule conflict', is_refundable: true }, { id: 2 }] })).toEqual([{ id: 'r1', name: 'Schedule conflict' }]);
    expect(slotsPath('f/1', ['A', 'B', 'C', 'D', 'E', 'F'], { stale: true })).toBe('/follow-ups/f%2F1/booking/slots?site_codes=A%2CB%2CC%2CD%2CE&stale=true');
    expect(slotsPath('f1', ['A'], { startDate: '2026-12-08' })).toBe('/follow-ups/f1/booking/slots?site_codes=A&start_date=2026-12-08');
  });
});

describe('the keys between a site’s open days and slots', () => {
  const day = (date: string, count: number): SlotDay => ({ date, slots: Array.from({ length: count }, (_, index) => ({ booking_key: `${date}-${index}`, start: `${date}T1${index}:00:00Z`, expires_at: null, bookable: true })) });
  const days = [day('2026-12-01', 3), day('2026-12-02', 1), day('2026-12-03', 2)];

  it('moves ↑/↓ within a day (↑ from the first back to the site), ←/→ across days (the slot kept or the day’s last), and asks to read on past the last day', () => {
    expect(movedFrom(days, { day: 0, slot: 0 }, 'ArrowDown')).toEqual({ day: 0, slot: 1 });
    expect(movedFrom(days, { day: 0, slot: 2 }, 'ArrowDown')).toBeNull();
    expect(movedFrom(days, { day: 0, slot: 0 }, 'ArrowUp')).toBe('site');
    expect(movedFrom(days, { day: 0, slot: 2 }, 'ArrowRight')).toEqual({ day: 1, slot: 0 });
    expect(movedFrom(days, { day: 1, slot: 0 }, 'ArrowLeft')).toEqual({ day: 0, slot: 0 });
    expect(movedFrom(days, { day: 0, slot: 1 }, 'ArrowLeft')).toBeNull();
    expect(movedFrom(days, { day: 2, slot: 1 }, 'ArrowRight')).toBe('more');
    expect([windowStart(0), windowStart(4), windowStart(5), windowStart(12)]).toEqual([0, 0, 5, 10]);
  });

  it('appends later days after those held, never a day twice', () => {
    expect(withLaterDays(days, [day('2026-12-03', 5), day('2026-12-04', 1)]).map((held) => [held.date, held.slots.length])).toEqual([['2026-12-01', 3], ['2026-12-02', 1], ['2026-12-03', 2], ['2026-12-04', 1]]);
  });
});
