import { describe, expect, it } from 'vitest';
import { bookingOptions, type BookingFacts } from '../../../../functions/core/booking/options';

const bookable: BookingFacts = {
  followUpOpen: true,
  redrawOrderId: 'redraw-1',
  redraw: { status: 'received', method: 'walk_in_test', lab: 'quest' },
  initial: { method: 'walk_in_test', lab: 'quest' },
  junctionKeySet: true,
};

describe('booking_options, from stored facts (CONTRACT §14)', () => {
  it('books here an open walk-in redraw order not yet ended at a lab Junction books, with a key', () => {
    expect(bookingOptions(bookable)).toEqual({ book: 'here', why: null });
    expect(bookingOptions({ ...bookable, redraw: { status: 'collecting_sample', method: 'walk_in_test', lab: 'sonora_quest' } })).toEqual({ book: 'here', why: null });
  });

  it("takes an unknown lab as bookable here, and the initial order's lab when the redraw's is not known", () => {
    expect(bookingOptions({ ...bookable, redraw: { status: 'received', method: 'walk_in_test', lab: null }, initial: { method: 'walk_in_test', lab: null } }).book).toBe('here');
    expect(bookingOptions({ ...bookable, redraw: { status: 'received', method: 'walk_in_test', lab: null }, initial: { method: 'walk_in_test', lab: 'labcorp' } })).toEqual({
      book: 'with_lab_only',
      why: 'labcorp PSCs are booked with the lab: call the PSC, then record the booking',
    });
  });

  it('leaves only a lab booking without a key', () => {
    expect(bookingOptions({ ...bookable, junctionKeySet: false })).toEqual({ book: 'with_lab_only', why: "Junction's API key is not set: record a booking made with the lab, or see docs/reconcile.md" });
  });

  it('says why nothing can be booked: closed, no redraw order yet, the order ended, not a walk-in', () => {
    expect(bookingOptions({ ...bookable, followUpOpen: false })).toMatchObject({ book: 'no', why: expect.stringContaining('closed') });
    expect(bookingOptions({ ...bookable, redrawOrderId: null, redraw: null })).toMatchObject({ book: 'no', why: expect.stringMatching(/^Junction has not created the redraw order yet: /) });
    expect(bookingOptions({ ...bookable, redraw: { status: 'sample_with_lab', method: 'walk_in_test', lab: 'quest' } })).toEqual({ book: 'no', why: 'The redraw order is sample with lab: there is no draw left to book' });
    expect(bookingOptions({ ...bookable, redraw: { status: 'received', method: 'testkit', lab: 'quest' } })).toMatchObject({ book: 'no', why: expect.stringContaining('testkit') });
  });

  it('counts an unknown method as walk-in when the initial order was, and not otherwise', () => {
    expect(bookingOptions({ ...bookable, redraw: { status: 'received', method: null, lab: 'quest' } }).book).toBe('here');
    expect(bookingOptions({ ...bookable, redraw: { status: 'received', method: null, lab: 'quest' }, initial: { method: 'testkit', lab: 'quest' } }).book).toBe('no');
  });

  it('takes a redraw order not stored yet as not ended', () => {
    expect(bookingOptions({ ...bookable, redraw: null }).book).toBe('here');
  });
});
