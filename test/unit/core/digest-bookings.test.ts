/**
 * The weekly digest's bookings line (CONTRACT §14 "The report", issue 85 item
 * 3; functions/core/digest-bookings.ts): last week's first bookings beside the
 * week before's, the median days from the redraw offer to a booking with one
 * decimal, "no booking" when none was, the singular, no week before when it is
 * not known; the same sentence in the e-mail and the chat, its figures in the
 * JSON, and no lab named (one with 19 redraws included).
 */
import { describe, expect, it } from 'vitest';
import { weeklyDigest } from '../../../functions/core/digest';
import { bookingsWords, digestBookings } from '../../../functions/core/digest-bookings';
import { digestChat, digestEmail, renderDigest } from '../../../functions/core/digest-render';
import type { BookingsByLab, Durations, RedrawReport } from '../../../functions/core/report';
import { NOW, REPORT, WEEK } from './digest-fixtures';

const spread = (n: number, p50: number | null, p90: number | null): Durations => ({ n, p50, p90 });
const week = (first: Durations | undefined, bookings: BookingsByLab[] = []): RedrawReport => ({ ...REPORT, ...(first === undefined ? {} : { first_bookings: first }), bookings_by_lab: bookings });

describe('the bookings line', () => {
  it('counts last week\'s first bookings beside the week before\'s, with the median days from the offer, one decimal', () => {
    const many = digestBookings(week(spread(5, 33.6, 80)), week(spread(3, 10, 12)));
    expect(many).toEqual({ booked: 5, median_days: 1.4, week_before: 3 });
    expect(bookingsWords(many!)).toBe('Last week 5 redraws were booked (week before 3), median 1.4 days from the redraw offer to a booking.');
    // A whole number of days keeps its decimal.
    expect(bookingsWords(digestBookings(week(spread(2, 48, 96)), week(spread(0, null, null)))!)).toBe('Last week 2 redraws were booked (week before 0), median 2.0 days from the redraw offer to a booking.');
  });

  it('says one in the singular, "no booking" when none was, and nothing of the week before when it is not known', () => {
    expect(bookingsWords(digestBookings(week(spread(1, 12, 12)), week(spread(4, 30, 40)))!)).toBe('Last week 1 redraw was booked (week before 4), median 0.5 days from the redraw offer to a booking.');
    const none = digestBookings(week(spread(0, null, null)), week(spread(2, 30, 40)));
    expect(none).toEqual({ booked: 0, median_days: null, week_before: 2 });
    expect(bookingsWords(none!)).toBe('Last week no booking was made for a redraw (week before 2).');
    expect(bookingsWords(digestBookings(week(spread(3, 20, 30)), null)!)).toBe('Last week 3 redraws were booked, median 0.8 days from the redraw offer to a booking.');
    expect(bookingsWords(digestBookings(week(spread(0, null, null)), null)!)).toBe('Last week no booking was made for a redraw.');
    // A week before whose report counts no bookings is not known either; a last week without them has no line.
    expect(digestBookings(week(spread(3, 20, 30)), week(undefined))).toEqual({ booked: 3, median_days: 0.8, week_before: null });
    expect(digestBookings(week(undefined), week(spread(3, 20, 30)))).toBeNull();
  });

  it('is one line of the e-mail and the chat, after how fast and before the ended-missing line; the JSON carries its figures and names no lab', () => {
    const rows: BookingsByLab[] = [
      { lab: 'labcorp', redraws: 19, booked: 4, booked_here: 4, booked_then_drawn: 2, appointment_missed: 1, time_to_booking_hours: spread(4, 20, 40) },
      { lab: null, redraws: 19, booked: 4, booked_here: 4, booked_then_drawn: 2, appointment_missed: 1, time_to_booking_hours: spread(4, 20, 40) },
    ];
    const digest = weeklyDigest(WEEK, week(spread(4, 20, 40), rows), [], { environment: 'prod', now: NOW }, { weekBefore: week(spread(6, 30, 50)) });
    const line = 'Last week 4 redraws were booked (week before 6), median 0.8 days from the redraw offer to a booking.';
    expect(digestEmail(digest)).toContain(`Someone acknowledged in 30 min at the median (6 follow-ups, p90 3 h).\nOf 40 walk-in transactions completed last week, 3 needed a redraw (7.5%).\n${line}\nNo transaction ended without all its results (week before 0).\n`);
    expect(digestChat(digest).content.description.split('\n')).toContain(line);
    const json = renderDigest(digest).json;
    expect(json.bookings).toEqual({ booked: 4, median_days: 0.8, week_before: 6 });
    expect(json.report.first_bookings).toEqual(spread(4, 20, 40));
    // The lab with 19 redraws is named nowhere: not in the words, not in the JSON.
    for (const text of [digestEmail(digest), JSON.stringify(digestChat(digest)), JSON.stringify(json)]) expect(text).not.toContain('labcorp');
  });

  it('has no line in a digest built before issue 85 (no bookings), as one held back reads', () => {
    const older = { ...weeklyDigest(WEEK, week(spread(4, 20, 40)), [], { environment: 'prod', now: NOW }) } as Partial<ReturnType<typeof weeklyDigest>>;
    delete older.bookings;
    const text = digestEmail(older as ReturnType<typeof weeklyDigest>);
    expect(text).not.toContain('booked');
    expect(digestEmail(weeklyDigest(WEEK, week(undefined), [], { environment: 'prod', now: NOW }))).not.toContain('booked');
  });
});
