import { describe, expect, it } from 'vitest';
import { changesSince, changeWords, noLongerOffered } from '../../../console/src/lib/conflict';
import type { Action } from '../../../console/src/lib/types';

const entry = (actor: string, action: string, fields: Record<string, unknown> = {}, from = 'new', to = 'acknowledged'): Action => ({ at: '2026-11-22T10:00:00.000Z', actor, action, from_state: from, to_state: to, ...fields });

describe('who changed what, in words (a 409 conflict, CONTRACT §12)', () => {
  it('says what each person did, naming them, with no version number', () => {
    expect(changeWords(entry('j.doe', 'acknowledge', { owner: 'j.doe' }))).toBe('j.doe acknowledged it and took it');
    expect(changeWords(entry('user:j.doe', 'acknowledge', { owner: 'user:j.doe' }))).toBe('user:j.doe acknowledged it and took it');
    expect(changeWords(entry('j.doe', 'acknowledge', { owner: 'team.west' }))).toBe('j.doe acknowledged it and gave it to team.west');
    expect(changeWords(entry('j.doe', 'acknowledge'))).toBe('j.doe acknowledged it');
    expect(changeWords(entry('eve.s', 'assign', { owner: 'eve.s' }))).toBe('eve.s took it');
    expect(changeWords(entry('eve.s', 'assign', { owner: 'ana' }))).toBe('eve.s assigned it to ana');
    expect(changeWords(entry('eve.s', 'assign', { owner: null }))).toBe('eve.s unassigned it');
    expect(changeWords(entry('eve.s', 'record_contact', { channel: 'phone', outcome: 'no_answer' }))).toBe('eve.s recorded a contact attempt (Phone, no answer)');
    expect(changeWords(entry('eve.s', 'close', { disposition: 'patient_declined', reference: 'T-1' }))).toBe('eve.s closed it (patient declined), reference T-1');
    expect(changeWords(entry('eve.s', 'reopen'))).toBe('eve.s reopened it');
    expect(changeWords(entry('eve.s', 'unsnooze', {}, 'snoozed', 'acknowledged'))).toBe('eve.s ended its snooze early');
    expect(changeWords(entry('eve.s', 'snooze', { until: '2026-11-25T09:00:00.000Z', reason: 'appointment_booked' }))).toMatch(/^eve\.s snoozed it until .+ \(appointment booked\)$/);
  });

  it('names the tracker and a chat button as such', () => {
    expect(changeWords(entry('tracker', 'snooze_ended', {}, 'snoozed', 'acknowledged'))).toBe('The tracker ended its snooze (its time was up)');
    expect(changeWords(entry('tracker', 'close', { disposition: 'redraw_completed' }))).toBe('The tracker closed it (redraw completed)');
    expect(changeWords(entry('chat:C0123', 'acknowledge'))).toBe('A chat button (channel C0123) acknowledged it');
  });

  it('names a user in the EHR as such, who took it when they made their own reference its owner (CONTRACT §13)', () => {
    const fromEhr = { source: 'ehr', fhir_version_id: '7', fhir_last_updated: '2026-11-22T09:59:00.000Z' };
    expect(changeWords(entry('ehr:Practitioner/123', 'close', { disposition: 'other', ...fromEhr }))).toBe('Practitioner/123 in the EHR closed it (other)');
    expect(changeWords(entry('ehr:Practitioner/123', 'assign', { owner: 'Practitioner/123', ...fromEhr }))).toBe('Practitioner/123 in the EHR took it');
    expect(changeWords(entry('ehr:Practitioner/123', 'assign', { owner: 'kim.w', ...fromEhr }))).toBe('Practitioner/123 in the EHR assigned it to kim.w');
    expect(changeWords(entry('ehr:fhir.example.org:8443', 'reopen', fromEhr))).toBe('fhir.example.org:8443 in the EHR reopened it');
  });

  it('lists the changes after the version the page showed, up to the current one', () => {
    const history = [entry('tracker', 'open', {}, 'new', 'new'), entry('j.doe', 'acknowledge', { owner: 'j.doe' }), entry('j.doe', 'record_contact', { channel: 'sms', outcome: 'reached' }, 'acknowledged', 'acknowledged')];
    expect(changesSince(history, 1, { version: 3 })).toEqual(['j.doe acknowledged it and took it', 'j.doe recorded a contact attempt (SMS, reached)']);
    // A history read before the last change reached it: what it has.
    expect(changesSince(history.slice(0, 2), 1, { version: 3 })).toEqual(['j.doe acknowledged it and took it']);
    expect(changesSince(history, 3, { version: 3 })).toEqual([]);
  });
});

