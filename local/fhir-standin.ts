/**
 * A stand-in FHIR R4 server (CONTRACT §13's `npm run fhir-server`), for `npm start`,
 * the simulator and the tests: a node:http server on 127.0.0.1 built on a real FHIR
 * engine (`@medplum/fhir-router`'s FhirRouter over its MemoryRepository: the search,
 * create, update and delete below are the engine's), serving under `/fhir/R4`:
 *
 *   GET  [base]/Task?identifier=system|value   a searchset Bundle, paged as Medplum's server pages
 *        (`_lastUpdated` cursor, or `_offset` behind the `paging` switch: local/fhir-standin-paging.ts)
 *   GET  [base]/Task/{id}                       the Task (ETag: W/"<versionId>"); 404 once deleted
 *   GET  [base]/Task/{id}/_history[?_count=n]   its instance history, newest first, as Medplum's server answers
 *        it (a deleted Task's too: its deletion an entry with no resource, response 410; local/fhir-standin-history.ts)
 *   POST [base]/Task  (If-None-Exist: identifier=system|value)
 *        201 + Location: the new Task; 200: the one Task that matches; 412 `multiple-matches`: several do
 *   PUT  [base]/Task/{id}  (If-Match: W/"<versionId>")
 *        200: updated; 412 `conflict`: the Task moved to another version
 *   DELETE [base]/Task/{id}                     200 (an OperationOutcome); 404 when there is none
 *   GET  [base]/Practitioner/{id}, [base]/PractitionerRole/{id}, [base]/Provenance/{id}, and their searches
 *        (`Provenance?target=Task/{id}/_history/{v}`, or `target=Task/{id}` for every version's)
 *   POST /oauth2/token                          client credentials (local/fhir-standin-token.ts)
 *   GET  [base]/metadata, [base]/.well-known/smart-configuration   discovery (no token needed)
 *   POST [base]/Subscription, GET [base]/Subscription[/{id}]   Subscriptions, honoured after every Task change,
 *        Medplum-style (signed) or HAPI-style (`channel.header`, with or without a payload), sent only to
 *        this machine (local/fhir-standin-subscriptions.ts)
 *
 * It acts as an EHR user too (local/fhir-standin-ehr.ts): `POST /local/ehr/Task/{id}`
 * with a JSON body of the Task's fields to set (null removes one) and an optional
 * `author`, e.g. `{"status": "completed", "author": "Practitioner/123"}`, stores a new
 * version as a person in the EHR would, and names its author as the EHR author style
 * says (`ehrAuthorStyle`: `meta`, the default, sets `meta.author` and stores a
 * Provenance; `provenance` only the Provenance; `none` neither); `DELETE
 * /local/ehr/Task/{id}` deletes it. They are the control surface's editTask and
 * deleteTask (local/fhir-standin-control.ts lists it all, under `/_standin/`).
 *
 * `PUT [base]/Task?identifier=` (conditional update) is answered 405: the engine
 * ignores If-Match there (TOOLCHAIN.md "FHIR facts"), so offering it would hide lost
 * updates. Every write is serialized through one promise chain, which makes the
 * conditional create atomic (the engine's own transaction has no isolation). Every
 * resource written is validated as R4 (local/fhir-validation.ts): an invalid one is
 * answered 422 with an OperationOutcome and nothing is stored (a write's body must
 * be `application/fhir+json` or `application/json`: 415 otherwise). Answers are
 * `application/fhir+json`; errors are OperationOutcomes. When clients are registered
 * every FHIR request needs a bearer token from the token endpoint (401 otherwise),
 * and a read or search of a Practitioner, PractitionerRole or Provenance a token
 * whose scopes grant it (403 otherwise). `meta.lastUpdated` and token expiry follow
 * the `now` option, so a test can run a simulated day. The engine replaces
 * `meta.tag` on update (as Medplum does); `tagsCarriedForward` keeps the previous
 * version's tags (as HAPI does).
 *
 * Faults apply to the next matching requests, first injected first, `times`
 * (default 1) or `'always'`, optionally one `endpoint` ('search' | 'read' |
 * 'create' | 'update' | 'delete' | 'practitioner' | 'provenance' | 'token'):
 * `status` answers that status with an OperationOutcome (429 and 503 with
 * `retryAfter` seconds as Retry-After), before the token is checked, as an outage
 * at the edge would; `delay` hangs `delayMs`, then answers normally; `refuse`
 * answers 400 or 422 with an OperationOutcome of the given issue codes;
 * `duplicate` makes the next conditional create store a second Task with the same
 * identifier, as a racing server would. Control routes are never faulted nor logged.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getStatus, type SearchRequest, type WithId } from '@medplum/core';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, Practitioner, PractitionerRole, Resource, Task } from '@medplum/fhirtypes';
import { ensureR4Indexed } from './fhir-validation';
import { controlRoute, isControlPath } from './fhir-standin-control';
import { discoveryDocument } from './fhir-standin-discovery';
import { createEhrResource, createTask, deleteTask, editTask, ehrEndpointOf, provenanceQuery, provenances } from './fhir-standin-ehr';
import { FHIR_JSON, FhirStandinAnswer, header, outcome, readBody, readResourceBody, refuseInvalid, send } from './fhir-standin-http';
import { TokenIssuer, type FhirStandinClient } from './fhir-standin-token';
import {
  FHIR_BASE_PATH,
  FhirStandinFault,
  FhirStandinSend,
  TOKEN_PATH,
  type EhrAuthorStyle,
  type Fault,
  type FhirStandinControl,
  type FhirStandinEndpoint,
  type FhirStandinRequest,
  type FhirStandinVersion,
} from './fhir-standin-types';
import { listenOnLoopback } from './http-adapter';
import { pagedSearch, pagingOf, type FhirStandinPaging } from './fhir-standin-paging';
import { ResourceHistories } from './fhir-standin-history';
import { SubscriptionHub, subscriptionEndpointOf, type TaskChange } from './fhir-standin-subscriptions';

export type { FhirStandinClient } from './fhir-standin-token';
export { connectFhirStandin } from './fhir-standin-control';
export { FhirStandinAnswer } from './fhir-standin-http';
export * from './fhir-standin-types';

/** A database read's latency, so that unserialized conditional creates would race as on a real server. */
const SEARCH_LATENCY_MS = 10;

