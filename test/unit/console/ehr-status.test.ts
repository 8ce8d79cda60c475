import { describe, expect, it } from 'vitest';
import { SENDING_WINDOW_MS } from '../../../functions/core/fhir/words';
import { ehrEntryLine, ehrNewsWords, ehrNoticeWords, ehrStatusWords } from '../../../console/src/lib/ehr-status';
import { asFollowUpDetail, FHIR_STATUS_STATES, type FhirStatus } from '../../../console/src/lib/types';
import { aFollowUp } from './follow-up-fixture';

const CONFIRMED = '2026-11-13T14:05:00.000000Z';
const HELD = '2026-11-13T15:30:00.000000Z';
const CHANGED = '2026-11-13T15:20:00.000000Z';
/** Long after every time above: nothing is in flight. */
const LATER = new Date('2026-11-14T09:00:00Z');
const fhir = (state: FhirStatus['state'], extra: Partial<FhirStatus> = {}): FhirStatus => ({
  version: 7,
  confirmed_at: CONFIRMED,
  state,
  ehr_change: null,
  tracker_change: null,
  held: state === 'current' || state === 'behind' ? null : { at: HELD, status: null, codes: [] },
  ...extra,
});
const refused = fhir('refused', { held: { at: HELD, status: 422, codes: ['invalid', 'business-rule'] } });
const ehrChange = { at: CHANGED, actor: 'ehr:Practitioner/123', fhir_version_id: '4', actions: ['close'], applied: false, why: 'forbidden' };
const history = (...times: string[]) => times.map((at) => ({ at }));

describe("a follow-up's Task in the EHR, in the Facts' words, for every state (CONTRACT §13)", () => {
  it('says up to date with when the FHIR server last confirmed it, in the browser zone beside UTC', () => {
    expect(ehrStatusWords(fhir('current'), [], LATER, 'America/New_York')).toBe('Up to date, confirmed 2026-11-13 09:05 EST (14:05 UTC)');
    expect(ehrStatusWords(fhir('current'), [], LATER, 'UTC')).toBe('Up to date, confirmed 2026-11-13 14:05 UTC');
  });

  it('says a write in flight quietly: behind within two minutes of the newest history entry is "Sending to the EHR…"', () => {
    const acted = '2026-11-14T08:59:00.000Z';
    expect(ehrStatusWords(fhir('behind'), history(CONFIRMED, acted), LATER, 'UTC')).toBe('Sending to the EHR…');
    expect(ehrStatusWords(fhir('behind'), history(acted), new Date(Date.parse(acted) + SENDING_WINDOW_MS - 1), 'UTC')).toBe('Sending to the EHR…');
    expect(ehrNoticeWords(fhir('behind'), history(acted), LATER, 'UTC')).toBeNull();
  });

  it('says behind for longer as waiting since the change, sent again automatically', () => {
    const acted = '2026-11-14T08:58:00.000Z';
    expect(ehrStatusWords(fhir('behind'), history(acted), new Date(Date.parse(acted) + SENDING_WINDOW_MS), 'UTC')).toBe(
      'Not yet confirmed by the EHR since 2026-11-14 08:58 UTC; sent again automatically',
    );
    // No history entry after the confirmation (a change of the tracker's own that leaves none): since the confirmation.
    expect(ehrStatusWords(fhir('behind'), history('2026-11-13T10:00:00Z'), LATER, 'UTC')).toBe('Not yet confirmed by the EHR since 2026-11-13 14:05 UTC; sent again automatically');
    expect(ehrNoticeWords(fhir('behind'), [], LATER, 'UTC')).toBeNull();
  });

  it('says a failed try and when the next one is, even within the window of a write in flight (issue 84)', () => {
    const acted = '2026-11-14T08:59:00.000Z';
    const failed = fhir('behind', { next_try_at: '2026-11-14T09:00:40.000Z' });
    expect(ehrStatusWords(failed, history(acted), LATER, 'UTC')).toBe('Sending to the EHR failed; next try at 2026-11-14 09:00 UTC');
    expect(ehrStatusWords(failed, history(acted), LATER, 'America/New_York')).toBe('Sending to the EHR failed; next try at 2026-11-14 04:00 EST (09:00 UTC)');
    expect(ehrNoticeWords(failed, history(acted), LATER, 'UTC')).toBeNull();
    expect(asFollowUpDetail({ follow_up: aFollowUp(), history: [], fhir: failed }).fhir?.next_try_at).toBe('2026-11-14T09:00:40.000Z');
  });

  it('says a refusal, a change in the EHR, a deletion there and a change in both places, each with when', () => {
    expect(ehrStatusWords(refused, [], LATER, 'UTC')).toBe('Refused by the EHR’s FHIR server (2026-11-13 15:30 UTC): not sent again until the follow-up changes');
    expect(ehrStatusWords(fhir('changed_in_ehr'), [], LATER, 'UTC')).toBe('Changed by someone in the EHR (2026-11-13 15:30 UTC): not overwritten until your next action here');
    expect(ehrStatusWords(fhir('changed_in_ehr', { ehr_change: ehrChange }), [], LATER, 'UTC')).toBe(
      'Changed in the EHR by Practitioner/123 (2026-11-13 15:20 UTC): not overwritten until your next action here',
    );
    expect(ehrStatusWords(fhir('deleted_in_ehr'), [], LATER, 'UTC')).toBe('Deleted by someone in the EHR (2026-11-13 15:30 UTC): not created again until your next action here');
    expect(ehrStatusWords(fhir('conflict', { ehr_change: ehrChange }), [], LATER, 'UTC')).toBe(
      'Changed in both places (2026-11-13 15:20 UTC): the EHR’s change was not applied; the tracker’s follow-up was written back',
    );
  });

  it('never shows a version number', () => {
    for (const state of FHIR_STATUS_STATES) expect(ehrStatusWords({ ...fhir(state), version: 4242 }, [], LATER, 'UTC')).not.toContain('4242');
  });

  it('says nothing while FHIR is off or nothing was sent (null), or from a tracker before it (absent)', () => {
    expect(ehrStatusWords(null, [], LATER)).toBeNull();
    expect(ehrStatusWords(undefined, [], LATER)).toBeNull();
    expect(ehrNoticeWords(null, [], LATER)).toBeNull();
  });
});

