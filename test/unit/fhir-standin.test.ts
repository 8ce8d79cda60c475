/**
 * The stand-in FHIR server (local/fhir-standin.ts, CONTRACT §13): the engine's
 * search, conditional create and If-Match update as a client meets them over HTTP,
 * made atomic and strict where the engine alone is not (TOOLCHAIN.md "FHIR facts"):
 * one Task under 20 concurrent conditional creates, 412 `conflict` apart from 412
 * `multiple-matches`, R4 validation that stores nothing invalid, an append-only
 * version log, the token endpoint's three client authentications, and every fault.
 * No DynamoDB: a unit file. The R4 definitions are indexed once, in beforeAll.
 */
import { generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_FHIR_SCOPE } from '../../functions/fhir/client/settings';
import { connectFhirStandin, startFhirStandin, type FhirStandin } from '../../local/fhir-standin';
import { JWT_BEARER } from '../../local/fhir-standin/token';
import { validateR4 } from '../../local/fhir-validation';

const SYSTEM = 'urn:redraw-tracker:follow-up';

/** A Task as the tracker writes it (CONTRACT §13), for follow-up `followUpId`. */
function trackerTask(followUpId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    resourceType: 'Task',
    identifier: [{ system: SYSTEM, value: followUpId }],
    status: 'ready',
    intent: 'order',
    priority: 'routine',
    code: { coding: [{ system: 'urn:redraw-tracker/task', code: 'redraw-follow-up' }] },
    authoredOn: '2026-11-20T09:00:00.000Z',
    lastModified: '2026-11-20T09:00:00.000Z',
    extension: [{ url: 'urn:redraw-tracker/follow-up-version', valueInteger: 1 }],
    ...overrides,
  };
}

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** A request to the stand-in, its JSON answer read. */
async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown; form?: Record<string, string> } = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  let body: string | undefined;
  if (init.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(init.form).toString();
  } else if (init.body !== undefined) {
    headers['content-type'] = 'application/fhir+json';
    body = JSON.stringify(init.body);
  }
  const response = await fetch(url, { method: init.method ?? 'GET', headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

const issueCodes = (reply: Reply) => (reply.body.issue as { code: string }[] | undefined)?.map((issue) => issue.code);
const versionOf = (reply: Reply) => (reply.body.meta as { versionId: string }).versionId;

function create(standin: FhirStandin, followUpId: string, overrides: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Reply> {
  return call(`${standin.url}/Task`, { method: 'POST', headers: { 'if-none-exist': `identifier=${SYSTEM}|${followUpId}`, ...headers }, body: trackerTask(followUpId, overrides) });
}

function update(standin: FhirStandin, id: string, versionId: string, task: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Reply> {
  return call(`${standin.url}/Task/${id}`, { method: 'PUT', headers: { 'if-match': `W/"${versionId}"`, ...headers }, body: { ...task, id } });
}

function search(standin: FhirStandin, followUpId: string, headers: Record<string, string> = {}): Promise<Reply> {
  return call(`${standin.url}/Task?identifier=${encodeURIComponent(`${SYSTEM}|${followUpId}`)}`, { headers });
}

let standin: FhirStandin;
beforeAll(async () => {
  // The first start indexes the R4 definitions (1-2 s); later ones reuse them.
  standin = await startFhirStandin();
});
afterAll(async () => {
  await standin.stop();
});
beforeEach(async () => {
  await standin.control.reset();
});

describe('Task search, read, conditional create and If-Match update', () => {
  it('creates one Task under 20 concurrent conditional creates of one identifier (201 once, 200 for the rest, one id)', async () => {
    const replies = await Promise.all(Array.from({ length: 20 }, () => create(standin, 'fu-race')));
    expect(replies.map((reply) => reply.status).sort()).toEqual([...Array<number>(19).fill(200), 201].sort());
    expect(new Set(replies.map((reply) => reply.body.id)).size).toBe(1);
    expect(await standin.control.tasks()).toHaveLength(1);
    expect(await standin.control.versions()).toHaveLength(1);
  });

  it('answers FHIR JSON with ETag and Location on create, finds the Task by identifier and reads it by id', async () => {
    const created = await create(standin, 'fu-1');
    expect(created.status).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    const id = String(created.body.id);
    expect(created.headers.get('etag')).toBe(`W/"${versionOf(created)}"`);
    expect(created.headers.get('location')).toBe(`${standin.url}/Task/${id}/_history/${versionOf(created)}`);
    const found = await search(standin, 'fu-1');
    expect(found.body).toMatchObject({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { id } }] });
    expect((await search(standin, 'fu-other')).body.entry).toBeUndefined();
    const read = await call(`${standin.url}/Task/${id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe(`W/"${versionOf(created)}"`);
    expect((await call(`${standin.url}/Task/no-such-task`)).status).toBe(404);
  });

  it('refuses a write whose body is not FHIR JSON (415)', async () => {
    const response = await fetch(`${standin.url}/Task`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify(trackerTask('fu-text')) });
    expect(response.status).toBe(415);
    expect(await standin.control.tasks()).toEqual([]);
  });

  it('ignores a client-assigned id on create, as a server assigns its own', async () => {
    const created = await create(standin, 'fu-id', { id: 'mine' });
    expect(created.status).toBe(201);
    expect(created.body.id).not.toBe('mine');
  });

  it('updates with the current If-Match and answers 412 `conflict` when the version moved, storing nothing', async () => {
    const created = await create(standin, 'fu-2');
    const id = String(created.body.id);
    const moved = await update(standin, id, versionOf(created), trackerTask('fu-2', { status: 'in-progress' }));
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).toBe(`W/"${versionOf(moved)}"`);
    const stale = await update(standin, id, versionOf(created), trackerTask('fu-2', { status: 'completed' }));
    expect(stale.status).toBe(412);
    expect(issueCodes(stale)).toEqual(['conflict']);
    expect((await standin.control.versions()).map((version) => version.resource.status)).toEqual(['ready', 'in-progress']);
  });

  it('refuses an If-Match that is no ETag (400) and conditional update by identifier (405)', async () => {
    const created = await create(standin, 'fu-3');
    const id = String(created.body.id);
    const bare = await call(`${standin.url}/Task/${id}`, { method: 'PUT', headers: { 'if-match': 'nope' }, body: { ...trackerTask('fu-3'), id } });
    expect(bare.status).toBe(400);
    const conditional = await call(`${standin.url}/Task?identifier=${SYSTEM}|fu-3`, { method: 'PUT', headers: { 'if-match': `W/"${versionOf(created)}"` }, body: trackerTask('fu-3') });
    expect(conditional.status).toBe(405);
    expect(issueCodes(conditional)).toEqual(['not-supported']);
    expect(await standin.control.versions()).toHaveLength(1);
  });

  it('after a `duplicate` fault holds two Tasks for one identifier, and a conditional create answers 412 `multiple-matches`', async () => {
    await create(standin, 'fu-dup');
    await standin.control.injectFault({ kind: 'duplicate' });
    const second = await create(standin, 'fu-dup');
    expect(second.status).toBe(201);
    expect((await search(standin, 'fu-dup')).body.entry).toHaveLength(2);
    const third = await create(standin, 'fu-dup');
    expect(third.status).toBe(412);
    expect(issueCodes(third)).toEqual(['multiple-matches']);
    expect(await standin.control.tasks()).toHaveLength(2);
  });

  it('refuses an invalid Task with 422 and an OperationOutcome, and stores nothing', async () => {
    const refused = await create(standin, 'fu-bad', { status: 'snoozed' });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'code-invalid', expression: ['Task.status'] }] });
    const { intent: _intent, ...withoutIntent } = trackerTask('fu-bad');
    const missing = await call(`${standin.url}/Task`, { method: 'POST', body: withoutIntent });
    expect(missing.status).toBe(422);
    expect(issueCodes(missing)).toEqual(['required']);
    expect(await standin.control.tasks()).toEqual([]);
    const created = await create(standin, 'fu-good');
    const inverted = await update(standin, String(created.body.id), versionOf(created), trackerTask('fu-good', { executionPeriod: { start: '2026-11-22T00:00:00Z', end: '2026-11-21T00:00:00Z' } }));
    expect(inverted.status).toBe(422);
    expect(issueCodes(inverted)).toEqual(['invariant']);
    expect((await call(`${standin.url}/Task`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' } })).status).toBe(400);
    expect(await standin.control.versions()).toHaveLength(1);
  });
});

describe('the version log and the EHR', () => {
  it('keeps every stored version oldest first, as copies, the EHR edits among them', async () => {
    const created = await create(standin, 'fu-log');
    const id = String(created.body.id);
    const second = await update(standin, id, versionOf(created), trackerTask('fu-log', { status: 'in-progress' }));
    const edited = await standin.control.editTask(id, { status: 'on-hold', priority: null });
    expect(edited.priority).toBeUndefined();
    const stale = await update(standin, id, versionOf(second), trackerTask('fu-log', { status: 'completed' }));
    expect(issueCodes(stale)).toEqual(['conflict']);
    const third = await update(standin, id, edited.meta!.versionId!, trackerTask('fu-log', { status: 'completed' }));
    const versions = await standin.control.versions();
    expect(versions.map(({ id: taskId, versionId, by, resource }) => ({ taskId, versionId, by, status: resource.status }))).toEqual([
      { taskId: id, versionId: versionOf(created), by: 'api', status: 'ready' },
      { taskId: id, versionId: versionOf(second), by: 'api', status: 'in-progress' },
      { taskId: id, versionId: edited.meta!.versionId, by: 'ehr', status: 'on-hold' },
      { taskId: id, versionId: versionOf(third), by: 'api', status: 'completed' },
    ]);
    versions[0]!.resource.status = 'failed';
    expect((await standin.control.versions())[0]!.resource.status).toBe('ready');
    await expect(standin.control.editTask(id, { status: 'snoozed' as 'ready' })).rejects.toMatchObject({ status: 422 });
    expect(await standin.control.versions()).toHaveLength(4);
  });

  it('stamps meta.lastUpdated with its clock and, with tagsCarriedForward, keeps the tags on update', async () => {
    let now = new Date('2026-03-01T08:00:00.000Z');
    const hapi = await startFhirStandin({ now: () => now, tagsCarriedForward: true });
    try {
      const tag = { system: 'urn:ehr:tags', code: 'triage' };
      const created = await create(hapi, 'fu-tag', { meta: { tag: [tag] } });
      expect((created.body.meta as { lastUpdated: string }).lastUpdated).toBe('2026-03-01T08:00:00.000Z');
      now = new Date('2026-03-01T20:00:00.000Z');
      const updated = await update(hapi, String(created.body.id), versionOf(created), trackerTask('fu-tag'));
      expect(updated.body.meta).toMatchObject({ tag: [tag], lastUpdated: '2026-03-01T20:00:00.000Z' });
      expect((await hapi.control.versions()).map((version) => version.at)).toEqual(['2026-03-01T08:00:00.000Z', '2026-03-01T20:00:00.000Z']);
    } finally {
      await hapi.stop();
    }
    const created = await create(standin, 'fu-tag', { meta: { tag: [{ system: 'urn:ehr:tags', code: 'triage' }] } });
    const updated = await update(standin, String(created.body.id), versionOf(created), trackerTask('fu-tag'));
    expect((updated.body.meta as { tag?: unknown }).tag).toBeUndefined();
  });
});

describe('faults', () => {
  it('answers an injected status with an OperationOutcome and Retry-After, before the token check, `times` then normal', async () => {
    await standin.control.injectFault({ kind: 'status', status: 429, retryAfter: 7, times: 2 });
    for (const _ of [1, 2]) {
      const throttled = await search(standin, 'fu-x');
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('7');
      expect(issueCodes(throttled)).toEqual(['throttled']);
    }
    expect((await search(standin, 'fu-x')).status).toBe(200);
    for (const [status, code] of [
      [500, 'transient'],
      [502, 'transient'],
      [503, 'transient'],
      [401, 'login'],
      [403, 'forbidden'],
    ] as const) {
      await standin.control.injectFault({ kind: 'status', status });
      const reply = await search(standin, 'fu-x');
      expect([reply.status, issueCodes(reply)]).toEqual([status, [code]]);
    }
  });

  it('limits a fault to its endpoint, takes the first injected first, and keeps an `always` one until cleared', async () => {
    await standin.control.injectFault({ kind: 'status', status: 503, endpoint: 'create' });
    await standin.control.injectFault({ kind: 'refuse', codes: ['business-rule', 'code-invalid'], endpoint: 'create' });
    expect((await search(standin, 'fu-y')).status).toBe(200);
    expect((await create(standin, 'fu-y')).status).toBe(503);
    const refused = await create(standin, 'fu-y');
    expect([refused.status, issueCodes(refused)]).toEqual([422, ['business-rule', 'code-invalid']]);
    expect(await standin.control.tasks()).toEqual([]);
    await standin.control.injectFault({ kind: 'refuse', status: 400, endpoint: 'update', times: 'always' });
    const created = await create(standin, 'fu-y');
    for (const _ of [1, 2]) expect((await update(standin, String(created.body.id), versionOf(created), trackerTask('fu-y'))).status).toBe(400);
    await standin.control.clearFaults();
    expect((await update(standin, String(created.body.id), versionOf(created), trackerTask('fu-y'))).status).toBe(200);
  });

  it('hangs for a `delay`, then answers normally', async () => {
    await standin.control.injectFault({ kind: 'delay', delayMs: 300, endpoint: 'read' });
    const created = await create(standin, 'fu-slow');
    const started = Date.now();
    const read = await call(`${standin.url}/Task/${String(created.body.id)}`);
    expect(read.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('logs each FHIR request with its status and conditions, never control routes, and is driven from another process alike', async () => {
    const remote = connectFhirStandin(standin.url);
    await remote.injectFault({ kind: 'status', status: 502, endpoint: 'search' });
    const created = await create(standin, 'fu-log', {}, { authorization: 'Bearer not-logged' });
    await update(standin, String(created.body.id), versionOf(created), trackerTask('fu-log'));
    await search(standin, 'fu-log');
    expect(await remote.requests()).toEqual([
      { method: 'POST', path: '/fhir/R4/Task', endpoint: 'create', status: 201, ifMatch: null, ifNoneExist: `identifier=${SYSTEM}|fu-log`, fault: null },
      { method: 'PUT', path: `/fhir/R4/Task/${String(created.body.id)}`, endpoint: 'update', status: 200, ifMatch: `W/"${versionOf(created)}"`, ifNoneExist: null, fault: null },
      { method: 'GET', path: `/fhir/R4/Task?identifier=${encodeURIComponent(`${SYSTEM}|fu-log`)}`, endpoint: 'search', status: 502, ifMatch: null, ifNoneExist: null, fault: 'status' },
    ]);
    expect(JSON.stringify(await remote.requests())).not.toContain('not-logged');
    const edited = await remote.editTask(String(created.body.id), { status: 'on-hold' });
    expect(edited.status).toBe('on-hold');
    expect((await remote.versions()).map((version) => version.by)).toEqual(['api', 'api', 'ehr']);
    expect((await remote.tasks()).map((task) => task.status)).toEqual(['on-hold']);
    const made = await remote.createTask(trackerTask('fu-ehr') as never);
    expect(made.id).toEqual(expect.any(String));
    await remote.clearRequests();
    expect(await remote.requests()).toEqual([]);
    await remote.reset();
    expect(await remote.tasks()).toEqual([]);
  });
});

describe('the token endpoint', () => {
  const clientSecret = 's3cret/with:odd chars';
  let now = new Date('2026-06-01T12:00:00.000Z');
  let secured: FhirStandin;
  let rsa: { publicKey: CryptoKey; privateKey: CryptoKey };
  let ec: { publicKey: CryptoKey; privateKey: CryptoKey };

  beforeAll(async () => {
    [rsa, ec] = await Promise.all([generateKeyPair('RS384'), generateKeyPair('ES384')]);
    secured = await startFhirStandin({
      now: () => now,
      expiresIn: 120,
      clients: [
        { clientId: 'tracker', secret: clientSecret },
        { clientId: 'tracker-rsa', publicKey: rsa.publicKey },
        { clientId: 'tracker-ec', publicKey: ec.publicKey },
      ],
    });
  });
  afterAll(async () => {
    await secured.stop();
  });

  function assertion(clientId: string, key: CryptoKey, alg: string, claims: { jti?: string; aud?: string; exp?: number } = {}): Promise<string> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg, kid: 'k1', typ: 'JWT' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(claims.aud ?? secured.tokenUrl)
      .setIssuedAt(issuedAt)
      .setExpirationTime(claims.exp ?? issuedAt + 300)
      .setJti(claims.jti ?? crypto.randomUUID())
      .sign(key);
  }

  const withAssertion = (jwt: string) => call(secured.tokenUrl, { method: 'POST', form: { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: jwt } });
  const bearer = (reply: Reply) => ({ authorization: `Bearer ${String(reply.body.access_token)}` });

  it('issues a token for client_secret_basic and client_secret_post, and FHIR requests need one', async () => {
    expect((await search(secured, 'fu-a')).status).toBe(401);
    const basic = await call(secured.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`tracker:${encodeURIComponent(clientSecret)}`).toString('base64')}` },
      form: { grant_type: 'client_credentials', scope: 'system/Task.rs' },
    });
    expect(basic).toMatchObject({ status: 200, body: { token_type: 'bearer', expires_in: 120, scope: 'system/Task.rs', access_token: expect.any(String) } });
    const unauthorized = await search(secured, 'fu-a', { authorization: 'Bearer made-up' });
    expect([unauthorized.status, issueCodes(unauthorized)]).toEqual([401, ['login']]);
    expect((await search(secured, 'fu-a', bearer(basic))).status).toBe(200);
    const post = await call(secured.tokenUrl, { method: 'POST', form: { grant_type: 'client_credentials', client_id: 'tracker', client_secret: clientSecret } });
    // Asked for none: CONTRACT §13's default scope, the tracker's own default.
    expect(post.body.scope).toBe(DEFAULT_FHIR_SCOPE);
    expect((await search(secured, 'fu-a', bearer(post))).status).toBe(200);
    const wrong = await call(secured.tokenUrl, { method: 'POST', form: { grant_type: 'client_credentials', client_id: 'tracker', client_secret: 'guess' } });
    expect([wrong.status, wrong.body.error]).toEqual([401, 'invalid_client']);
    const grant = await call(secured.tokenUrl, { method: 'POST', form: { grant_type: 'password', client_id: 'tracker', client_secret: clientSecret } });
    expect([grant.status, grant.body.error]).toEqual([400, 'unsupported_grant_type']);
    const logged = JSON.stringify(await secured.control.requests());
    expect(logged).not.toContain(String(basic.body.access_token));
    expect(logged).not.toContain('s3cret');
  });

  it('issues a token for an RS384 or ES384 private_key_jwt assertion, and refuses a replayed jti or another audience', async () => {
    const rs = await withAssertion(await assertion('tracker-rsa', rsa.privateKey, 'RS384'));
    expect(rs.status).toBe(200);
    expect((await search(secured, 'fu-b', bearer(rs))).status).toBe(200);
    const jwt = await assertion('tracker-ec', ec.privateKey, 'ES384', { jti: 'once' });
    expect((await withAssertion(jwt)).status).toBe(200);
    const replayed = await withAssertion(jwt);
    expect([replayed.status, replayed.body.error]).toEqual([401, 'invalid_client']);
    expect((await withAssertion(await assertion('tracker-ec', ec.privateKey, 'ES384', { aud: `${secured.origin}/elsewhere` }))).status).toBe(401);
    // Signed with another client's key.
    expect((await withAssertion(await assertion('tracker-ec', rsa.privateKey, 'RS384'))).status).toBe(401);
    // Expired by the stand-in's clock.
    expect((await withAssertion(await assertion('tracker-rsa', rsa.privateKey, 'RS384', { exp: Math.floor(now.getTime() / 1000) - 60 }))).status).toBe(401);
  });

  it('names its token endpoint in the CapabilityStatement and SMART configuration, both valid and public', async () => {
    const metadata = await call(`${secured.url}/metadata`);
    expect(metadata.status).toBe(200);
    expect(validateR4(metadata.body)).toEqual([]);
    expect(JSON.stringify(metadata.body)).toContain(`"valueUri":"${secured.tokenUrl}"`);
    const smart = await call(`${secured.url}/.well-known/smart-configuration`);
    expect(smart.body).toMatchObject({ token_endpoint: secured.tokenUrl, token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'] });
  });

  it('answers 401 once a token has expired by its clock', async () => {
    const issued = await call(secured.tokenUrl, { method: 'POST', form: { grant_type: 'client_credentials', client_id: 'tracker', client_secret: clientSecret } });
    now = new Date(now.getTime() + 119_000);
    expect((await search(secured, 'fu-c', bearer(issued))).status).toBe(200);
    now = new Date(now.getTime() + 1_000);
    expect((await search(secured, 'fu-c', bearer(issued))).status).toBe(401);
  });

  it('answers an injected fault on the token endpoint with an OAuth error', async () => {
    await secured.control.injectFault({ kind: 'status', status: 503, retryAfter: 30, endpoint: 'token' });
    const unavailable = await call(secured.tokenUrl, { method: 'POST', form: { grant_type: 'client_credentials', client_id: 'tracker', client_secret: clientSecret } });
    expect([unavailable.status, unavailable.body.error, unavailable.headers.get('retry-after')]).toEqual([503, 'temporarily_unavailable', '30']);
  });
});
