/**
 * Each EHR version by its own author (CONTRACT §13, issue 82), the pure rules
 * (core/fhir/ehr-versions.ts) and the reads over a FHIR client of the test's own
 * (fhir/sync/ehr-reads.ts): the Provenance's author agent only, the reference
 * types that name an actor or owner, usable version ids and instants, the
 * history walked to the confirmed version; and the settings of the close group.
 */
import { describe, expect, it } from 'vitest';
import { decideRound, NEW_DELIVERY, type RoundFacts } from '../../functions/core/fhir/sync-decision';
import { namesStaff } from '../../functions/core/fhir/references';
import { provenanceAuthor, savedRightAfter, usableLastUpdated, usableVersionId, walkHistoryPage, type WalkStep } from '../../functions/core/fhir/ehr-versions';
import { readTask, usableReference, type ReadTask } from '../../functions/core/fhir/read-task';
import { DEFAULT_FHIR_SYSTEMS, type TaskSource } from '../../functions/core/fhir/task';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { fhirConfigOf, FhirSettings } from '../../functions/fhir/client/settings';
import type { FhirExchange, FhirHttp, FhirRequest } from '../../functions/fhir/client/http';
import { ehrActorOf, versionsBetween } from '../../functions/fhir/sync/ehr-reads';
import { parseEnv } from '../../functions/shared/config';

const BASE = 'https://fhir.example.org/r4';
const coding = (code: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code }] });
const provenance = (...agents: [string, string][]) => ({ resource: { resourceType: 'Provenance', agent: agents.map(([type, who]) => ({ type: coding(type), who: { reference: who } })) } });
const bundle = (...entry: unknown[]) => ({ resourceType: 'Bundle', type: 'searchset', entry });

/** A FHIR client answering each path from `answers` (200 with the body given), recording the paths asked. */
function serverOf(answers: (path: string) => { status: number; body: unknown }): FhirHttp & { paths: string[] } {
  const paths: string[] = [];
  return {
    paths,
    send: async (request: FhirRequest): Promise<FhirExchange> => {
      paths.push(request.path);
      const { status, body } = answers(request.path);
      return { kind: 'answer', status, etag: null, location: null, retryAfterMs: null, contentType: 'application/fhir+json', bodyState: 'json', body };
    },
  };
}

describe('the Provenance names the author through its author agent only', () => {
  it('takes the agent whose type is author, not the first agent of another type', () => {
    expect(provenanceAuthor(bundle(provenance(['enterer', 'Device/bot'], ['author', 'Practitioner/alice'])), usableReference)).toBe('Practitioner/alice');
    expect(provenanceAuthor(bundle(provenance(['custodian', 'Organization/lab'])), usableReference)).toBeNull();
  });

  it('names none when several name different authors, and the one they agree on', () => {
    expect(provenanceAuthor(bundle(provenance(['author', 'Practitioner/alice']), provenance(['author', 'Practitioner/bob'])), usableReference)).toBeNull();
    expect(provenanceAuthor(bundle(provenance(['author', 'Practitioner/alice']), provenance(['author', 'Practitioner/alice'])), usableReference)).toBe('Practitioner/alice');
  });

  it('ehrActorOf: a Provenance whose only agent is not the author gives the host; a Patient author gives the host', async () => {
    const read = (meta: Record<string, unknown>) => readTask({ resourceType: 'Task', id: 't1', meta }, DEFAULT_FHIR_SYSTEMS)!;
    const task = read({ versionId: '4' });
    expect(await ehrActorOf(serverOf(() => ({ status: 200, body: bundle(provenance(['enterer', 'Practitioner/bob'])) })), BASE, task)).toEqual({ kind: 'ok', value: 'ehr:fhir.example.org' });
    expect(await ehrActorOf(serverOf(() => ({ status: 200, body: bundle(provenance(['author', 'Patient/mrn-1'])) })), BASE, task)).toEqual({ kind: 'ok', value: 'ehr:fhir.example.org' });
    expect(await ehrActorOf(serverOf(() => ({ status: 200, body: bundle() })), BASE, read({ versionId: '4', author: { reference: 'RelatedPerson/7' } }))).toEqual({ kind: 'ok', value: 'ehr:fhir.example.org' });
    expect(await ehrActorOf(serverOf(() => ({ status: 200, body: bundle(provenance(['author', 'Device/bot'])) })), BASE, task)).toEqual({ kind: 'ok', value: 'ehr:Device/bot' });
  });
});

