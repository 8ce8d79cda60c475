/** Who did something, as the follow-up page says it (console/src/lib/people.ts, CONTRACT §13, issue 84). */
import { describe, expect, it } from 'vitest';
import { displayOf, ehrPersonWords, entryPersonWords, personAtStart, personWords, withEhrName } from '../../../console/src/lib/people';

describe('a person as the console says them', () => {
  it('says a user in the EHR by the name the server gave beside their reference, never ehr: alone', () => {
    expect(personWords('ehr:Practitioner/123', 'Ann Lee')).toBe('Ann Lee (Practitioner/123) in the EHR');
    expect(personWords('ehr:Practitioner/123')).toBe('Practitioner/123 in the EHR');
    expect(personWords('ehr:Practitioner/123', null)).toBe('Practitioner/123 in the EHR');
    expect(personWords('ehr:fhir.example.org:8443')).toBe('fhir.example.org:8443 in the EHR');
    expect(entryPersonWords({ actor: 'ehr:Practitioner/123', actor_display: 'Ann Lee' })).toBe('Ann Lee (Practitioner/123) in the EHR');
    expect(entryPersonWords({ actor: 'ehr:Practitioner/123' })).not.toContain('ehr:');
  });

  it('says the tracker, a chat button and a handle as recorded; the first two capitalised to start a cell', () => {
    expect(personWords('tracker')).toBe('the tracker');
    expect(personAtStart('tracker')).toBe('The tracker');
    expect(personAtStart('chat:C123')).toBe('A chat button (channel C123)');
    expect(personAtStart('kim.w')).toBe('kim.w');
    expect(personAtStart('user:ann', 'Someone')).toBe('user:ann');
    expect(personAtStart('ehr:Practitioner/123', 'Ann Lee')).toBe('Ann Lee (Practitioner/123) in the EHR');
  });

  it('reads a name as optional: blank, not a string, or the reference itself says the reference alone; a long one is cut', () => {
    expect(displayOf('  Ann \n Lee ')).toBe('Ann Lee');
    expect(displayOf('   ')).toBeNull();
    expect(displayOf(42)).toBeNull();
    expect(ehrPersonWords('ehr:Practitioner/123', 'Practitioner/123')).toBe('Practitioner/123');
    expect(displayOf('x'.repeat(500))).toHaveLength(120);
  });

  it("moves the name into an EHR entry's actor once, and names an owner that is the user's own reference", () => {
    const entry = { at: 'T', actor: 'ehr:Practitioner/123', actor_display: 'Ann Lee', owner: 'Practitioner/123' };
    expect(withEhrName(entry)).toEqual({ at: 'T', actor: 'ehr:Ann Lee (Practitioner/123)', actor_display: undefined, owner: 'Ann Lee (Practitioner/123)' });
    expect(withEhrName({ ...entry, owner: 'kim.w' }).owner).toBe('kim.w');
    const unnamed = { at: 'T', actor: 'ehr:Practitioner/123' };
    expect(withEhrName(unnamed)).toBe(unnamed);
    const here = { at: 'T', actor: 'kim.w', actor_display: 'Kim' };
    expect(withEhrName(here)).toBe(here);
  });
});
