import { describe, expect, it } from 'vitest';
import { draftOf, EMPTY_DRAFTS, hasUnsentInput, type Drafts } from '../../../console/src/lib/action-draft';

const NOW = new Date('2026-11-22T12:00:00.000Z');
const drafts: Drafts = {
  assign: { owner: '  ana.lopez ' },
  snooze: { preset: '3d', date: '', time: '', reason: 'appointment_booked' },
  record_contact: { channel: 'phone', outcome: 'no_answer' },
  close: { disposition: 'tested_elsewhere' },
};
const plain = { reference: '', me: 'jon.t', takeIt: false };

describe('draftOf', () => {
  it('takes only the chosen action\'s fields, the owner trimmed', () => {
    expect(draftOf('acknowledge', drafts, plain, NOW, 'UTC')).toEqual({ action: 'acknowledge' });
    expect(draftOf('assign', drafts, plain, NOW, 'UTC')).toEqual({ action: 'assign', owner: 'ana.lopez' });
    expect(draftOf('record_contact', drafts, plain, NOW, 'UTC')).toEqual({ action: 'record_contact', channel: 'phone', outcome: 'no_answer' });
    expect(draftOf('close', drafts, plain, NOW, 'UTC')).toEqual({ action: 'close', disposition: 'tested_elsewhere' });
    expect(draftOf('reopen', drafts, plain, NOW, 'UTC')).toEqual({ action: 'reopen' });
  });

  it('works a snooze preset out from now, and leaves out a date and time not yet chosen', () => {
    expect(draftOf('snooze', drafts, plain, NOW, 'UTC')).toEqual({ action: 'snooze', until: '2026-11-25T12:00:00.000Z', reason: 'appointment_booked' });
    const until = { ...drafts, snooze: { ...drafts.snooze, preset: 'until' } };
    expect(draftOf('snooze', until, plain, NOW, 'UTC')).toEqual({ action: 'snooze', reason: 'appointment_booked' });
    const typed = { ...drafts, snooze: { preset: 'until', date: '2026-11-26', time: '09:00', reason: 'other' } };
    expect(draftOf('snooze', typed, plain, NOW, 'America/New_York')).toEqual({ action: 'snooze', until: '2026-11-26T14:00:00.000Z', reason: 'other' });
  });

  it('makes "Take it" the person\'s own acknowledge or assign, and carries the reference', () => {
    const takeIt = { reference: 'T-12', me: 'user:maria', takeIt: true };
    expect(draftOf('acknowledge', EMPTY_DRAFTS, takeIt, NOW, 'UTC')).toEqual({ action: 'acknowledge', owner: 'user:maria', reference: 'T-12' });
    expect(draftOf('assign', drafts, takeIt, NOW, 'UTC')).toEqual({ action: 'assign', owner: 'user:maria', reference: 'T-12' });
  });
});

describe('hasUnsentInput', () => {
  it('holds while any form has a choice, a handle or a reference not sent yet', () => {
    expect(hasUnsentInput(EMPTY_DRAFTS, '')).toBe(false);
    expect(hasUnsentInput(EMPTY_DRAFTS, 'T-1')).toBe(true);
    expect(hasUnsentInput({ ...EMPTY_DRAFTS, assign: { owner: 'a' } }, '')).toBe(true);
    expect(hasUnsentInput({ ...EMPTY_DRAFTS, snooze: { ...EMPTY_DRAFTS.snooze, preset: '3d' } }, '')).toBe(true);
    expect(hasUnsentInput({ ...EMPTY_DRAFTS, close: { disposition: 'other' } }, '')).toBe(true);
  });
});
