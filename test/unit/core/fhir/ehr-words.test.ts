/**
 * Work done in the EHR in words (CONTRACT §13, "Work done in the EHR comes
 * back"; functions/core/fhir/ehr-words.ts), as the console and the CLI say it:
 * every §9 action an EHR change maps to, several in one change, a history
 * entry from the EHR, the applied change while it is the news, and every
 * `ehr_change.why` code of the tracker in words.
 */
import { describe, expect, it } from 'vitest';
import { appliedEhrNews, ehrChangeWords, ehrDecisionOf, ehrEntryWords, ehrWhyWords, type EhrChangeFacts, type EntryFacts } from '../../../../functions/core/fhir/ehr-words';
import { ehrSituation } from '../../../../functions/core/fhir/words';

/** Times as a front end would put them, visibly: "[T]". */
const time = (iso: string) => `[${iso}]`;
const AT = '2026-11-27T15:42:00.000Z';
const UNTIL = '2026-12-04T14:00:00.000000Z';
const ehr = (action: string, fields: Record<string, unknown> = {}, version = '7'): EntryFacts & Record<string, unknown> => ({
  at: '2026-11-27T15:43:10.000000Z',
  actor: 'ehr:Practitioner/123',
  action,
  from_state: 'acknowledged',
  to_state: 'acknowledged',
  source: 'ehr',
  fhir_version_id: version,
  fhir_last_updated: AT,
  ...fields,
});
const change = (actions: string[], extra: Partial<EhrChangeFacts> = {}): EhrChangeFacts => ({ at: AT, actor: 'ehr:Practitioner/123', fhir_version_id: '7', actions, applied: true, why: null, ...extra });

describe('a history entry of work done in the EHR, in words', () => {
  it('says each §9 action as done in the EHR by its user, without the ehr: prefix', () => {
    const said = (entry: EntryFacts) => ehrEntryWords(entry, time);
    expect(said(ehr('close', { disposition: 'tested_elsewhere' }))).toBe('Closed in the EHR by Practitioner/123');
    expect(said(ehr('acknowledge'))).toBe('Acknowledged in the EHR by Practitioner/123');
    expect(said(ehr('snooze', { until: UNTIL, reason: 'other' }))).toBe(`Snoozed until [${UNTIL}] in the EHR by Practitioner/123`);
    expect(said(ehr('unsnooze'))).toBe('Snooze ended in the EHR by Practitioner/123');
    expect(said(ehr('reopen'))).toBe('Reopened in the EHR by Practitioner/123');
    expect(said(ehr('assign', { owner: 'kim.w' }))).toBe('Assigned to kim.w in the EHR by Practitioner/123');
    // The EHR user made themselves its owner (the owner is the reference itself): they took it.
    expect(said(ehr('assign', { owner: 'Practitioner/123' }))).toBe('Taken in the EHR by Practitioner/123');
    expect(said(ehr('assign', { owner: null }))).toBe('Unassigned in the EHR by Practitioner/123');
  });

  it('names the server when the EHR named no user (its host, port included)', () => {
    expect(ehrEntryWords({ ...ehr('close'), actor: 'ehr:fhir.example.org:8443' }, time)).toBe('Closed in the EHR by fhir.example.org:8443');
  });

  it('says nothing of an entry from anywhere else: a person here, the tracker, no source', () => {
    expect(ehrEntryWords({ at: AT, actor: 'user:kim', action: 'close' }, time)).toBeNull();
    expect(ehrEntryWords({ at: AT, actor: 'tracker', action: 'close', source: undefined }, time)).toBeNull();
    expect(ehrEntryWords({ ...ehr('close'), source: 'chat' }, time)).toBeNull();
  });
});