describe("the first screen's notice when the EHR side needs a person: what, who, when, why, what to do", () => {
  it('names nothing for a Task that is up to date or on its way', () => {
    expect(ehrNoticeWords(fhir('current'), [], LATER, 'UTC')).toBeNull();
    expect(ehrNoticeWords(fhir('behind'), history(CHANGED), LATER, 'UTC')).toBeNull();
  });

  it("a refusal: the server's status and codes in words, and that the next action sends it again", () => {
    expect(ehrNoticeWords(refused, [], LATER, 'America/New_York')).toEqual({
      title: 'In the EHR: Refused by the EHR’s FHIR server',
      when: '2026-11-13 10:30 EST (15:30 UTC)',
      why: 'It answered 422 (not processable): the content is not valid (invalid); a rule of that server is broken (business-rule).',
      todo: 'Your next action here sends the tracker’s follow-up to the EHR again (nothing is sent before). If it is refused again, see the alarm runbook (docs/deploy.md).',
    });
    const several = ehrNoticeWords(fhir('refused', { held: { at: HELD, status: 412, codes: ['multiple-matches'] } }), [], LATER, 'UTC');
    expect(several?.why).toBe('It answered 412 (precondition failed): several Tasks there carry this follow-up’s identifier (multiple-matches).');
    expect(several?.todo).toMatch(/^Someone in the EHR removes the extra Tasks/);
  });

  it('a change in the EHR: who made it, what they did, why it was not applied; someone in the EHR when not known', () => {
    expect(ehrNoticeWords(fhir('changed_in_ehr', { ehr_change: ehrChange }), [], LATER, 'UTC')).toEqual({
      title: 'In the EHR: Changed in the EHR by Practitioner/123',
      // The EHR's own time, and when the tracker held it here (issue 84).
      when: '2026-11-13 15:20 UTC, brought here 15:30',
      why: 'They closed it; not applied here: a close that their role may not make here.',
      todo: 'Your next action here writes the tracker’s follow-up to the EHR again, replacing that change; make the change here too if it was right.',
    });
    const unknown = ehrNoticeWords(fhir('changed_in_ehr'), [], LATER, 'UTC');
    expect(unknown?.title).toBe('In the EHR: Changed by someone in the EHR');
    expect(unknown?.when).toBe('2026-11-13 15:30 UTC');
    expect(unknown?.why).toBe('The change is not applied here, and the tracker does not overwrite it.');
  });

  it('a deletion in the EHR: when the tracker found it, who when the newest EHR change is the deletion, not created again until the next action here', () => {
    expect(ehrNoticeWords(fhir('deleted_in_ehr', { ehr_change: { ...ehrChange, actions: [], why: null } }), [], LATER, 'UTC')).toEqual({
      title: 'In the EHR: Deleted in the EHR by Practitioner/123',
      when: '2026-11-13 15:30 UTC',
      why: 'The tracker does not create its Task again on its own.',
      todo: 'Your next action here creates the Task in the EHR again; close the follow-up here if it is done.',
    });
    // An older change (applied, before the last confirmation) did not delete it: its author is not named.
    const older = { ...ehrChange, at: '2026-11-12T09:00:00.000Z', applied: true, why: null };
    expect(ehrNoticeWords(fhir('deleted_in_ehr', { ehr_change: older }), [], LATER, 'America/New_York')).toMatchObject({
      title: 'In the EHR: Deleted by someone in the EHR',
      when: '2026-11-13 10:30 EST (15:30 UTC)',
    });
    // Nor a change held before it (a status the tracker maps to no action), however recent.
    const heldBefore = { ...ehrChange, actions: [], why: 'status_not_mapped' };
    expect(ehrNoticeWords(fhir('deleted_in_ehr', { ehr_change: heldBefore }), [], LATER, 'UTC')?.title).toBe('In the EHR: Deleted by someone in the EHR');
  });

  it("a conflict: the EHR's change and the person's action here, and that the tracker's follow-up was written back", () => {
    const words = ehrNoticeWords(
      fhir('conflict', { ehr_change: { ...ehrChange, actions: ['snooze', 'assign'], why: null }, tracker_change: { at: '2026-11-13T15:25:00.000Z', actor: 'kim.w', action: 'close' } }),
      [],
      LATER,
      'America/New_York',
    );
    expect(words?.title).toBe('In the EHR: Changed in both places');
    expect(words?.when, 'both times are in the words').toBe('');
    expect(words?.why).toBe(
      'Changed in the EHR by Practitioner/123 at 2026-11-13 10:20 EST (15:20 UTC) (they snoozed it and assigned it) while kim.w acted here (close) at 2026-11-13 10:25 EST (15:25 UTC): the tracker’s version was kept and written back to the EHR.',
    );
    expect(words?.todo).toBe('If the EHR’s change was right, make it here: the EHR now shows the tracker’s version.');
  });
});