describe('an action no longer offered on the new state says why', () => {
  it('take it and acknowledge on a follow-up someone acknowledged and took', () => {
    const taken = { state: 'acknowledged' as const, owner: 'j.doe', disposition: null };
    expect(noLongerOffered('acknowledge', true, taken, 'dana.r')).toBe('Take it is not offered now: it is acknowledged already, and j.doe owns it (assign changes the owner, on purpose).');
    expect(noLongerOffered('acknowledge', false, taken, 'dana.r')).toBe('Acknowledge is not offered now: it is acknowledged already, and j.doe owns it (assign changes the owner, on purpose).');
    expect(noLongerOffered('acknowledge', false, { ...taken, owner: 'dana.r' }, 'dana.r')).toBe('Acknowledge is not offered now: it is acknowledged already.');
    expect(noLongerOffered('acknowledge', true, { state: 'new', owner: 'j.doe', disposition: null }, 'dana.r')).toBe('Take it is not offered now: j.doe owns it (assign changes the owner, on purpose).');
  });

  it('every action but reopen on a closed one, reopen on an open one; null while it is still offered', () => {
    const closed = { state: 'closed' as const, owner: null, disposition: 'tested_elsewhere' };
    expect(noLongerOffered('snooze', false, closed, 'me')).toBe('Snooze is not offered now: it is closed (tested elsewhere); reopen it first if it still needs work.');
    expect(noLongerOffered('reopen', false, closed, 'me')).toBeNull();
    expect(noLongerOffered('reopen', false, { state: 'acknowledged', owner: null, disposition: null }, 'me')).toBe('Reopen is not offered now: it is open (acknowledged).');
    expect(noLongerOffered('unsnooze', false, closed, 'me')).toBe('End snooze is not offered now: it is closed (tested elsewhere); reopen it first if it still needs work.');
    expect(noLongerOffered('unsnooze', false, { state: 'acknowledged', owner: 'j.doe', disposition: null }, 'me')).toBe('End snooze is not offered now: it is not snoozed (acknowledged).');
    expect(noLongerOffered('unsnooze', false, { state: 'snoozed', owner: 'j.doe', disposition: null }, 'me')).toBeNull();
    for (const action of ['assign', 'snooze', 'record_contact', 'close'] as const) expect(noLongerOffered(action, false, { state: 'acknowledged', owner: 'j.doe', disposition: null }, 'me')).toBeNull();
    expect(noLongerOffered('acknowledge', false, { state: 'new', owner: null, disposition: null }, 'me')).toBeNull();
  });
});

describe('"Take it" after a 409 (one meaning: afterwards the person owns it)', () => {
  it('is still offered wherever nobody owns it, acknowledged or snoozed included', () => {
    expect(noLongerOffered('acknowledge', true, { state: 'acknowledged', owner: null, disposition: null }, 'dana.r')).toBeNull();
    expect(noLongerOffered('assign', true, { state: 'snoozed', owner: null, disposition: null }, 'dana.r')).toBeNull();
  });

  it('is not needed when the person owns it already, and not offered when someone else does or it is closed', () => {
    expect(noLongerOffered('assign', true, { state: 'acknowledged', owner: 'dana.r', disposition: null }, 'dana.r')).toBe('Take it is not needed now: you own it already.');
    expect(noLongerOffered('assign', true, { state: 'snoozed', owner: 'j.doe', disposition: null }, 'dana.r')).toBe(
      'Take it is not offered now: it is snoozed already, and j.doe owns it (assign changes the owner, on purpose).',
    );
    expect(noLongerOffered('assign', true, { state: 'closed', owner: null, disposition: 'patient_declined' }, 'dana.r')).toBe(
      'Take it is not offered now: it is closed (patient declined); reopen it first if it still needs work.',
    );
  });
});