export interface FhirStandinOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Registered clients; with any, every FHIR request needs a bearer token. */
  clients?: readonly FhirStandinClient[];
  /** Lifetime of an issued token, in seconds (default 300). */
  expiresIn?: number;
  /** Keep the previous version's meta.tag on update (HAPI-like); default false (Medplum-like). */
  tagsCarriedForward?: boolean;
  /** Where an EHR edit names its author (default `meta`: meta.author and a Provenance, as on Medplum). */
  ehrAuthorStyle?: EhrAuthorStyle;
  /** The clock for meta.lastUpdated and token expiry (default: the system clock). */
  now?: () => Date;
  /** How Task searches page (default: by `_lastUpdated`, as Medplum's server does; local/fhir-standin-paging.ts). */
  paging?: Partial<FhirStandinPaging>;
}

export interface FhirStandin {
  /** The FHIR base URL, e.g. http://127.0.0.1:4020/fhir/R4: use it as FHIR_BASE_URL. */
  url: string;
  /** The token endpoint, e.g. http://127.0.0.1:4020/oauth2/token: FHIR_TOKEN_URL. */
  tokenUrl: string;
  /** http://127.0.0.1:<port> */
  origin: string;
  port: number;
  control: FhirStandinControl;
  stop(): Promise<void>;
}

const answerOfPage = (page: { status: number; body: unknown }): FhirStandinAnswer => new FhirStandinAnswer(page.status, page.body);
const weakEtag = (versionId: string | undefined): Record<string, string> => (versionId === undefined ? {} : { etag: `W/"${versionId}"` });