describe("the EHR's change, several actions in one", () => {
  it('says them in order from its history entries (with their fields), one sentence', () => {
    const history = [ehr('reopen', {}, '7'), ehr('snooze', { until: UNTIL }, '7')];
    expect(ehrChangeWords(change(['reopen', 'snooze']), history, time)).toBe(`Reopened and snoozed until [${UNTIL}] in the EHR by Practitioner/123`);
    const three = [ehr('assign', { owner: 'Practitioner/123' }), ehr('acknowledge'), ehr('snooze', { until: UNTIL })];
    expect(ehrChangeWords(change(['assign', 'acknowledge', 'snooze']), three, time)).toBe(`Taken, acknowledged and snoozed until [${UNTIL}] in the EHR by Practitioner/123`);
  });

  it("says them from the change's action names when the history has not its entries (another version's do not count)", () => {
    expect(ehrChangeWords(change(['reopen', 'snooze']), [ehr('close', {}, '6')], time)).toBe('Reopened and snoozed in the EHR by Practitioner/123');
    expect(ehrChangeWords(change(['assign'], { fhir_version_id: null }), [ehr('assign', { owner: 'kim.w' })], time)).toBe('Assigned in the EHR by Practitioner/123');
    expect(ehrChangeWords(change([]), [], time)).toBe('Changed in the EHR by Practitioner/123');
  });
});

describe('the applied change on the first screen, while it is the news', () => {
  const fhir = (state: string, ehrChange: EhrChangeFacts | null) => ({ state, ehr_change: ehrChange });
  const closed = [ehr('close', { disposition: 'other', from_state: 'acknowledged', to_state: 'closed' })];

  it('says what was done and when the EHR saved it, whether the Task is current, behind or refused since', () => {
    for (const state of ['current', 'behind', 'refused']) {
      expect(appliedEhrNews(fhir(state, change(['close'])), closed, time)).toEqual({ words: 'Closed in the EHR by Practitioner/123', at: AT });
    }
  });

  it("stays the news after the tracker's own entries, and is none once a person acted here after it", () => {
    const later = '2026-11-27T16:00:00.000000Z';
    expect(appliedEhrNews(fhir('current', change(['close'])), [...closed, { at: later, actor: 'tracker', action: 'attention' }], time)).not.toBeNull();
    expect(appliedEhrNews(fhir('current', change(['close'])), [...closed, { at: later, actor: 'user:kim', action: 'reopen' }], time)).toBeNull();
    // A person's action before the EHR's change is older news.
    expect(appliedEhrNews(fhir('current', change(['close'])), [{ at: '2026-11-27T15:00:00.000000Z', actor: 'user:kim', action: 'acknowledge' }, ...closed], time)).not.toBeNull();
  });

  it('is none for a change not applied, none read, FHIR off, or a state whose own notice says it', () => {
    expect(appliedEhrNews(fhir('changed_in_ehr', change(['close'], { applied: false, why: 'forbidden' })), [], time)).toBeNull();
    expect(appliedEhrNews(fhir('current', change(['close'], { applied: false })), [], time)).toBeNull();
    expect(appliedEhrNews(fhir('current', null), closed, time)).toBeNull();
    expect(appliedEhrNews(null, closed, time)).toBeNull();
    for (const state of ['changed_in_ehr', 'conflict', 'deleted_in_ehr']) expect(appliedEhrNews(fhir(state, change(['close'])), closed, time)).toBeNull();
  });
});

