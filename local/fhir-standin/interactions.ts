/**
 * The FHIR interactions of the stand-in FHIR server (local/fhir-standin.ts lists
 * them), once its request path has let a request through: which interaction a
 * request is, the engine's search, read, create, update and delete as HTTP
 * answers (ETag, Location, the two 412s told apart), the checks a server makes
 * before a write (media type, If-Match, R4 validity, an id it assigns itself),
 * and every write serialized through the store's one chain.
 */
import type { IncomingMessage, IncomingHttpHeaders } from 'node:http';
import { getStatus } from '@medplum/core';
import type { FhirRequest, HttpMethod } from '@medplum/fhir-router';
import type { OperationOutcome, Resource, Task } from '@medplum/fhirtypes';
import { ehrEndpointOf, provenanceQuery } from './ehr';
import { FhirStandinAnswer, header, outcome, readResourceBody, refuseInvalid } from './http';
import { pagedSearch } from './paging';
import type { FhirStandinState } from './state';
import { subscriptionEndpointOf } from './subscriptions';
import { FHIR_BASE_PATH, TOKEN_PATH, type FhirStandinEndpoint } from './types';

/** A request's interaction: its endpoint (null: none served), the resource type it names and the id of a read, update or delete. */
export interface FhirRoute {
  endpoint: FhirStandinEndpoint | null;
  type: string;
  id: string | null;
  history?: true;
}

/** One engine request in the making: its URL relative to the base, and the headers it passes on (the token's taken out). */
interface EngineCall {
  method: string;
  relative: string;
  headers: IncomingHttpHeaders;
}

type EngineResult = [OperationOutcome] | [OperationOutcome, Resource] | [OperationOutcome, Resource, unknown];

const weakEtag = (versionId: string | undefined): Record<string, string> => (versionId === undefined ? {} : { etag: `W/"${versionId}"` });

/**
 * Which endpoint a request is, the resource type it names and the id of a read, update or delete.
 * A Task's instance history (`Task/{id}/_history`) is a `read` (SMART's `r` grants it): its faults are a read's.
 */
export function routeOf(method: string, pathname: string): FhirRoute {
  if (pathname === TOKEN_PATH) return { endpoint: method === 'POST' ? 'token' : null, type: '', id: null };
  const match = new RegExp(`^${FHIR_BASE_PATH}/([A-Za-z]{1,64})(?:/([A-Za-z0-9\\-.]{1,64})(/_history)?)?$`).exec(pathname);
  if (!match) return { endpoint: null, type: '', id: null };
  const [, type = '', id = null, history] = match;
  if (history !== undefined) return { endpoint: type === 'Task' && method === 'GET' ? 'read' : null, type, id, history: true };
  if (type === 'Subscription') return { endpoint: subscriptionEndpointOf(method, id), type, id };
  if (type !== 'Task') return { endpoint: method === 'GET' ? ehrEndpointOf(type) : null, type, id };
  if (id === null) return { endpoint: method === 'GET' ? 'search' : method === 'POST' ? 'create' : null, type, id };
  return { endpoint: method === 'GET' ? 'read' : method === 'PUT' ? 'update' : method === 'DELETE' ? 'delete' : null, type, id };
}

/** Answers an interaction with the engine (`duplicate`: a conditional create that, as on a racing server, does not check its condition). */
export async function answerInteraction(state: FhirStandinState, request: IncomingMessage, url: URL, route: FhirRoute, duplicate: boolean): Promise<FhirStandinAnswer> {
  const { endpoint, type } = route;
  if (endpoint === null) return notServed(request, url);
  const id = route.history === true ? `${route.id}/_history` : route.id;
  const search = endpoint === 'provenance' && id === null ? await provenanceQuery(state.store, url.search) : url.search;
  const headers = { ...request.headers };
  delete headers.authorization;
  const call: EngineCall = { method: request.method ?? 'GET', relative: `${type}${id === null ? '' : `/${id}`}${search}`, headers };
  const { store, origin } = state;
  if (endpoint === 'search') {
    const page = await pagedSearch(store.repo, new URL(`${url.pathname}${url.search}`, origin), `${origin}${FHIR_BASE_PATH}`, state.paging);
    return new FhirStandinAnswer(page.status, page.body);
  }
  if (endpoint === 'read' || endpoint === 'practitioner' || endpoint === 'provenance' || (endpoint === 'subscription' && call.method === 'GET')) {
    return answerOf(origin, await engine(state, call));
  }
  if (endpoint === 'delete') return store.serialize(async () => answerOf(origin, await engine(state, call)));
  return answerWrite(state, request, call, route, duplicate);
}

/** 405 for a conditional update (the engine ignores If-Match there: offering it would hide lost updates), else 404. */
function notServed(request: IncomingMessage, url: URL): FhirStandinAnswer {
  if (request.method === 'PUT' && url.pathname === `${FHIR_BASE_PATH}/Task`) {
    return outcome(405, [{ code: 'not-supported', diagnostics: 'conditional update (PUT Task?...) is not offered: read the Task, then PUT Task/{id} with If-Match' }], {
      allow: 'GET, POST',
    });
  }
  return outcome(404, [{ code: 'not-supported', diagnostics: `${request.method ?? 'GET'} ${url.pathname} is not served` }]);
}

