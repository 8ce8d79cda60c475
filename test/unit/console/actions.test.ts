import { describe, expect, it } from 'vitest';
import { actionBody, actionsFor, changedFields, choiceWords, fieldChangeWords } from '../../../console/src/lib/actions';
import type { FollowUp } from '../../../console/src/lib/types';
import { aFollowUp } from './follow-up-fixture';

const NOW = new Date('2026-11-22T12:00:00.000Z');

const base: FollowUp = aFollowUp({ due_at: '2026-11-24T08:00:00.000Z', version: 3 });

describe('actionBody', () => {
  it('builds each §9 action with expected_version and only its own fields', () => {
    expect(actionBody({ action: 'acknowledge', owner: 'ana' }, 3, NOW)).toEqual({ body: { action: 'acknowledge', owner: 'ana', expected_version: 3 } });
    expect(actionBody({ action: 'acknowledge' }, 3, NOW)).toEqual({ body: { action: 'acknowledge', expected_version: 3 } });
    // On AWS the owner is a signed-in person: user:<username> is an owner there, as in assign; tracker and chat: never are.
    expect(actionBody({ action: 'acknowledge', owner: 'user:maria' }, 3, NOW)).toEqual({ body: { action: 'acknowledge', owner: 'user:maria', expected_version: 3 } });
    expect(actionBody({ action: 'acknowledge', owner: 'chat:C1' }, 3, NOW)).toMatchObject({ errors: [{ field: 'owner' }] });
    expect(actionBody({ action: 'assign', owner: '' }, 4, NOW)).toEqual({ body: { action: 'assign', owner: null, expected_version: 4 } });
    expect(actionBody({ action: 'snooze', until: '2026-11-25T09:00:00Z', reason: 'appointment_booked' }, 5, NOW)).toEqual({
      body: { action: 'snooze', until: '2026-11-25T09:00:00.000Z', reason: 'appointment_booked', expected_version: 5 },
    });
    expect(actionBody({ action: 'record_contact', channel: 'phone', outcome: 'no_answer', reference: 'T-12' }, 6, NOW)).toEqual({
      body: { action: 'record_contact', channel: 'phone', outcome: 'no_answer', reference: 'T-12', expected_version: 6 },
    });
    expect(actionBody({ action: 'close', disposition: 'tested_elsewhere' }, 7, NOW)).toEqual({ body: { action: 'close', disposition: 'tested_elsewhere', expected_version: 7 } });
    expect(actionBody({ action: 'close', disposition: 'reordered', reference: 'o-new-1' }, 7, NOW)).toEqual({ body: { action: 'close', disposition: 'reordered', reference: 'o-new-1', expected_version: 7 } });
    expect(actionBody({ action: 'reopen' }, 8, NOW)).toEqual({ body: { action: 'reopen', expected_version: 8 } });
    expect(actionBody({ action: 'unsnooze', reference: 'T-9' }, 9, NOW)).toEqual({ body: { action: 'unsnooze', reference: 'T-9', expected_version: 9 } });
  });

  it('names each field that is missing or wrong, and sends nothing', () => {
    expect(actionBody({ action: 'snooze', reason: '' }, 1, NOW)).toEqual({
      errors: [
        { field: 'until', message: expect.stringMatching(/Choose when/) },
        { field: 'reason', message: 'Choose why it is snoozed' },
      ],
    });
    expect(actionBody({ action: 'snooze', until: '2026-11-22T11:00:00Z', reason: 'other' }, 1, NOW)).toEqual({ errors: [{ field: 'until', message: 'The snooze must end in the future' }] });
    expect(actionBody({ action: 'snooze', until: '2027-03-01T00:00:00Z', reason: 'other' }, 1, NOW)).toEqual({ errors: [{ field: 'until', message: 'A snooze lasts at most 90 days' }] });
    expect(actionBody({ action: 'record_contact', channel: 'pigeon', outcome: 'reached' }, 1, NOW)).toEqual({ errors: [{ field: 'channel', message: 'Choose how you made contact' }] });
    expect(actionBody({ action: 'close', disposition: 'redraw_completed' }, 1, NOW)).toEqual({ errors: [{ field: 'disposition', message: 'Choose why it is closed' }] });
    expect(actionBody({ action: 'assign', owner: 'tracker' }, 1, NOW)).toEqual({ errors: [{ field: 'owner', message: expect.stringMatching(/kept for the tracker/) }] });
    expect(actionBody({ action: 'reopen', reference: 'has space' }, 1, NOW)).toEqual({ errors: [{ field: 'reference', message: expect.stringMatching(/only letters/) }] });
  });
});

describe('changedFields', () => {
  it('lists what changed in words, never the version', () => {
    const after: FollowUp = { ...base, state: 'acknowledged', owner: 'ben', contact_attempts: 1, last_contact: { at: '2026-11-22T10:00:00Z', channel: 'phone', outcome: 'no_answer' }, version: 5 };
    expect(changedFields(base, after)).toEqual([
      { field: 'State', from: 'new', to: 'acknowledged' },
      { field: 'Owner', from: 'none', to: 'ben' },
      { field: 'Contact attempts', from: '0', to: '1' },
      { field: 'Last contact', from: 'none', to: 'Phone, No answer at 2026-11-22 10:00 UTC' },
    ]);
    expect(changedFields(base, base)).toEqual([]);
    // A version alone is no change a person can read.
    expect(changedFields(base, { ...base, version: 9 })).toEqual([]);
    const closed = changedFields(base, { ...base, state: 'closed', disposition: 'patient_declined', snooze_reason: 'awaiting_clinician' });
    expect(closed.map(fieldChangeWords)).toEqual(['State is now closed (it was new).', 'Snooze reason is now awaiting clinician (it was none).', 'Disposition is now patient declined (it was none).']);
  });
});

describe('actionsFor and choiceWords', () => {
  it('offers reopen only when closed, acknowledge only when new, and end snooze only when snoozed', () => {
    expect(actionsFor({ state: 'closed' })).toEqual(['reopen']);
    expect(actionsFor({ state: 'new' })).toEqual(['acknowledge', 'assign', 'snooze', 'record_contact', 'close']);
    expect(actionsFor({ state: 'acknowledged' })).toEqual(['assign', 'snooze', 'record_contact', 'close']);
    expect(actionsFor({ state: 'snoozed' })).toEqual(['assign', 'snooze', 'unsnooze', 'record_contact', 'close']);
  });

  it('words the choices, the tracker’s dispositions included', () => {
    expect(choiceWords('redraw_completed')).toBe('Redraw completed');
    expect(choiceWords('reordered')).toBe('Reordered at Junction');
    expect(choiceWords('left_message')).toBe('Left a message');
    expect(choiceWords('something_new')).toBe('something new');
  });
});