describe('why a change in the EHR was not applied, in words', () => {
  const WHY: Record<string, string> = {
    tracker_only_field: 'it changed only what the tracker sets (such as the Task’s priority or description)',
    status_not_mapped: 'a status of the Task that the tracker does not map to an action',
    move_not_mapped: 'a move of the Task’s status that the tracker does not map to an action (such as in progress back to ready)',
    snooze_without_end: 'a snooze without an end',
    snooze_too_long: 'a snooze more than 90 days away',
    invalid_transition: 'the follow-up’s state here does not allow it',
    invalid_owner: 'an owner the tracker cannot take (characters it does not accept)',
    forbidden: 'a close that their role may not make here',
    no_version: 'the EHR server gives no version id, so the tracker cannot tell its versions apart',
    actions_off: 'the tracker takes no work from the EHR (FHIR_EHR_ACTIONS is off)',
  };

  it('says every code of the tracker in words, and a code it does not know as itself', () => {
    for (const [code, words] of Object.entries(WHY)) expect(ehrWhyWords(code), code).toBe(words);
    expect(ehrWhyWords('some_later_code')).toBe('some_later_code');
  });

  it('holds the change: who, when, what they did and why in words, and that the next action here replaces it', () => {
    const held = { version: 4, confirmed_at: '2026-11-27T15:00:00.000Z', state: 'changed_in_ehr', held: { at: '2026-11-27T15:44:00.000Z', status: null, codes: [] } };
    for (const [code, words] of Object.entries(WHY)) {
      const situation = ehrSituation({ ...held, ehr_change: change(['snooze'], { applied: false, why: code }) }, [], new Date(), time)!;
      expect(situation).toMatchObject({ what: 'Changed in the EHR by Practitioner/123', at: AT, why: `They snoozed it; not applied here: ${words}.`, needsPerson: true });
      expect(situation.todo).toMatch(/^Your next action here writes the tracker’s follow-up to the EHR again, replacing that change/);
    }
    // A status the tracker maps to no action: no action named.
    expect(ehrSituation({ ...held, ehr_change: change([], { applied: false, why: 'status_not_mapped' }) }, [], new Date(), time)?.why).toBe(
      'They changed it; not applied here: a status of the Task that the tracker does not map to an action.',
    );
  });
});

describe('the tracker\'s records of EHR work it did not apply (CONTRACT §13, "Nothing the EHR did goes unrecorded")', () => {
  const set = { status: 'completed', status_reason: 'tested_elsewhere', owner: null };
  const decision = [{ action: 'assign', owner: null }, { action: 'close', disposition: 'tested_elsewhere' }];

  it('say what the EHR set, by the name the server gave beside the reference', () => {
    expect(ehrEntryWords(ehr('ehr_conflict', { ehr_set: set, actor_display: 'Ann Lee', why: 'conflict' }), time)).toBe(
      'Changed in the EHR by Ann Lee (Practitioner/123) while a person acted here: closed it as Tested elsewhere; cleared the owner; not applied, the tracker’s version was written back',
    );
    expect(ehrEntryWords(ehr('ehr_not_applied', { ehr_set: { status: 'failed', status_reason: null }, why: 'status_not_mapped', actor_display: null }), time)).toBe(
      `Changed in the EHR by Practitioner/123: set its status to failed; not applied here (${ehrWhyWords('status_not_mapped')})`,
    );
    expect(ehrEntryWords(ehr('ehr_deleted', { actor: 'ehr:fhir.example.org', ehr_set: null, why: 'deleted_in_ehr' }), time)).toBe('Task deleted in the EHR by fhir.example.org');
  });

  it('name the conflict\'s values in its notice, from ehr_change or from the history\'s record, and offer the decision while in conflict', () => {
    const fhir = { version: 3, confirmed_at: AT, state: 'conflict', ehr_change: change(['assign', 'close'], { applied: false }), tracker_change: { at: AT, actor: 'j.doe', action: 'record_contact' } };
    const history = [ehr('ehr_conflict', { ehr_set: set, decision })];
    for (const [answer, entries] of [[{ ...fhir, ehr_change: { ...fhir.ehr_change, ehr_set: set } }, []], [fhir, history]] as const) {
      expect(ehrSituation(answer, entries, new Date(AT), time)?.why).toContain('(they closed it as Tested elsewhere; cleared the owner)');
    }
    expect(ehrSituation(fhir, [], new Date(AT), time)?.why).toContain('(they assigned it and closed it)');
    expect(ehrDecisionOf(fhir, history)).toEqual({ label: 'Close as the EHR did (Tested elsewhere)', actions: decision });
    expect([ehrDecisionOf({ state: 'current' }, history), ehrDecisionOf(fhir, []), ehrDecisionOf(fhir, [ehr('ehr_conflict', { decision: 'x' })])]).toEqual([null, null, null]);
  });
});