describe('what the EHR did, applied here, in the browser zone beside UTC (CONTRACT §13, issue 70)', () => {
  const closedInEhr = { at: '2026-11-27T15:43:10.000000Z', actor: 'ehr:Practitioner/123', action: 'close', from_state: 'acknowledged', to_state: 'closed', disposition: 'other', source: 'ehr', fhir_version_id: '7', fhir_last_updated: '2026-11-27T15:42:00.000Z' };
  const applied = fhir('current', { ehr_change: { at: '2026-11-27T15:42:00.000Z', actor: 'ehr:Practitioner/123', fhir_version_id: '7', actions: ['close'], applied: true, why: null } });

  it('says the applied change on the first screen, with its time as the page writes times', () => {
    expect(ehrNewsWords(applied, [closedInEhr], 'America/New_York')).toBe('Closed in the EHR by Practitioner/123, 2026-11-27 10:42 EST (15:42 UTC), brought here 10:43');
    expect(ehrNewsWords(applied, [closedInEhr, { ...closedInEhr, at: '2026-11-27T16:00:00.000000Z', actor: 'user:kim', action: 'reopen', source: undefined }], 'UTC')).toBeNull();
    expect(ehrNewsWords(fhir('current'), [closedInEhr], 'UTC')).toBeNull();
  });

  it('names the EHR user beside their reference wherever the entry or the change carries actor_display (issue 84)', () => {
    const named = fhir('current', { ehr_change: { ...applied.ehr_change!, actor_display: 'Ann Lee' } });
    const entry = { ...closedInEhr, actor_display: 'Ann Lee' };
    expect(ehrNewsWords(named, [entry], 'UTC')).toBe('Closed in the EHR by Ann Lee (Practitioner/123), 2026-11-27 15:42 UTC, brought here 15:43');
    expect(ehrEntryLine(entry, 'UTC')).toBe('Closed in the EHR by Ann Lee (Practitioner/123)');
    // Taken in the EHR: the owner is the user's own reference, and still reads as taken.
    expect(ehrEntryLine({ ...entry, action: 'assign', owner: 'Practitioner/123' }, 'UTC')).toBe('Taken in the EHR by Ann Lee (Practitioner/123)');
    const held = fhir('changed_in_ehr', { ehr_change: { ...ehrChange, actor_display: 'Ann Lee' } });
    expect(ehrNoticeWords(held, [], LATER, 'UTC')?.title).toBe('In the EHR: Changed in the EHR by Ann Lee (Practitioner/123)');
    expect(ehrStatusWords(held, [], LATER, 'UTC')).toBe('Changed in the EHR by Ann Lee (Practitioner/123) (2026-11-13 15:20 UTC): not overwritten until your next action here');
  });

  it("reads a history entry from the EHR as such, a snooze's end in the browser zone", () => {
    expect(ehrEntryLine(closedInEhr, 'UTC')).toBe('Closed in the EHR by Practitioner/123');
    expect(ehrEntryLine({ ...closedInEhr, action: 'snooze', until: '2026-12-01T14:00:00.000000Z' }, 'America/New_York')).toBe('Snoozed until 2026-12-01 09:00 EST (14:00 UTC) in the EHR by Practitioner/123');
    expect(ehrEntryLine({ ...closedInEhr, source: undefined, actor: 'user:kim' }, 'UTC')).toBeNull();
  });
});

