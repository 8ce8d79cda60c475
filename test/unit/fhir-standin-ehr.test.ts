/**
 * The stand-in FHIR server as an EHR user (local/fhir-standin/ehr.ts, CONTRACT §13
 * "Work done in the EHR comes back", its last bullet): an edit with an author, named
 * in meta.author and a Provenance, or only a Provenance, or nowhere; a delete; the
 * Practitioners, PractitionerRoles and Provenances the tracker reads, behind the
 * token's scopes; their faults. Every resource it stores is valid R4.
 * No DynamoDB: a unit file. The R4 definitions are indexed once, in beforeAll.
 */
import type { Provenance, Task } from '@medplum/fhirtypes';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FHIR_SCOPE } from '../../functions/fhir/client/settings';
import { connectFhirStandin, startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { DEFAULT_SCOPE, scopeGrants } from '../../local/fhir-standin/token';
import { validateR4 } from '../../local/fhir-validation';

const SYSTEM = 'urn:redraw-tracker:follow-up';
const NPI = 'http://hl7.org/fhir/sid/us-npi';

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** A request to the stand-in, its JSON answer read; a body is sent as curl -d sends it unless a type is given. */
async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown; form?: Record<string, string> } = {}): Promise<Reply> {
  const body = init.form ? new URLSearchParams(init.form).toString() : init.body === undefined ? undefined : JSON.stringify(init.body);
  const headers = { ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}), ...init.headers };
  const response = await fetch(url, { method: init.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const entries = (reply: Reply) => ((reply.body.entry ?? []) as { resource: Record<string, unknown> }[]).map((entry) => entry.resource);
const issueCodes = (reply: Reply) => (reply.body.issue as { code: string }[] | undefined)?.map((issue) => issue.code);

/** A Task as the tracker writes it, through the FHIR API. */
async function trackerTask(standin: FhirStandin, followUpId: string): Promise<Task> {
  const task = {
    resourceType: 'Task',
    identifier: [{ system: SYSTEM, value: followUpId }],
    status: 'ready',
    intent: 'order',
    authoredOn: '2026-11-20T09:00:00.000Z',
    extension: [{ url: 'urn:redraw-tracker/follow-up-version', valueInteger: 1 }],
  };
  const created = await call(`${standin.url}/Task`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: task });
  expect(created.status).toBe(201);
  return created.body as unknown as Task;
}

let now = new Date('2026-11-27T15:42:00.000Z');
let standin: FhirStandin;
beforeAll(async () => {
  standin = await startFhirStandin({ now: () => now });
});
afterAll(async () => {
  await standin.stop();
});
beforeEach(async () => {
  await standin.control.reset();
});

describe('an EHR user edits a Task', () => {
  it('names the author in meta.author and a Provenance of that version (the default, as Medplum), and never carries it to the next edit', async () => {
    const task = await trackerTask(standin, 'fu-meta');
    now = new Date('2026-11-27T15:50:00.000Z');
    // As the simulator's curl sends it: no content type.
    const edited = await call(`${standin.origin}/local/ehr/Task/${task.id}`, { method: 'POST', body: { status: 'completed', author: 'Practitioner/123' } });
    expect(edited.status).toBe(200);
    const version = edited.body.task as Task;
    expect(version).toMatchObject({ status: 'completed', meta: { author: { reference: 'Practitioner/123' }, lastUpdated: '2026-11-27T15:50:00.000Z' } });
    expect(version).not.toHaveProperty('author');
    const [provenance, ...more] = await standin.control.provenances();
    expect(more).toEqual([]);
    expect(provenance).toMatchObject({
      resourceType: 'Provenance',
      target: [{ reference: `Task/${task.id}/_history/${version.meta!.versionId}` }],
      recorded: '2026-11-27T15:50:00.000Z',
      agent: [{ who: { reference: 'Practitioner/123' } }],
    });
    const next = await standin.control.editTask(task.id!, { status: 'ready' });
    expect(next.meta?.author).toBeUndefined();
    expect(await standin.control.provenances()).toHaveLength(1);
    const versions = await standin.control.versions();
    expect(versions.map((one) => [one.by, one.resource.status])).toEqual([['api', 'ready'], ['ehr', 'completed'], ['ehr', 'ready']]);
    for (const stored of [...versions.map((one) => one.resource), provenance]) expect(validateR4(stored)).toEqual([]);
  });

  it('with style `provenance` names the author only in a Provenance, with `none` nowhere; reset restores the start style', async () => {
    const coreR4 = await startFhirStandin({ ehrAuthorStyle: 'provenance' });
    try {
      const task = await trackerTask(coreR4, 'fu-prov');
      const remote = connectFhirStandin(coreR4.url);
      const edited = await remote.editTask(task.id!, { status: 'in-progress' }, { author: 'PractitionerRole/r-9' });
      expect(edited.meta?.author).toBeUndefined();
      expect((await remote.provenances()).map((one) => one.agent[0]?.who.reference)).toEqual(['PractitionerRole/r-9']);
      await remote.setEhrAuthorStyle('none');
      const silent = await remote.editTask(task.id!, { status: 'on-hold' }, { author: 'Practitioner/123' });
      expect(silent.meta?.author).toBeUndefined();
      expect(await remote.provenances()).toHaveLength(1);
      await remote.reset();
      const again = await trackerTask(coreR4, 'fu-prov');
      expect((await remote.editTask(again.id!, { status: 'in-progress' }, { author: 'Practitioner/1' })).meta?.author).toBeUndefined();
      expect(await remote.provenances()).toHaveLength(1);
    } finally {
      await coreR4.stop();
    }
  });

  it('refuses an author that is no reference (400) and an invalid Task (422), storing nothing', async () => {
    const task = await trackerTask(standin, 'fu-bad');
    const notReference = await call(`${standin.origin}/_standin/tasks/${task.id}/edit`, { method: 'POST', body: { status: 'completed', author: 'Dr Who' } });
    expect(notReference.status).toBe(400);
    const invalid = await call(`${standin.origin}/local/ehr/Task/${task.id}`, { method: 'POST', body: { status: 'snoozed', author: 'Practitioner/123' } });
    expect([invalid.status, issueCodes(invalid)]).toEqual([422, ['code-invalid']]);
    expect(await standin.control.versions()).toHaveLength(1);
    expect(await standin.control.provenances()).toEqual([]);
    expect((await call(`${standin.origin}/local/ehr/Task/no-such-task`, { method: 'POST', body: { status: 'completed' } })).status).toBe(404);
  });
});

describe('Provenance, Practitioner and PractitionerRole', () => {
  it('finds a version\'s Provenance by its versioned target, and every version\'s by the Task alone', async () => {
    const task = await trackerTask(standin, 'fu-find');
    const first = await standin.control.editTask(task.id!, { status: 'in-progress' }, { author: 'Practitioner/1' });
    const second = await standin.control.editTask(task.id!, { status: 'completed' }, { author: 'Practitioner/2' });
    const other = await trackerTask(standin, 'fu-other');
    await standin.control.editTask(other.id!, { status: 'completed' }, { author: 'Practitioner/3' });
    const who = (reply: Reply) => entries(reply).map((resource) => (resource as unknown as Provenance).agent[0]?.who.reference);
    const exact = await call(`${standin.url}/Provenance?target=${encodeURIComponent(`Task/${task.id}/_history/${second.meta!.versionId}`)}`);
    expect([exact.status, who(exact)]).toEqual([200, ['Practitioner/2']]);
    expect(who(await call(`${standin.url}/Provenance?target=Task/${task.id}/_history/${first.meta!.versionId}`))).toEqual(['Practitioner/1']);
    expect(who(await call(`${standin.url}/Provenance?target=Task/${task.id}`)).sort()).toEqual(['Practitioner/1', 'Practitioner/2']);
    expect(who(await call(`${standin.url}/Provenance?target=Task/${task.id}/_history/999`))).toEqual([]);
    const byId = await call(`${standin.url}/Provenance/${String(entries(exact)[0]!.id)}`);
    expect([byId.status, byId.body.resourceType]).toEqual([200, 'Provenance']);
  });

  it('serves the Practitioners and PractitionerRoles the EHR has, by id, valid R4; refuses an invalid one', async () => {
    const remote = connectFhirStandin(standin.url);
    const practitioner = await remote.createPractitioner({ id: '123', identifier: [{ system: NPI, value: '1234567893' }] });
    expect(practitioner.id).toBe('123');
    const role = await standin.control.createPractitionerRole({ practitioner: { reference: 'Practitioner/123' }, identifier: [{ system: 'urn:ehr:roles', value: 'coordinator-7' }] });
    for (const [path, type] of [['Practitioner/123', 'Practitioner'], [`PractitionerRole/${role.id}`, 'PractitionerRole']] as const) {
      const read = await call(`${standin.url}/${path}`);
      expect([read.status, read.body.resourceType]).toEqual([200, type]);
      expect(validateR4(read.body)).toEqual([]);
    }
    expect(entries(await call(`${standin.url}/Practitioner?identifier=${encodeURIComponent(`${NPI}|1234567893`)}`)).map((one) => one.id)).toEqual(['123']);
    expect((await call(`${standin.url}/Practitioner/456`)).status).toBe(404);
    const invalid = await call(`${standin.origin}/_standin/practitioners`, { method: 'POST', body: { identifier: 'not a list' } });
    expect(invalid.status).toBe(422);
    await remote.reset();
    expect((await call(`${standin.url}/Practitioner/123`)).status).toBe(404);
  });

  it('faults a Practitioner, Provenance or delete request by its endpoint alone', async () => {
    const task = await trackerTask(standin, 'fu-faults');
    await standin.control.createPractitioner({ id: '123', identifier: [{ system: NPI, value: '1234567893' }] });
    await standin.control.injectFault({ kind: 'status', status: 403, endpoint: 'practitioner' });
    await standin.control.injectFault({ kind: 'status', status: 503, endpoint: 'provenance', retryAfter: 5 });
    await standin.control.injectFault({ kind: 'status', status: 500, endpoint: 'delete' });
    expect((await call(`${standin.url}/Task/${task.id}`)).status).toBe(200);
    expect((await call(`${standin.url}/Practitioner/123`)).status).toBe(403);
    expect((await call(`${standin.url}/Practitioner/123`)).status).toBe(200);
    expect((await call(`${standin.url}/Provenance?target=Task/${task.id}`)).status).toBe(503);
    expect((await call(`${standin.url}/Task/${task.id}`, { method: 'DELETE' })).status).toBe(500);
    expect(await standin.control.tasks()).toHaveLength(1);
    const logged = (await standin.control.requests()).map((request) => [request.method, request.endpoint, request.status]);
    expect(logged.slice(1)).toEqual([
      ['GET', 'read', 200],
      ['GET', 'practitioner', 403],
      ['GET', 'practitioner', 200],
      ['GET', 'provenance', 503],
      ['DELETE', 'delete', 500],
    ]);
  });
});

describe('a Task deleted in the EHR', () => {
  it('is gone for a read (404, as the engine answers), a search and an update, by the FHIR API or the control', async () => {
    const task = await trackerTask(standin, 'fu-gone');
    const deleted = await call(`${standin.url}/Task/${task.id}`, { method: 'DELETE' });
    expect([deleted.status, deleted.body.resourceType]).toEqual([200, 'OperationOutcome']);
    expect((await call(`${standin.url}/Task/${task.id}`)).status).toBe(404);
    expect(entries(await call(`${standin.url}/Task?identifier=${encodeURIComponent(`${SYSTEM}|fu-gone`)}`))).toEqual([]);
    const update = await call(`${standin.url}/Task/${task.id}`, { method: 'PUT', headers: { 'content-type': 'application/fhir+json', 'if-match': `W/"${task.meta!.versionId}"` }, body: task });
    expect(update.status).toBe(404);
    expect((await call(`${standin.url}/Task/${task.id}`, { method: 'DELETE' })).status).toBe(404);
    const byControl = await trackerTask(standin, 'fu-gone-too');
    expect((await call(`${standin.origin}/local/ehr/Task/${byControl.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`${standin.url}/Task/${byControl.id}`)).status).toBe(404);
    await expect(connectFhirStandin(standin.url).deleteTask(byControl.id!)).rejects.toThrow(/answered 404/);
    expect(await standin.control.tasks()).toEqual([]);
  });
});

describe('the token\'s scopes', () => {
  it('grant SMART v2 and v1 system scopes, a `*` type included, and nothing else', () => {
    expect(DEFAULT_SCOPE).toBe(DEFAULT_FHIR_SCOPE);
    expect(scopeGrants(DEFAULT_SCOPE, 'Practitioner', 'r')).toBe(true);
    expect(scopeGrants(DEFAULT_SCOPE, 'Practitioner', 's')).toBe(false);
    expect(scopeGrants(DEFAULT_SCOPE, 'Provenance', 's')).toBe(true);
    expect(scopeGrants('system/Task.rs system/Task.cu', 'Provenance', 'r')).toBe(false);
    expect(scopeGrants('system/Provenance.read', 'Provenance', 's')).toBe(true);
    expect(scopeGrants('system/*.rs', 'PractitionerRole', 'r')).toBe(true);
    expect(scopeGrants('system/*.cu', 'PractitionerRole', 'r')).toBe(false);
    expect(scopeGrants('patient/Provenance.rs user/Provenance.rs', 'Provenance', 'r')).toBe(false);
  });

  it('answer 403 for a Practitioner or Provenance read the token was not granted, with clients registered', async () => {
    const secured = await startFhirStandin({ clients: [{ clientId: 'tracker', secret: 's3cret' }] });
    try {
      await secured.control.createPractitioner({ id: '123', identifier: [{ system: NPI, value: '1234567893' }] });
      const token = async (scope?: string) => {
        const issued = await call(secured.tokenUrl, { method: 'POST', form: { grant_type: 'client_credentials', client_id: 'tracker', client_secret: 's3cret', ...(scope ? { scope } : {}) } });
        return { authorization: `Bearer ${String(issued.body.access_token)}` };
      };
      const wide = await token();
      expect((await call(`${secured.url}/Practitioner/123`, { headers: wide })).status).toBe(200);
      expect((await call(`${secured.url}/Provenance?target=Task/x`, { headers: wide })).status).toBe(200);
      const listed = await call(`${secured.url}/Practitioner?identifier=x`, { headers: wide });
      expect([listed.status, issueCodes(listed)]).toEqual([403, ['forbidden']]);
      const narrow = await token('system/Task.rs system/Task.cu');
      expect((await call(`${secured.url}/Practitioner/123`, { headers: narrow })).status).toBe(403);
      expect((await call(`${secured.url}/Provenance?target=Task/x`, { headers: narrow })).status).toBe(403);
      expect((await call(`${secured.url}/Task?identifier=x`, { headers: narrow })).status).toBe(200);
      expect((await call(`${secured.url}/Practitioner/123`)).status).toBe(401);
    } finally {
      await secured.stop();
    }
  });
});
