/**
 * A booking as its EHR Task's sentence (CONTRACT §13, §14): the start in the
 * site's zone, named, else in UTC, named so; a pending booking is never
 * "booked"; a lab booking, one made elsewhere and a cancelled or completed one
 * in their words; nothing booked, no sentence. Codes, times and zone names
 * only: never who booked, the appointment's id or anything not a code.
 */
import { describe, expect, it } from 'vitest';
import { NO_BOOKING, type Booking } from '../../../../functions/core/booking/record';
import { bookingSentence, bookingTime } from '../../../../functions/core/fhir/booking-words';

/** A booking made through Junction by a person: 2026-12-01 15:30 UTC, 08:30 in Phoenix (no daylight saving there). */
const booked = (facts: Partial<Booking> = {}): Booking => ({
  ...NO_BOOKING,
  appointment_id: 'appt-PHI-CANARY',
  site_code: '23070',
  start_at: '2026-12-01T15:30:00.000000Z',
  end_at: '2026-12-01T15:45:00.000000Z',
  iana_timezone: 'America/Phoenix',
  status: 'confirmed',
  booked_by: 'j.doe@example.org',
  booked_at: '2026-11-20T10:00:00.000000Z',
  booked_with: 'junction',
  key_hash: '0123456789abcdef',
  seq: 1,
  ...facts,
});

describe('bookingTime', () => {
  it('is the start in the site’s zone, named; without a zone, or one this runtime does not know, in UTC, named', () => {
    expect(bookingTime('2026-12-01T15:30:00.000000Z', 'America/Phoenix')).toBe('2026-12-01 08:30 America/Phoenix');
    expect(bookingTime('2026-12-01T15:30:00.000000Z', null)).toBe('2026-12-01 15:30 UTC');
    expect(bookingTime('2026-12-01T15:30:00.000000Z', 'Not/AZone')).toBe('2026-12-01 15:30 UTC');
    expect(bookingTime('2026-12-01T15:30:00.000000Z', '')).toBe('2026-12-01 15:30 UTC');
  });

  it('follows the zone’s own clock across a daylight-saving change and midnight', () => {
    expect(bookingTime('2026-07-01T15:30:00.000Z', 'America/New_York')).toBe('2026-07-01 11:30 America/New_York');
    expect(bookingTime('2026-12-01T15:30:00.000Z', 'America/New_York')).toBe('2026-12-01 10:30 America/New_York');
    expect(bookingTime('2026-12-02T02:15:00.000Z', 'America/Los_Angeles')).toBe('2026-12-01 18:15 America/Los_Angeles');
  });

  it('is null when the start is no time', () => {
    expect(bookingTime(null, 'America/Phoenix')).toBeNull();
    expect(bookingTime('tomorrow morning', 'America/Phoenix')).toBeNull();
  });
});

describe('bookingSentence', () => {
  it('a booking made here: the issue’s sentence, in the site’s zone', () => {
    expect(bookingSentence(booked())).toBe('Draw booked for 2026-12-01 08:30 America/Phoenix at Quest site 23070');
    expect(bookingSentence(booked({ status: 'reserved' }))).toBe('Draw booked for 2026-12-01 08:30 America/Phoenix at Quest site 23070');
  });

  it('the site’s zone not known: in UTC, named', () => {
    expect(bookingSentence(booked({ iana_timezone: null }))).toBe('Draw booked for 2026-12-01 15:30 UTC at Quest site 23070');
  });

  it('pending is never “booked”: it waits for Quest to confirm', () => {
    const sentence = bookingSentence(booked({ status: 'pending' }));
    expect(sentence).toBe('Waiting for Quest to confirm the draw for 2026-12-01 08:30 America/Phoenix at Quest site 23070');
    expect(sentence).not.toMatch(/booked/i);
    // Made elsewhere and still pending: pending all the same.
    expect(bookingSentence(booked({ status: 'pending', booked_by: null }))).toBe(sentence);
  });

  it('a booking made with the lab: “booked with the lab”, its site when one was recorded', () => {
    const lab = booked({ booked_with: 'lab', status: 'recorded', appointment_id: null, iana_timezone: null, site_code: 'LC-77', key_hash: null });
    expect(bookingSentence(lab)).toBe('Draw booked with the lab for 2026-12-01 15:30 UTC at the lab’s site LC-77');
    expect(bookingSentence({ ...lab, site_code: null })).toBe('Draw booked with the lab for 2026-12-01 15:30 UTC');
  });

  it('a booking the tracker did not make (the patient, after Junction’s text): by the patient or elsewhere', () => {
    expect(bookingSentence(booked({ booked_by: null }))).toBe('Draw booked by the patient or elsewhere for 2026-12-01 08:30 America/Phoenix at Quest site 23070');
  });

  it('cancelled is not booked; completed took place', () => {
    expect(bookingSentence(booked({ status: 'cancelled' }))).toBe('Booking cancelled: the draw for 2026-12-01 08:30 America/Phoenix at Quest site 23070');
    expect(bookingSentence(booked({ booked_with: 'lab', status: 'cancelled', iana_timezone: null, site_code: null }))).toBe('Booking with the lab cancelled: the draw for 2026-12-01 15:30 UTC');
    expect(bookingSentence(booked({ status: 'completed' }))).toBe('The draw appointment for 2026-12-01 08:30 America/Phoenix at Quest site 23070 took place');
  });

  it('nothing booked (none, or an attempt alone): no sentence', () => {
    expect(bookingSentence(NO_BOOKING)).toBeNull();
    expect(bookingSentence({ ...NO_BOOKING, attempt: { kind: 'book', at: '2026-11-20T10:00:00.000000Z', key: 'k', by: 'j.doe', slot_start: '2026-12-01T15:30:00.000000Z', site_code: '23070' } } as Booking)).toBeNull();
  });

  it('a start or a site not known is left out; a site that is not a code is never echoed', () => {
    expect(bookingSentence(booked({ start_at: null }))).toBe('Draw booked at Quest site 23070');
    expect(bookingSentence(booked({ site_code: null }))).toBe('Draw booked for 2026-12-01 08:30 America/Phoenix');
    expect(bookingSentence(booked({ site_code: 'Jane Doe, 1 Main St' }))).toBe('Draw booked for 2026-12-01 08:30 America/Phoenix');
  });

  it('never names who booked it, the appointment, the key’s hash or a zone it does not know', () => {
    const sentence = bookingSentence(booked({ iana_timezone: 'PHI-CANARY/Zone' }))!;
    for (const kept of ['j.doe', 'appt-PHI-CANARY', '0123456789abcdef', 'CANARY']) expect(sentence).not.toContain(kept);
  });
});