/**
 * The MemoryRepository on the stand-in's clock, assigning every version's id and time
 * itself (as a server does), and telling `onTaskChange` of every Task stored or deleted
 * (the engine's update is a create of the next version).
 */
class ClockedRepository extends MemoryRepository {
  /** Every version and deletion, for the instance history (the engine's own forgets a deleted resource's). */
  private readonly histories = new ResourceHistories();

  constructor(
    private readonly now: () => Date,
    private readonly onTaskChange: (change: TaskChange) => void,
  ) {
    super();
  }

  /** Every version goes through here (the engine's update creates its new version by this method). */
  override async createResource<T extends Resource>(resource: T): Promise<WithId<T>> {
    const copy = structuredClone(resource);
    const { versionId: _versionId, lastUpdated: _lastUpdated, ...meta } = copy.meta ?? {};
    copy.meta = { ...meta, lastUpdated: this.now().toISOString() };
    const previous = copy.resourceType === 'Task' && copy.id ? await this.readResource<Task>('Task', copy.id).catch(() => undefined) : undefined;
    const stored = await super.createResource(copy);
    this.histories.version(stored);
    if (stored.resourceType === 'Task') this.onTaskChange({ task: structuredClone(stored) as unknown as Task, previous, interaction: previous ? 'update' : 'create' });
    return stored;
  }

  override async deleteResource(resourceType: string, id: string): Promise<void> {
    const previous = resourceType === 'Task' ? await this.readResource<Task>('Task', id) : undefined;
    await super.deleteResource(resourceType, id);
    this.histories.deletion(resourceType, id, this.now());
    if (previous) this.onTaskChange({ task: previous, previous, interaction: 'delete' });
  }

  /** `GET [base]/{type}/{id}/_history` (the router passes `_count` as `limit`): as Medplum's server answers it. */
  override async readHistory<T extends Resource>(resourceType: string, id: string, options: { offset?: number; limit?: number } = {}): Promise<Bundle<T>> {
    return this.histories.bundle<T>(resourceType, id, options);
  }

  /**
   * A search answers after a database read's latency: without the stand-in's one
   * write chain, two conditional creates then both find nothing and both create
   * (the race a real server must close), so its test shows the chain is needed.
   */
  override async search<T extends Resource>(request: SearchRequest<T>): Promise<Bundle<WithId<T>>> {
    const found = await super.search(request);
    await new Promise<void>((resolve) => setTimeout(resolve, SEARCH_LATENCY_MS));
    return found;
  }
}

/** The stored Tasks and version log, the engine, and the one chain every write goes through. */
class FhirStore {
  readonly router = new FhirRouter();
  repo: ClockedRepository;
  readonly log: FhirStandinVersion[] = [];
  readonly faults: Fault[] = [];
  readonly requests: FhirStandinRequest[] = [];
  /** Told of every Task change (the Subscriptions' hook). */
  onTaskChange: (change: TaskChange) => void = () => undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly now: () => Date) {
    this.repo = new ClockedRepository(now, (change) => this.onTaskChange(change));
  }

  /** Runs `write` after every write before it has finished: one write at a time. */
  serialize<T>(write: () => Promise<T>): Promise<T> {
    const run = this.chain.then(write, write);
    this.chain = run.catch(() => undefined);
    return run;
  }

  record(task: Task, by: FhirStandinVersion['by']): void {
    this.log.push({ id: task.id ?? '', versionId: task.meta?.versionId ?? '', at: task.meta?.lastUpdated ?? '', by, resource: structuredClone(task) });
  }

  reset(): void {
    this.repo = new ClockedRepository(this.now, (change) => this.onTaskChange(change));
    this.log.length = 0;
    this.faults.length = 0;
    this.requests.length = 0;
  }

  async tasks(): Promise<Task[]> {
    return this.repo.searchResources<Task>({ resourceType: 'Task' });
  }

  /** The first fault for this endpoint, one of its times used up (`duplicate` only ever for a create). */
  takeFault(endpoint: FhirStandinEndpoint | null, conditionalCreate: boolean): Fault | null {
    const index = this.faults.findIndex((fault) =>
      fault.kind === 'duplicate' ? endpoint === 'create' && conditionalCreate : fault.endpoint === undefined || fault.endpoint === endpoint,
    );
    if (index < 0) return null;
    const fault = this.faults[index]!;
    if (fault.times !== 'always') {
      if (fault.times <= 1) this.faults.splice(index, 1);
      else this.faults[index] = { ...fault, times: fault.times - 1 };
    }
    return fault;
  }
}

