import { describe, expect, it } from 'vitest';
import { ehrStatusWords } from '../../../console/src/lib/ehr-status';
import { asFollowUpDetail, type FhirStatus } from '../../../console/src/lib/types';
import { aFollowUp } from './follow-up-fixture';

const CONFIRMED = '2026-11-13T14:05:00.000000Z';
const fhir = (state: FhirStatus['state']): FhirStatus => ({ version: 7, confirmed_at: CONFIRMED, state });

describe("a follow-up's Task in the EHR, in words (CONTRACT §13)", () => {
  it('says up to date, or behind and sent again, with when the FHIR server last confirmed it, in the browser zone beside UTC', () => {
    expect(ehrStatusWords(fhir('current'), 'America/New_York')).toBe('Up to date, confirmed 2026-11-13 09:05 EST (14:05 UTC)');
    expect(ehrStatusWords(fhir('behind'), 'America/New_York')).toBe('Behind, sent again automatically; last confirmed 2026-11-13 09:05 EST (14:05 UTC)');
    expect(ehrStatusWords(fhir('current'), 'UTC')).toBe('Up to date, confirmed 2026-11-13 14:05 UTC');
  });

  it('says a refusal waits for a change of the follow-up, and a change made in the EHR waits for the next action here', () => {
    expect(ehrStatusWords(fhir('refused'))).toBe('Refused by the FHIR server: not retried until the follow-up changes (see the alarm runbook)');
    expect(ehrStatusWords(fhir('changed_in_ehr'))).toBe('Changed there by someone else: not overwritten until your next action here');
  });

  it('never shows a version number', () => {
    for (const state of ['current', 'behind', 'refused', 'changed_in_ehr'] as const) expect(ehrStatusWords({ ...fhir(state), version: 4242 }, 'UTC')).not.toContain('4242');
  });

  it('says nothing while FHIR is off or nothing was sent (null), or from a tracker before it (absent)', () => {
    expect(ehrStatusWords(null)).toBeNull();
    expect(ehrStatusWords(undefined)).toBeNull();
  });
});

describe("GET /follow-ups/{id}'s `fhir` as the console reads it", () => {
  const answer = (extra: Record<string, unknown>) => ({ follow_up: aFollowUp(), history: [], ...extra });

  it('keeps a known state with its time', () => {
    expect(asFollowUpDetail(answer({ fhir: fhir('behind') })).fhir).toEqual(fhir('behind'));
  });

  it('reads absent, null, a state it does not know or a malformed value as null: nothing is shown', () => {
    for (const extra of [{}, { fhir: null }, { fhir: { ...fhir('current'), state: 'sent' } }, { fhir: { state: 'current' } }, { fhir: 'current' }]) {
      expect(asFollowUpDetail(answer(extra)).fhir).toBeNull();
    }
  });
});