function engine(state: FhirStandinState, call: EngineCall, body?: unknown): Promise<EngineResult> {
  const fhirRequest: FhirRequest = { method: call.method as HttpMethod, url: call.relative, pathname: '', body, params: {}, query: {}, headers: call.headers };
  return state.store.router.handleRequest(fhirRequest, state.store.repo);
}

/** A create or update (of a Task or a Subscription): its media type and If-Match checked, then one write at a time. */
async function answerWrite(state: FhirStandinState, request: IncomingMessage, call: EngineCall, route: FhirRoute, duplicate: boolean): Promise<FhirStandinAnswer> {
  const type = (header(request, 'content-type') ?? '').toLowerCase();
  if (!/^application\/(fhir\+)?json\s*(;|$)/.test(type)) {
    return outcome(415, [{ code: 'not-supported', diagnostics: 'the body must be application/fhir+json' }]);
  }
  const ifMatch = header(request, 'if-match');
  if (route.endpoint === 'update' && ifMatch !== null && !/^(W\/)?"[^"]+"$/.test(ifMatch)) {
    // The engine ignores an If-Match it cannot parse; a server must not apply the update then.
    return outcome(400, [{ code: 'invalid', diagnostics: 'If-Match must be an ETag: W/"<versionId>"' }]);
  }
  const body = await readResourceBody(request);
  if (route.endpoint === 'subscription') return state.store.serialize(() => state.subscriptions.create(body));
  return state.store.serialize(() => storeTask(state, call, route, duplicate, body));
}

/** Stores a Task version the API writes (valid R4, its id the server's on create), and logs it. */
async function storeTask(state: FhirStandinState, call: EngineCall, route: FhirRoute, duplicate: boolean, body: unknown): Promise<FhirStandinAnswer> {
  const { store } = state;
  const { endpoint, id } = route;
  refuseInvalid(body);
  const resource = body as Task;
  // A server assigns the id of what it creates (the engine would keep the client's).
  if (endpoint === 'create') delete resource.id;
  if (endpoint === 'update' && state.tagsCarriedForward && resource.resourceType === 'Task') {
    const previous = await store.repo.readResource<Task>('Task', id!).catch(() => null);
    const tag = mergeTags(resource.meta?.tag, previous?.meta?.tag);
    if (tag) resource.meta = { ...resource.meta, tag };
  }
  if (endpoint === 'create' && duplicate) {
    // As a racing server: the second create does not see the first, so the condition is not checked.
    delete call.headers['if-none-exist'];
  }
  const before = endpoint === 'update' ? await store.repo.readResource<Task>('Task', id!).catch(() => null) : null;
  const answer = answerOf(state.origin, await engine(state, call, resource), before);
  const stored = answer.body as Task;
  if ((answer.status === 201 || (endpoint === 'update' && answer.status === 200)) && stored.resourceType === 'Task') store.record(stored, 'api');
  return answer;
}

/** Union of two tag lists by system and code (the new version's first). */
function mergeTags(next: NonNullable<Task['meta']>['tag'], previous: NonNullable<Task['meta']>['tag']): NonNullable<Task['meta']>['tag'] {
  const tags = [...(next ?? [])];
  for (const tag of previous ?? []) if (!tags.some((held) => held.system === tag.system && held.code === tag.code)) tags.push(tag);
  return tags.length > 0 ? tags : undefined;
}

/** The engine's answer as HTTP: its status, ETag and Location, and the 412s told apart. */
function answerOf(origin: string, result: EngineResult, before: Task | null = null): FhirStandinAnswer {
  const [engineOutcome, resource] = result;
  const status = getStatus(engineOutcome);
  if (resource === undefined || status >= 300) {
    if (status === 412 && engineOutcome.id !== 'multiple-matches' && !engineOutcome.issue.some((issue) => issue.code === 'multiple-matches')) {
      // The engine's preconditionFailed says `processing`: name it `conflict`, so a client can tell it from several matches.
      return outcome(412, [{ code: 'conflict', diagnostics: `the Task has moved: it is at version ${before?.meta?.versionId ?? 'unknown'}` }], weakEtag(before?.meta?.versionId));
    }
    if (status === 412) return outcome(412, [{ code: 'multiple-matches', diagnostics: 'several Tasks match the condition' }]);
    return new FhirStandinAnswer(status, engineOutcome);
  }
  const headers: Record<string, string> = { ...weakEtag(resource.meta?.versionId), ...(resource.meta?.lastUpdated ? { 'last-modified': new Date(resource.meta.lastUpdated).toUTCString() } : {}) };
  if (status === 201 && resource.id) headers.location = `${origin}${FHIR_BASE_PATH}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId ?? ''}`;
  return new FhirStandinAnswer(status, resource, headers);
}