describe('only staff references name an actor or an owner', () => {
  it('takes Practitioner, PractitionerRole, Organization, CareTeam, HealthcareService and Device, relative or absolute', () => {
    for (const type of ['Practitioner', 'PractitionerRole', 'Organization', 'CareTeam', 'HealthcareService', 'Device']) expect(namesStaff(`${type}/x-1`), type).toBe(true);
    expect(namesStaff(`${BASE}/Practitioner/9`)).toBe(true);
    for (const reference of ['Patient/1', 'RelatedPerson/2', `${BASE}/Patient/3`, 'Group/4', 'Practitioner', 'urn:uuid:5']) expect(namesStaff(reference), reference).toBe(false);
  });
});

describe('version ids and instants are kept only when usable', () => {
  it('keeps 1 to 64 of A-Za-z0-9.- and an instant; the found Task drops any other', () => {
    expect(usableVersionId('W/"3"')).toBe(false);
    expect(usableVersionId('a'.repeat(65))).toBe(false);
    expect(usableVersionId('')).toBe(false);
    expect(usableVersionId(3)).toBe(false);
    expect(usableVersionId('3b.7-x')).toBe(true);
    expect(usableLastUpdated('yesterday')).toBeNull();
    expect(usableLastUpdated('2026-11-28T04:00:00.123Z')).toBe('2026-11-28T04:00:00.123Z');
    const task = (versionId: unknown) => ({ resourceType: 'Task', id: 't1', meta: { versionId } });
    expect(readTask(task('<script>'), DEFAULT_FHIR_SYSTEMS)?.versionId).toBeNull();
    expect(readTask(task('12'), DEFAULT_FHIR_SYSTEMS)?.versionId).toBe('12');
  });

  it('a Task not the tracker\'s without a usable versionId is read as EHR work (held as no_version), never written over unread', () => {
    const opened = openFollowUp({ id: 'txn-1', transactionId: 'txn-1', initialOrderId: 'order-1', redrawOrderId: null, openedAt: '2026-11-01T10:00:00.000Z' });
    const source: TaskSource = { followUp: { ...opened, version: 4 }, stale: false, lastAt: null, revision: 7, kind: 'redraw' };
    const resource = { resourceType: 'Task', id: 't1', status: 'ready', extension: [{ url: 'urn:redraw-tracker/follow-up-version', valueInteger: 4 }, { url: 'urn:redraw-tracker/content-digest', valueString: 'old' }, { url: 'urn:redraw-tracker/follow-up-revision', valueInteger: 7 }], authoredOn: opened.opened_at };
    const found: ReadTask = readTask(resource, DEFAULT_FHIR_SYSTEMS)!;
    expect(found).toMatchObject({ id: 't1', versionId: null, statedDigest: 'old', trackersContent: false, version: 4, revision: 7, authoredOn: opened.opened_at });
    const confirmation = { digest: 'd1', taskId: 't1', versionId: null, refusedDigest: null, changedInEhrDigest: null, changedInEhrVersion: null, deletedInEhrVersion: null, ehrChange: null };
    const facts: RoundFacts = { tasks: [found], source, digest: 'd1', confirmation };
    expect(decideRound(facts, NEW_DELIVERY)).toEqual({ kind: 'read_ehr_work', task: found, restated: false });
  });
});

