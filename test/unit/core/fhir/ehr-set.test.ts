/**
 * What the EHR set, in codes and in words (core/fhir/ehr-set.ts, CONTRACT §13
 * "Nothing the EHR did goes unrecorded"): only the fields a change touched,
 * codes of the tracker's own systems, never a patient's id; the notice's words,
 * the decision's label, and the tracker's note on the Task (added once, every
 * other note kept). The staff name read from a Practitioner (fhir/sync/ehr-reads.ts).
 */
import { describe, expect, it } from 'vitest';
import { ehrDecisionLabel, ehrSetOf, ehrSetWords, isEhrRecordAction, notAppliedNote, notAppliedText, withTrackerNote, type SetFields } from '../../../../functions/core/fhir/ehr-set';
import { practitionerName } from '../../../../functions/fhir/sync/ehr-reads';
import { followUpFacts } from '../../../../functions/core/events';

const CODE = 'urn:redraw-tracker';
const confirmed: SetFields = { status: 'in-progress', owner: { value: 'a.lee', reference: null }, statusReason: null, holdEnd: null };

describe('ehrSetOf', () => {
  it('gives only what the change touched: a close as tested elsewhere that cleared the owner', () => {
    const to: SetFields = { ...confirmed, status: 'completed', owner: null, statusReason: `${CODE}/disposition|tested_elsewhere` };
    expect(ehrSetOf(to, confirmed, CODE)).toEqual({ status: 'completed', status_reason: 'tested_elsewhere', owner: null });
    expect(ehrSetOf(confirmed, confirmed, CODE)).toEqual({});
  });

  it('keeps a hold\'s end as an instant, a staff reference as it is, a patient\'s as its type alone, another system\'s reason as none', () => {
    const to: SetFields = { status: 'on-hold', owner: { value: null, reference: 'Patient/p1' }, statusReason: 'http://other|free text', holdEnd: '2026-12-01T09:00:00+00:00' };
    expect(ehrSetOf(to, confirmed, CODE)).toEqual({ status: 'on-hold', status_reason: null, owner: 'Patient', hold_end: '2026-12-01T09:00:00.000Z' });
    expect(ehrSetOf({ ...confirmed, owner: { value: null, reference: 'Practitioner/123' } }, confirmed, CODE)).toEqual({ owner: 'Practitioner/123' });
  });
});

describe('the words', () => {
  it('say what the EHR set', () => {
    expect(ehrSetWords({ status: 'completed', status_reason: 'tested_elsewhere', owner: null })).toBe('closed it as Tested elsewhere; cleared the owner');
    expect(ehrSetWords({ status: 'on-hold', status_reason: 'appointment_booked', hold_end: '2026-12-01T09:00:00.000Z' })).toMatch(/^put it on hold \(.+\); set the hold’s end to 2026-12-01 09:00 UTC$/);
    expect(ehrSetWords({ status: 'failed', status_reason: null })).toBe('set its status to failed');
    expect(ehrSetWords({ owner: 'b.kim' })).toBe('made b.kim the owner');
    expect([ehrSetWords({}), ehrSetWords(null)]).toEqual(['changed it', 'changed it']);
  });

  it('label the one action that does as the EHR did', () => {
    expect(ehrDecisionLabel([{ action: 'assign', owner: null }, { action: 'close', disposition: 'tested_elsewhere' }])).toBe('Close as the EHR did (Tested elsewhere)');
    expect(ehrDecisionLabel([{ action: 'snooze', until: '2026-12-01T09:00:00Z', reason: 'other' }])).toBe('Do as the EHR did (snooze)');
  });

  it('tell the records from the actions', () => {
    expect(['ehr_not_applied', 'ehr_conflict', 'ehr_deleted', 'close', undefined].map(isEhrRecordAction)).toEqual([true, true, true, false, false]);
  });
});

describe('the tracker\'s note on the Task', () => {
  const at = '2026-11-27T20:49:12.345Z';

  it('is built from codes and the EHR\'s time only', () => {
    expect(notAppliedText({ status: 'completed', status_reason: 'tested_elsewhere' }, at)).toBe('Not applied in the tracker: status completed (Tested elsewhere), a person acted there at 20:49 UTC; see the follow-up');
    expect(notAppliedText({ owner: 'b.kim', hold_end: null }, at)).toBe('Not applied in the tracker: owner changed, hold end cleared, a person acted there at 20:49 UTC; see the follow-up');
    expect(notAppliedText(null, 'not a time')).toBe('Not applied in the tracker: a change, a person acted there; see the follow-up');
  });

  it('is added after every note the Task holds, once per change', () => {
    const note = notAppliedNote({ status: 'failed', status_reason: null }, at, new Date('2026-11-27T21:00:00Z'));
    expect(note).toMatchObject({ authorString: 'redraw-tracker', time: '2026-11-27T21:00:00.000Z' });
    const nurse = { text: 'called the lab', authorString: 'Nurse' };
    const once = withTrackerNote({ resourceType: 'Task', note: [nurse] }, note);
    expect(once.note).toEqual([nurse, note]);
    expect(withTrackerNote(once, { ...note, time: '2026-11-27T22:00:00.000Z' })).toBe(once);
    expect(withTrackerNote<Record<string, unknown>>({ resourceType: 'Task' }, note).note).toEqual([note]);
  });
});

describe('practitionerName', () => {
  it('is name[0] as text, else given and family, bounded and without control characters; null without one', () => {
    expect(practitionerName({ resourceType: 'Practitioner', name: [{ text: 'Ann Lee' }, { text: 'Other' }] })).toBe('Ann Lee');
    expect(practitionerName({ name: [{ given: ['Ann', 'B.'], family: 'Lee' }] })).toBe('Ann B. Lee');
    expect(practitionerName({ name: [{ text: 'Ann\nLee\u0007' }] })).toBe('Ann Lee');
    expect(practitionerName({ name: [{ text: 'x'.repeat(300) }] })).toHaveLength(100);
    expect([practitionerName({}), practitionerName({ name: [] }), practitionerName(null), practitionerName({ name: [{ given: [] }] })]).toEqual([null, null, null, null]);
  });
});

describe('a record of EHR work not applied, published', () => {
  it('is a follow_up.changed with source ehr and why, carrying neither the name nor what was set (codes stay in the history)', () => {
    const entry = { at: '2026-11-27T21:00:00.000000Z', actor: 'ehr:Practitioner/123', action: 'ehr_conflict', from_state: 'acknowledged', to_state: 'acknowledged', source: 'ehr', why: 'conflict', actor_display: 'Ann Lee', ehr_set: { status: 'completed' }, fhir_version_id: '7' };
    const [event] = followUpFacts({ followUpId: 'f1', transactionId: 't1', version: 4, entry });
    expect(event).toMatchObject({ type: 'follow_up.changed', action: 'ehr_conflict', actor: 'ehr:Practitioner/123', source: 'ehr', why: 'conflict', version: 4 });
    expect(JSON.stringify(event)).not.toMatch(/Ann Lee|ehr_set/);
  });
});