/**
 * Which endpoint a request is, the resource type it names and the id of a read, update or delete.
 * A Task's instance history (`Task/{id}/_history`) is a `read` (SMART's `r` grants it): its faults are a read's.
 */
function routeOf(method: string, pathname: string): { endpoint: FhirStandinEndpoint | null; type: string; id: string | null; history?: true } {
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

/** Union of two tag lists by system and code (the new version's first). */
function mergeTags(next: NonNullable<Task['meta']>['tag'], previous: NonNullable<Task['meta']>['tag']): NonNullable<Task['meta']>['tag'] {
  const tags = [...(next ?? [])];
  for (const tag of previous ?? []) if (!tags.some((held) => held.system === tag.system && held.code === tag.code)) tags.push(tag);
  return tags.length > 0 ? tags : undefined;
}

/** Starts the stand-in on 127.0.0.1. */
export async function startFhirStandin(options: FhirStandinOptions = {}): Promise<FhirStandin> {
  ensureR4Indexed();
  const now = options.now ?? (() => new Date());
  const store = new FhirStore(now);
  const tokens = new TokenIssuer(options.clients ?? [], options.expiresIn ?? 300, now);
  const pending = new Set<NodeJS.Timeout>();
  let origin = '';
  let paging = pagingOf(options.paging);
  const subscriptions = new SubscriptionHub({ repo: () => store.repo, baseUrl: () => `${origin}${FHIR_BASE_PATH}` });
  store.onTaskChange = (change) => subscriptions.taskChanged(change);

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof FhirStandinAnswer) return send(response, error);
      if (!response.headersSent) send(response, outcome(500, [{ code: 'exception', diagnostics: 'internal error' }]));
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://standin.invalid');
    if (isControlPath(url.pathname)) return controlRoute(control, request, response, url);
    const method = request.method ?? 'GET';
    const { endpoint, type, id, history } = routeOf(method, url.pathname);
    const record: FhirStandinRequest = {
      method,
      path: `${url.pathname}${url.search}`,
      endpoint,
      status: 0,
      ifMatch: header(request, 'if-match'),
      ifNoneExist: header(request, 'if-none-exist'),
      fault: null,
    };
    store.requests.push(record);
    const reply = (answer: FhirStandinAnswer) => {
      record.status = answer.status;
      send(response, answer, endpoint === 'token' ? 'application/json' : FHIR_JSON);
    };
    try {
      const fault = store.takeFault(endpoint, endpoint === 'create' && record.ifNoneExist !== null);
      record.fault = fault?.kind ?? null;
      if (fault?.kind === 'delay') {
        await hang(fault.delayMs);
        if (response.destroyed) return;
      }
      if (fault?.kind === 'status') return reply(statusFault(fault, endpoint));
      if (fault?.kind === 'refuse') return reply(outcome(fault.status, fault.codes.map((code) => ({ code, diagnostics: `injected refusal: ${code}` }))));
      if (endpoint === 'token') return reply(await token(request));
      const discovery = method === 'GET' ? discoveryDocument(url.pathname, origin) : null;
      if (discovery) return reply(new FhirStandinAnswer(200, discovery));
      const authorization = header(request, 'authorization') ?? undefined;
      if (tokens.required && !tokens.accepts(authorization)) {
        return reply(outcome(401, [{ code: 'login', diagnostics: 'a valid bearer token is required' }], { 'www-authenticate': 'Bearer realm="fhir-standin"' }));
      }
      const interaction = id === null ? 's' : 'r';
      if (tokens.required && (endpoint === 'practitioner' || endpoint === 'provenance') && !tokens.grants(authorization, type, interaction)) {
        return reply(outcome(403, [{ code: 'forbidden', diagnostics: `the token's scopes do not grant system/${type}.${interaction}` }]));
      }
      reply(await fhir(request, url, endpoint, history === true ? `${id}/_history` : id, fault?.kind === 'duplicate', type));
    } catch (error) {
      if (error instanceof FhirStandinAnswer) return reply(error);
      throw error;
    }
  }

  function hang(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        pending.delete(timer);
        resolve();
      }, ms);
      pending.add(timer);
    });
  }

  function statusFault(fault: Extract<Fault, { kind: 'status' }>, endpoint: FhirStandinEndpoint | null): FhirStandinAnswer {
    const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) };
    if (endpoint === 'token') {
      const error = fault.status === 401 ? 'invalid_client' : fault.status === 400 ? 'invalid_request' : 'temporarily_unavailable';
      return new FhirStandinAnswer(fault.status, { error, error_description: `injected status ${fault.status}` }, headers);
    }
    const code = fault.status === 401 ? 'login' : fault.status === 403 ? 'forbidden' : fault.status === 429 ? 'throttled' : fault.status >= 500 ? 'transient' : 'processing';
    return outcome(fault.status, [{ code, diagnostics: `injected status ${fault.status}` }], headers);
  }

  async function token(request: IncomingMessage): Promise<FhirStandinAnswer> {
    const type = header(request, 'content-type') ?? '';
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return new FhirStandinAnswer(400, { error: 'invalid_request', error_description: 'the body must be application/x-www-form-urlencoded' });
    }
    const form = new URLSearchParams(await readBody(request));
    const answer = await tokens.answer(form, header(request, 'authorization') ?? undefined, `${origin}${TOKEN_PATH}`);
    return new FhirStandinAnswer(answer.status, answer.body, answer.headers);
  }

  async function fhir(request: IncomingMessage, url: URL, endpoint: FhirStandinEndpoint | null, id: string | null, duplicate: boolean, resourceType = 'Task'): Promise<FhirStandinAnswer> {
    if (endpoint === null) {
      if (request.method === 'PUT' && url.pathname === `${FHIR_BASE_PATH}/Task`) {
        return outcome(405, [{ code: 'not-supported', diagnostics: 'conditional update (PUT Task?...) is not offered: read the Task, then PUT Task/{id} with If-Match' }], {
          allow: 'GET, POST',
        });
      }
      return outcome(404, [{ code: 'not-supported', diagnostics: `${request.method ?? 'GET'} ${url.pathname} is not served` }]);
    }
    const search = endpoint === 'provenance' && id === null ? await provenanceQuery(store, url.search) : url.search;
    const relative = `${resourceType}${id === null ? '' : `/${id}`}${search}`;
    const headers = { ...request.headers };
    delete headers.authorization;
    const fhirRequest = (body: unknown): FhirRequest => ({ method: (request.method ?? 'GET') as HttpMethod, url: relative, pathname: '', body, params: {}, query: {}, headers });
    if (endpoint === 'search') return answerOfPage(await pagedSearch(store.repo, new URL(`${url.pathname}${url.search}`, origin), `${origin}${FHIR_BASE_PATH}`, paging));
    if (endpoint === 'read') return answerOf(await store.router.handleRequest(fhirRequest(undefined), store.repo));
    if (endpoint === 'practitioner' || endpoint === 'provenance' || (endpoint === 'subscription' && request.method === 'GET')) return answerOf(await store.router.handleRequest(fhirRequest(undefined), store.repo));
    if (endpoint === 'delete') return store.serialize(async () => answerOf(await store.router.handleRequest(fhirRequest(undefined), store.repo)));
    const type = (header(request, 'content-type') ?? '').toLowerCase();
    if (!/^application\/(fhir\+)?json\s*(;|$)/.test(type)) {
      return outcome(415, [{ code: 'not-supported', diagnostics: 'the body must be application/fhir+json' }]);
    }
    const ifMatch = header(request, 'if-match');
    if (endpoint === 'update' && ifMatch !== null && !/^(W\/)?"[^"]+"$/.test(ifMatch)) {
      // The engine ignores an If-Match it cannot parse; a server must not apply the update then.
      return outcome(400, [{ code: 'invalid', diagnostics: 'If-Match must be an ETag: W/"<versionId>"' }]);
    }
    const body = await readResourceBody(request);
    if (endpoint === 'subscription') return store.serialize(() => subscriptions.create(body));
    return store.serialize(async () => {
      refuseInvalid(body);
      const resource = body as Task;
      // A server assigns the id of what it creates (the engine would keep the client's).
      if (endpoint === 'create') delete resource.id;
      if (endpoint === 'update' && options.tagsCarriedForward && resource.resourceType === 'Task') {
        const previous = await store.repo.readResource<Task>('Task', id!).catch(() => null);
        const tag = mergeTags(resource.meta?.tag, previous?.meta?.tag);
        if (tag) resource.meta = { ...resource.meta, tag };
      }
      if (endpoint === 'create' && duplicate) {
        // As a racing server: the second create does not see the first, so the condition is not checked.
        delete headers['if-none-exist'];
      }
      const before = endpoint === 'update' ? await store.repo.readResource<Task>('Task', id!).catch(() => null) : null;
      const answer = answerOf(await store.router.handleRequest(fhirRequest(resource), store.repo), before);
      const stored = answer.body as Task;
      if ((answer.status === 201 || (endpoint === 'update' && answer.status === 200)) && stored.resourceType === 'Task') store.record(stored, 'api');
      return answer;
    });
  }

  /** The engine's answer as HTTP: its status, ETag and Location, and the 412s told apart. */
  function answerOf(result: [OperationOutcome] | [OperationOutcome, Resource] | [OperationOutcome, Resource, unknown], before: Task | null = null): FhirStandinAnswer {
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

  let authorStyle: EhrAuthorStyle = options.ehrAuthorStyle ?? 'meta';
  const control: FhirStandinControl = {
    reset: async () => {
      await store.serialize(async () => {
        store.reset();
        subscriptions.reset();
        tokens.reset();
        authorStyle = options.ehrAuthorStyle ?? 'meta';
      });
    },
    injectFault: async (fault) => {
      store.faults.push(FhirStandinFault.parse(fault));
    },
    clearFaults: async () => {
      store.faults.length = 0;
    },
    versions: async () => structuredClone(store.log),
    tasks: () => store.tasks(),
    createTask: (task) => createTask(store, task),
    editTask: (id, patch, edit = {}) => editTask(store, id, patch, edit, authorStyle),
    deleteTask: (id) => deleteTask(store, id),
    createPractitioner: (practitioner) => createEhrResource<Practitioner>(store, 'Practitioner', practitioner),
    createPractitionerRole: (role) => createEhrResource<PractitionerRole>(store, 'PractitionerRole', role),
    provenances: () => provenances(store),
    setEhrAuthorStyle: async (style) => {
      authorStyle = style;
    },
    requests: async () => store.requests.map((entry) => ({ ...entry })),
    clearRequests: async () => {
      store.requests.length = 0;
    },
    setPaging: async (next) => {
      paging = pagingOf({ ...paging, ...next });
    },
    subscriptions: () => subscriptions.subscriptions(),
    notifications: async () => subscriptions.notifications(),
    sendNotification: (send) => subscriptions.send(FhirStandinSend.parse(send)),
  };

  const port = await listenOnLoopback(server, options.port ?? 0);
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}${FHIR_BASE_PATH}`,
    tokenUrl: `${origin}${TOKEN_PATH}`,
    origin,
    port,
    control,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of pending) clearTimeout(timer);
        pending.clear();
        subscriptions.stop();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A fresh id for tests and demos (a follow-up id look-alike). */
export const freshFhirId = (): string => randomBytes(8).toString('hex');
