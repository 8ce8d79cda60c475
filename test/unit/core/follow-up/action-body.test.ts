/**
 * The body of a person's action (CONTRACT §9; functions/core/follow-up/action-body.ts):
 * what each action may carry, and refusals that name the field, never echo it.
 */
import { describe, expect, it } from 'vitest';
import { parseAction } from '../../../../functions/core/follow-up/action-body';
import { NOW } from './support';

describe('action bodies', () => {
  it('refuse unknown fields, wrong types and unknown values with a message naming the field', () => {
    // An unknown field's name is the sender's text: never echoed; the message names the fields the action takes.
    expect(parseAction({ action: 'close', disposition: 'patient_declined', note: 'called her' }, NOW)).toEqual({ kind: 'invalid', message: 'unknown field: close takes only action, disposition, expected_version, reference' });
    expect(parseAction({ action: 'unsnooze', until: '2026-03-12T12:00:00Z' }, NOW)).toEqual({ kind: 'invalid', message: 'unknown field: unsnooze takes only action, expected_version, reference' });
    expect(parseAction({ action: 'reopen', 'Jane Doe 1970-01-01': true }, NOW)).toEqual({ kind: 'invalid', message: 'unknown field: reopen takes only action, expected_version, reference' });
    // Each refusal names the field and says what it may hold, in the tracker's words (never zod's, never the value sent).
    const HANDLE = 'a letter or a digit, then letters, digits and ._@:/+=,- (1-2048 characters)';
    const cases: [unknown, string][] = [
      [{ action: 'close', disposition: 'cured' }, 'disposition must be one of patient_declined, patient_unreachable, clinician_accepted_partial_results, tested_elsewhere, reordered, other'],
      [{ action: 'close' }, 'disposition must be one of patient_declined, patient_unreachable, clinician_accepted_partial_results, tested_elsewhere, reordered, other'],
      [{ action: 'record_contact', channel: 'phone' }, 'outcome must be one of reached, no_answer, left_message, invalid_contact'],
      [{ action: 'record_contact', channel: 'fax', outcome: 'reached' }, 'channel must be one of phone, sms, email, letter, other'],
      [{ action: 'snooze', until: 'next Jane Doe', reason: 'other' }, 'until must be an ISO 8601 date-time such as 2026-12-14T09:00:00Z'],
      [{ action: 'snooze', until: '2026-03-12T12:00:00Z', reason: 'Jane Doe' }, 'reason must be one of appointment_booked, patient_requested, awaiting_clinician, other'],
      [{ action: 'assign', owner: 'Jane Doe' }, `owner must be ${HANDLE} (null unassigns)`],
      [{ action: 'assign' }, `owner must be ${HANDLE} (null unassigns)`],
      [{ action: 'acknowledge', owner: 'x'.repeat(2049) }, `owner must be ${HANDLE}`],
      // A handle a person gives starts with a letter or a digit (CONTRACT §9): no formula, no mention.
      [{ action: 'assign', owner: '=cmd' }, `owner must be ${HANDLE} (null unassigns)`],
      [{ action: 'acknowledge', owner: '+1555' }, `owner must be ${HANDLE}`],
      [{ action: 'acknowledge', owner: '@ops' }, `owner must be ${HANDLE}`],
      [{ action: 'acknowledge', expected_version: '3' }, "expected_version must be a whole number of 1 or more (the follow-up's version)"],
      [{ action: 'acknowledge', expected_version: 0 }, "expected_version must be a whole number of 1 or more (the follow-up's version)"],
      [{ action: 'reopen', reference: 'TICKET 12' }, 'reference must be 1-200 characters of A-Za-z0-9._:/#?=&-'],
      [{ action: 'reopen', reference: 'x'.repeat(201) }, 'reference must be 1-200 characters of A-Za-z0-9._:/#?=&-'],
      [{ action: 'delete Jane Doe' }, 'action must be one of acknowledge, assign, snooze, unsnooze, record_contact, close, reopen, book, reschedule_booking, cancel_booking, record_booking'],
      [{ action: 7 }, 'action must be one of acknowledge, assign, snooze, unsnooze, record_contact, close, reopen, book, reschedule_booking, cancel_booking, record_booking'],
      [{}, 'action must be one of acknowledge, assign, snooze, unsnooze, record_contact, close, reopen, book, reschedule_booking, cancel_booking, record_booking'],
      ['close', 'the body must be a JSON object: {"action": "...", ...}'],
      [['close'], 'the body must be a JSON object: {"action": "...", ...}'],
      [null, 'the body must be a JSON object: {"action": "...", ...}'],
    ];
    for (const [body, message] of cases) {
      expect({ body, parsed: parseAction(body, NOW) }).toEqual({ body, parsed: { kind: 'invalid', message } });
      expect(message).not.toMatch(/Invalid|Jane/);
    }
  });

  it('accept a snooze only into the future and at most 90 days ahead', () => {
    const snooze = (until: string) => parseAction({ action: 'snooze', until, reason: 'appointment_booked' }, NOW);
    expect(snooze('2026-03-10T11:59:59Z')).toEqual({ kind: 'invalid', message: 'until must be in the future' });
    expect(snooze('2026-06-09T12:00:01Z')).toEqual({ kind: 'invalid', message: 'until must be at most 90 days ahead' });
    expect(snooze('next week').kind).toBe('invalid');
    expect(snooze('2026-06-08T12:00:00Z').kind).toBe('ok');
  });

  it("accept a close as reordered, with the new order's id as its reference or without one", () => {
    expect(parseAction({ action: 'close', disposition: 'reordered', reference: '0b1e7d4c-8a52-4f0e-9c11-00000000b002' }, NOW)).toEqual({
      kind: 'ok',
      action: { action: 'close', disposition: 'reordered', reference: '0b1e7d4c-8a52-4f0e-9c11-00000000b002' },
    });
    expect(parseAction({ action: 'close', disposition: 'reordered' }, NOW)).toEqual({ kind: 'ok', action: { action: 'close', disposition: 'reordered' } });
    expect(parseAction({ action: 'close', disposition: 'reordered', reference: 'new order' }, NOW)).toEqual({ kind: 'invalid', message: 'reference must be 1-200 characters of A-Za-z0-9._:/#?=&-' });
  });

  it('accept an unsnooze with no fields but the common ones', () => {
    expect(parseAction({ action: 'unsnooze' }, NOW)).toEqual({ kind: 'ok', action: { action: 'unsnooze' } });
    expect(parseAction({ action: 'unsnooze', expected_version: 4, reference: 'T-9' }, NOW)).toEqual({ kind: 'ok', action: { action: 'unsnooze', expected_version: 4, reference: 'T-9' } });
  });

  it('accept a reference of the allowed alphabet and an assign to null', () => {
    expect(parseAction({ action: 'reopen', reference: 'https://tickets.example/T-12?x=1#a' }, NOW).kind).toBe('ok');
    expect(parseAction({ action: 'assign', owner: null }, NOW).kind).toBe('ok');
  });
});