describe("GET /follow-ups/{id}'s `fhir` as the console reads it", () => {
  const answer = (extra: Record<string, unknown>) => ({ follow_up: aFollowUp(), history: [], ...extra });

  it('keeps each of the six states with its time, its EHR change, the tracker change it met and since when it is held', () => {
    const full = fhir('conflict', { ehr_change: { ...ehrChange, actor_display: 'Ann Lee' }, tracker_change: { at: CHANGED, actor: 'kim.w', action: 'close' } });
    expect(asFollowUpDetail(answer({ fhir: full })).fhir).toEqual(full);
    // A tracker before issue 84 names nobody.
    expect(asFollowUpDetail(answer({ fhir: fhir('conflict', { ehr_change: ehrChange }) })).fhir?.ehr_change?.actor_display).toBeNull();
    for (const state of FHIR_STATUS_STATES) expect(asFollowUpDetail(answer({ fhir: fhir(state) })).fhir?.state).toBe(state);
  });

  it('reads a tracker before issue 69 (no ehr_change, tracker_change nor held) as null for each', () => {
    expect(asFollowUpDetail(answer({ fhir: { version: 7, confirmed_at: CONFIRMED, state: 'behind' } })).fhir).toEqual(fhir('behind'));
  });

  it('reads absent, null, a state it does not know or a malformed value as null: nothing is shown', () => {
    for (const extra of [{}, { fhir: null }, { fhir: { ...fhir('current'), state: 'sent' } }, { fhir: { state: 'current' } }, { fhir: 'current' }]) {
      expect(asFollowUpDetail(answer(extra)).fhir).toBeNull();
    }
  });
});