describe('the versions between, from the Task\'s history', () => {
  const version = (versionId: string) => ({ resourceType: 'Task', id: 't1', meta: { versionId } });
  /** The version as the tracker reads it (core/fhir/read-task.ts): what the walk and the reads give. */
  const read = (versionId: string) => readTask(version(versionId), DEFAULT_FHIR_SYSTEMS)!;

  it('keeps the versions after the confirmed one up to the one read, oldest first, across pages', () => {
    const first = walkHistoryPage<ReadTask>({ versions: [], foundMet: false }, [read('9'), read('8'), read('7')], '5', '8');
    expect(first).toEqual({ kind: 'more', walk: { versions: [read('8'), read('7')], foundMet: true } });
    expect(walkHistoryPage((first as Extract<WalkStep<ReadTask>, { kind: 'more' }>).walk, [read('6'), read('5'), read('4')], '5', '8')).toEqual({ kind: 'complete', versions: [read('6'), read('7'), read('8')] });
    expect(walkHistoryPage({ versions: [], foundMet: false }, [read('8'), null, read('5')], '5', '8')).toEqual({ kind: 'unreadable' });
    expect(savedRightAfter('5', '6')).toBe(true);
    expect(savedRightAfter('5', '7')).toBe(false);
    expect(savedRightAfter('a1', 'a2')).toBe(false);
  });

  it('pages by the next link under the base (HAPI), else by _offset after a full page (Medplum); an answer of 404 is unreadable', async () => {
    const hapi = serverOf((path) => (path.includes('_getpages') ? { status: 200, body: { resourceType: 'Bundle', type: 'history', entry: [{ resource: version('5') }] } } : { status: 200, body: { resourceType: 'Bundle', type: 'history', link: [{ relation: 'next', url: `${BASE}?_getpages=abc` }], entry: [{ resource: version('7') }, { resource: version('6') }] } }));
    expect(await versionsBetween(hapi, BASE, 't1', '5', '7', DEFAULT_FHIR_SYSTEMS)).toEqual({ kind: 'ok', value: [read('6'), read('7')] });
    expect(hapi.paths).toEqual(['Task/t1/_history?_count=50', '?_getpages=abc']);
    const medplum = serverOf((path) => ({ status: 200, body: { resourceType: 'Bundle', type: 'history', entry: path.includes('_offset=50') ? [{ resource: version('v-1') }] : Array.from({ length: 50 }, (_, index) => ({ resource: version(`v${50 - index + 1}`) })) } }));
    expect(await versionsBetween(medplum, BASE, 't1', 'v-1', 'v3', DEFAULT_FHIR_SYSTEMS)).toMatchObject({ kind: 'ok', value: [read('v2'), read('v3')] });
    expect(medplum.paths[1]).toBe('Task/t1/_history?_count=50&_offset=50');
    expect(await versionsBetween(serverOf(() => ({ status: 404, body: null })), BASE, 't1', '5', '7', DEFAULT_FHIR_SYSTEMS)).toEqual({ kind: 'ok', value: 'unreadable' });
    expect(await versionsBetween(serverOf(() => ({ status: 503, body: null })), BASE, 't1', '5', '7', DEFAULT_FHIR_SYSTEMS)).toMatchObject({ kind: 'not_final' });
  });
});

describe('FHIR_EHR_CLOSES: a close group binds the EHR\'s closes unless allowed', () => {
  it('holds them with a close group set, by default; not without one, nor with allow', () => {
    const config = (env: Record<string, string>) => fhirConfigOf(parseEnv(FhirSettings, { FHIR_BASE_URL: BASE, ...env }))?.ehrClosesHeld;
    expect(config({ CLOSE_REQUIRES_GROUP: 'closers' })).toBe(true);
    expect(config({ CLOSE_REQUIRES_GROUP: 'closers', FHIR_EHR_CLOSES: 'allow' })).toBe(false);
    expect(config({})).toBe(false);
    expect(() => parseEnv(FhirSettings, { FHIR_BASE_URL: BASE, FHIR_EHR_CLOSES: 'sometimes' })).toThrow(/FHIR_EHR_CLOSES/);
  });
});
