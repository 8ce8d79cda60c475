import { describe, expect, it } from 'vitest';
import { fhirViewOf, heldTaskVersion, type ConfirmationFacts } from '../../../../functions/core/fhir/view';

describe('fhirViewOf', () => {
  const confirmation: ConfirmationFacts = { baseUrl: 'http://ehr/fhir', version: 4, digest: 'd4', confirmedAt: '2026-11-02T00:00:00.000Z', refusedDigest: null,
    refusalStatus: null,
    refusalCodes: [],
    changedInEhrDigest: null,
    deletedInEhrVersion: null,
    heldAt: null,
  };
  it('is null while off, never sent, or sent to another server', () => {
    expect(fhirViewOf(confirmation, 'd4', null)).toBeNull();
    expect(fhirViewOf(null, 'd4', 'http://ehr/fhir')).toBeNull();
    expect(fhirViewOf(confirmation, 'd4', 'http://other/fhir')).toBeNull();
  });
  it('says current, behind, refused, changed in the EHR or deleted there, the first that holds in the contract\'s order', () => {
    expect(fhirViewOf(confirmation, 'd4', 'http://ehr/fhir')).toEqual({ version: 4, confirmed_at: '2026-11-02T00:00:00.000Z', state: 'current', ehr_change: null, tracker_change: null, held: null, next_try_at: null });
    expect(fhirViewOf(confirmation, 'd5', 'http://ehr/fhir')!.state).toBe('behind');
    expect(fhirViewOf({ ...confirmation, refusedDigest: 'd5' }, 'd5', 'http://ehr/fhir')!.state).toBe('refused');
    expect(fhirViewOf({ ...confirmation, refusedDigest: 'd5' }, 'd6', 'http://ehr/fhir')!.state).toBe('behind');
    expect(fhirViewOf({ ...confirmation, changedInEhrDigest: 'd5' }, 'd6', 'http://ehr/fhir')!.state).toBe('changed_in_ehr');
    expect(fhirViewOf({ ...confirmation, changedInEhrDigest: 'd5', refusedDigest: 'd5', deletedInEhrVersion: 3 }, 'd5', 'http://ehr/fhir')!.state).toBe('deleted_in_ehr');
    expect(fhirViewOf({ ...confirmation, changedInEhrDigest: 'd5', refusedDigest: 'd5' }, 'd5', 'http://ehr/fhir')!.state).toBe('changed_in_ehr');
  });
  it('says since when a state that needs a person holds, and a refusal\'s status and codes', () => {
    const refused = { ...confirmation, refusedDigest: 'd5', refusalStatus: 422, refusalCodes: ['invalid'], heldAt: '2026-11-03T00:00:00.000Z' };
    expect(fhirViewOf(refused, 'd5', 'http://ehr/fhir')!.held).toEqual({ at: '2026-11-03T00:00:00.000Z', status: 422, codes: ['invalid'] });
    expect(fhirViewOf(refused, 'd6', 'http://ehr/fhir')!.held).toBeNull();
    expect(fhirViewOf({ ...confirmation, deletedInEhrVersion: 4, heldAt: '2026-11-04T00:00:00.000Z' }, 'd4', 'http://ehr/fhir')!.held).toEqual({ at: '2026-11-04T00:00:00.000Z', status: null, codes: [] });
  });
  it('says when a Task behind after a failed try is tried again, a passed one as the next tick; nothing once current or held', () => {
    const failed = { ...confirmation, nextTryAt: '2026-11-05T10:01:00.000Z' };
    expect(fhirViewOf(failed, 'd5', 'http://ehr/fhir')!.next_try_at).toBe('2026-11-05T10:01:00.000Z');
    expect(fhirViewOf(failed, 'd5', 'http://ehr/fhir', null, new Date('2026-11-05T10:00:10.000Z'))!.next_try_at).toBe('2026-11-05T10:01:00.000Z');
    expect(fhirViewOf(failed, 'd5', 'http://ehr/fhir', null, new Date('2026-11-05T10:03:30.000Z'))!.next_try_at).toBe('2026-11-05T10:04:00.000Z');
    expect(fhirViewOf(confirmation, 'd5', 'http://ehr/fhir', null, new Date('2026-11-05T10:00:00.000Z'))!.next_try_at).toBeNull();
    expect(fhirViewOf(failed, 'd4', 'http://ehr/fhir', null, new Date('2026-11-05T10:00:00.000Z'))!.next_try_at).toBeNull();
    expect(fhirViewOf({ ...failed, refusedDigest: 'd5' }, 'd5', 'http://ehr/fhir')!.next_try_at).toBeNull();
  });
});

describe('heldTaskVersion', () => {
  const change = { at: '2026-11-02T00:00:00.000Z', actor: 'ehr:Practitioner/alice', fhir_version_id: '5', actions: ['close'], applied: false, why: 'forbidden' };
  it('is the version a hold was read at, else the held change\'s own', () => {
    expect(heldTaskVersion({ ehrChange: change, heldVersionId: '6' })).toBe('6');
    expect(heldTaskVersion({ ehrChange: change })).toBe('5');
  });
  it('is none without a change held: none read, one applied, one without why, one met in a conflict', () => {
    expect(heldTaskVersion(null)).toBeNull();
    expect(heldTaskVersion({ ehrChange: null, heldVersionId: '6' })).toBeNull();
    expect(heldTaskVersion({ ehrChange: { ...change, applied: true, why: null } })).toBeNull();
    expect(heldTaskVersion({ ehrChange: { ...change, why: null } })).toBeNull();
    expect(heldTaskVersion({ ehrChange: { ...change, why: 'tracker_only_field' }, trackerChange: { at: change.at, actor: 'j.doe', action: 'acknowledge' } })).toBeNull();
  });
});
