/**
 * A stand-in FHIR R4 server (CONTRACT §13's `npm run fhir-server`), for `npm start`,
 * the simulator and the tests: a node:http server on 127.0.0.1 built on a real FHIR
 * engine (`@medplum/fhir-router`'s FhirRouter over its MemoryRepository: the search,
 * create and update below are the engine's), serving under `/fhir/R4`:
 *
 *   GET  [base]/Task?identifier=system|value   a searchset Bundle, paged as Medplum's server pages
 *        (`_lastUpdated` cursor, or `_offset` behind the `paging` switch: local/fhir-standin-paging.ts)
 *   GET  [base]/Task/{id}                       the Task (ETag: W/"<versionId>")
 *   POST [base]/Task  (If-None-Exist: identifier=system|value)
 *        201 + Location: the new Task; 200: the one Task that matches; 412 `multiple-matches`: several do
 *   PUT  [base]/Task/{id}  (If-Match: W/"<versionId>")
 *        200: updated; 412 `conflict`: the Task moved to another version
 *   POST /oauth2/token                          client credentials (local/fhir-standin-token.ts)
 *   GET  [base]/metadata, [base]/.well-known/smart-configuration   discovery (no token needed)
 *
 * `PUT [base]/Task?identifier=` (conditional update) is answered 405: the engine
 * ignores If-Match there (TOOLCHAIN.md "FHIR facts"), so offering it would hide lost
 * updates. Every write is serialized through one promise chain, which makes the
 * conditional create atomic (the engine's own transaction has no isolation). Every
 * resource written is validated as R4 (local/fhir-validation.ts): an invalid one is
 * answered 422 with an OperationOutcome and nothing is stored (a write's body must
 * be `application/fhir+json` or `application/json`: 415 otherwise). Answers are
 * `application/fhir+json`; errors are OperationOutcomes. When clients are registered
 * every FHIR request needs a bearer token from the token endpoint (401 otherwise).
 * `meta.lastUpdated` and token expiry follow the `now` option, so a test can run a
 * simulated day. The engine replaces `meta.tag` on update (as Medplum does);
 * `tagsCarriedForward` keeps the previous version's tags (as HAPI does).
 *
 * Control surface, in-process (`control`) and from another process
 * (`connectFhirStandin`, over these routes, which are never faulted nor logged):
 *
 *   reset()                 POST   /_standin/reset      drops Tasks, versions, faults, requests and tokens -> 204
 *   injectFault(fault)      POST   /_standin/faults     body: a FhirStandinFault -> 204
 *   clearFaults()           DELETE /_standin/faults     -> 204
 *   versions()              GET    /_standin/versions   -> {versions: [...]} every version stored, oldest first
 *   tasks()                 GET    /_standin/tasks      -> {tasks: [...]} each Task as it is now
 *   createTask(task)        POST   /_standin/tasks      a Task someone made in the EHR -> 201 {task}
 *   editTask(id, patch)     POST   /_standin/tasks/{id}/edit  a person's change in the EHR -> 200 {task}
 *   requests()              GET    /_standin/requests   -> {requests: [...]} FHIR and token requests, oldest first
 *   clearRequests()         DELETE /_standin/requests   -> 204
 *   setPaging(paging)       POST   /_standin/paging     body: {by?: 'lastUpdated' | 'offset', maxCount?} -> 204
 *
 * Faults apply to the next matching requests, first injected first, `times`
 * (default 1) or `'always'`, optionally one `endpoint` ('search' | 'read' |
 * 'create' | 'update' | 'token'): `status` answers that status with an
 * OperationOutcome (429 and 503 with `retryAfter` seconds as Retry-After), before
 * the token is checked, as an outage at the edge would; `delay` hangs `delayMs`,
 * then answers normally; `refuse` answers 400 or 422 with an OperationOutcome of
 * the given issue codes; `duplicate` makes the next conditional create store a
 * second Task with the same identifier, as a racing server would.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { getStatus, type SearchRequest, type WithId } from '@medplum/core';
import { FhirRouter, MemoryRepository, type FhirRequest, type HttpMethod } from '@medplum/fhir-router';
import type { Bundle, OperationOutcome, OperationOutcomeIssue, Resource, Task } from '@medplum/fhirtypes';
import * as z from 'zod';
import { ensureR4Indexed, r4Problems } from './fhir-validation';
import { TokenIssuer, type FhirStandinClient } from './fhir-standin-token';
import { listenOnLoopback, readBodyWithin } from './http-adapter';
import { pagedSearch, pagingOf, type FhirStandinPaging } from './fhir-standin-paging';

export type { FhirStandinClient } from './fhir-standin-token';

/** The FHIR base URL's path on the stand-in. */
export const FHIR_BASE_PATH = '/fhir/R4';
export const TOKEN_PATH = '/oauth2/token';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const MAX_BODY_BYTES = 1_000_000;
/** A database read's latency, so that unserialized conditional creates would race as on a real server. */
const SEARCH_LATENCY_MS = 10;

export type FhirStandinEndpoint = 'search' | 'read' | 'create' | 'update' | 'token';
const ENDPOINTS = ['search', 'read', 'create', 'update', 'token'] as const;

const Times = z.union([z.number().int().positive(), z.literal('always')]).default(1);
const Common = { times: Times, endpoint: z.enum(ENDPOINTS).optional() };
export const FhirStandinFault = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('status'),
    status: z.number().int().min(400).max(599),
    /** Seconds, sent as `Retry-After`. */
    retryAfter: z.number().int().min(0).max(86_400).optional(),
    ...Common,
  }),
  z.object({ kind: z.literal('delay'), delayMs: z.number().int().min(0).max(600_000), ...Common }),
  z.object({
    kind: z.literal('refuse'),
    status: z.union([z.literal(400), z.literal(422)]).default(422),
    /** The OperationOutcome's `issue[].code`s. */
    codes: z.array(z.string().min(1).max(64)).min(1).default(['invalid']),
    ...Common,
  }),
  z.object({ kind: z.literal('duplicate'), times: Times, endpoint: z.literal('create').optional() }),
]);
export type FhirStandinFault = z.input<typeof FhirStandinFault>;
type Fault = z.output<typeof FhirStandinFault>;

/** One FHIR or token request the stand-in saw (no Authorization value, no body). */
export interface FhirStandinRequest {
  method: string;
  /** Path and query, as requested. */
  path: string;
  endpoint: FhirStandinEndpoint | null;
  /** The status answered (for a `delay` fault, the status after the delay; 0 if the client left first). */
  status: number;
  ifMatch: string | null;
  ifNoneExist: string | null;
  fault: Fault['kind'] | null;
}

/** One version the stand-in stored, as stored. */
export interface FhirStandinVersion {
  id: string;
  versionId: string;
  /** Its meta.lastUpdated. */
  at: string;
  /** `api`: written through the FHIR API (the tracker); `ehr`: by createTask/editTask (a person in the EHR). */
  by: 'api' | 'ehr';
  resource: Task;
}

/** Fields to set on a stored Task; a `null` removes the field. */
export type TaskPatch = { [K in keyof Task]?: Task[K] | null };

export interface FhirStandinControl {
  reset(): Promise<void>;
  injectFault(fault: FhirStandinFault): Promise<void>;
  clearFaults(): Promise<void>;
  versions(): Promise<FhirStandinVersion[]>;
  tasks(): Promise<Task[]>;
  /** Stores a Task as someone in the EHR would make it (validated; a new id). */
  createTask(task: Task): Promise<Task>;
  /** Stores a new version of Task `id` with `patch` applied, as a person in the EHR would (validated). */
  editTask(id: string, patch: TaskPatch): Promise<Task>;
  requests(): Promise<FhirStandinRequest[]>;
  clearRequests(): Promise<void>;
  /** How searches page from now on (local/fhir-standin-paging.ts). */
  setPaging(paging: Partial<FhirStandinPaging>): Promise<void>;
}

export interface FhirStandinOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Registered clients; with any, every FHIR request needs a bearer token. */
  clients?: readonly FhirStandinClient[];
  /** Lifetime of an issued token, in seconds (default 300). */
  expiresIn?: number;
  /** Keep the previous version's meta.tag on update (HAPI-like); default false (Medplum-like). */
  tagsCarriedForward?: boolean;
  /** The clock for meta.lastUpdated and token expiry (default: the system clock). */
  now?: () => Date;
  /** How searches page (default: by `_lastUpdated`, as Medplum's server does; local/fhir-standin-paging.ts). */
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

/** An answer as the stand-in sends it; thrown, a refusal (an in-process editTask's rejection carries its status and OperationOutcome). */
export class FhirStandinAnswer extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`the FHIR stand-in answers ${status}`);
  }
}

/** An issue of an answer's OperationOutcome (its code any R4 issue-type, or one a fault names). */
interface Issue {
  code: string;
  diagnostics: string;
  expression?: string[];
}

function outcome(status: number, issues: readonly Issue[], headers: Record<string, string> = {}): FhirStandinAnswer {
  const body: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: issues.map((issue): OperationOutcomeIssue => ({ severity: 'error', ...issue, code: issue.code as OperationOutcomeIssue['code'] })),
  };
  return new FhirStandinAnswer(status, body, headers);
}

const answerOfPage = (page: { status: number; body: unknown }): FhirStandinAnswer => new FhirStandinAnswer(page.status, page.body);
const weakEtag = (versionId: string | undefined): Record<string, string> => (versionId === undefined ? {} : { etag: `W/"${versionId}"` });

/** The MemoryRepository on the stand-in's clock, assigning every version's id and time itself (as a server does). */
class ClockedRepository extends MemoryRepository {
  constructor(private readonly now: () => Date) {
    super();
  }

  override async createResource<T extends Resource>(resource: T): Promise<WithId<T>> {
    const copy = structuredClone(resource);
    const { versionId: _versionId, lastUpdated: _lastUpdated, ...meta } = copy.meta ?? {};
    copy.meta = { ...meta, lastUpdated: this.now().toISOString() };
    return super.createResource(copy);
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
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly now: () => Date) {
    this.repo = new ClockedRepository(now);
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
    this.repo = new ClockedRepository(this.now);
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

  /** A Task made in the EHR: validated, then stored with a new id. */
  async createTask(task: Task): Promise<Task> {
    return this.serialize(async () => {
      const { id: _id, ...rest } = task;
      refuseInvalid(rest);
      const created = await this.repo.createResource<Task>({ ...rest, resourceType: 'Task' });
      this.record(created, 'ehr');
      return created;
    });
  }

  async editTask(id: string, patch: TaskPatch): Promise<Task> {
    return this.serialize(async () => {
      const current = await this.repo.readResource<Task>('Task', id);
      const next: Record<string, unknown> = { ...current };
      for (const [key, value] of Object.entries(patch)) {
        if (value === null) delete next[key];
        else next[key] = value;
      }
      const task = { ...next, resourceType: 'Task', id } as Task;
      refuseInvalid(task);
      const updated = await this.repo.updateResource<Task>(task);
      this.record(updated, 'ehr');
      return updated;
    });
  }
}

/** Throws a 422 FhirStandinAnswer when `resource` is not valid R4. */
function refuseInvalid(resource: unknown): void {
  const problems = r4Problems(resource);
  if (problems.length > 0) {
    throw outcome(
      422,
      problems.map((problem) => ({ code: problem.code, diagnostics: problem.message, expression: [problem.expression] })),
    );
  }
}

/** Which endpoint a request is, and the Task id of a read or update. */
function routeOf(method: string, pathname: string): { endpoint: FhirStandinEndpoint | null; id: string | null } {
  if (pathname === TOKEN_PATH) return { endpoint: method === 'POST' ? 'token' : null, id: null };
  if (pathname === `${FHIR_BASE_PATH}/Task`) return { endpoint: method === 'GET' ? 'search' : method === 'POST' ? 'create' : null, id: null };
  const byId = new RegExp(`^${FHIR_BASE_PATH}/Task/([A-Za-z0-9\\-.]{1,64})$`).exec(pathname);
  if (byId) return { endpoint: method === 'GET' ? 'read' : method === 'PUT' ? 'update' : null, id: byId[1]! };
  return { endpoint: null, id: null };
}

const header = (request: IncomingMessage, name: string): string | null => {
  const value = request.headers[name];
  return typeof value === 'string' ? value : null;
};

async function readBody(request: IncomingMessage): Promise<string> {
  const body = await readBodyWithin(request, MAX_BODY_BYTES, MAX_BODY_BYTES);
  if (body === null) throw outcome(413, [{ code: 'too-costly', diagnostics: 'body too large' }]);
  return body.toString('utf8');
}

async function readResourceBody(request: IncomingMessage): Promise<unknown> {
  const text = await readBody(request);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw outcome(400, [{ code: 'structure', diagnostics: 'the body is not JSON' }]);
  }
}

function send(response: ServerResponse, answer: FhirStandinAnswer, contentType = FHIR_JSON): void {
  if (response.headersSent || response.destroyed) return;
  if (answer.status === 204) {
    response.writeHead(204, answer.headers);
    response.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  response.writeHead(answer.status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...answer.headers });
  response.end(text);
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

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (error instanceof FhirStandinAnswer) return send(response, error);
      if (!response.headersSent) send(response, outcome(500, [{ code: 'exception', diagnostics: 'internal error' }]));
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://standin.invalid');
    if (url.pathname.startsWith('/_standin/')) return controlRoute(request, response, url);
    const method = request.method ?? 'GET';
    const { endpoint, id } = routeOf(method, url.pathname);
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
      const discovery = method === 'GET' ? discoveryAnswer(url.pathname) : null;
      if (discovery) return reply(discovery);
      if (tokens.required && !tokens.accepts(header(request, 'authorization') ?? undefined)) {
        return reply(outcome(401, [{ code: 'login', diagnostics: 'a valid bearer token is required' }], { 'www-authenticate': 'Bearer realm="fhir-standin"' }));
      }
      reply(await fhir(request, url, endpoint, id, fault?.kind === 'duplicate'));
    } catch (error) {
      if (error instanceof FhirStandinAnswer) return reply(error);
      throw error;
    }
  }

  /**
   * The public discovery documents (no token needed): the CapabilityStatement at
   * [base]/metadata and SMART's configuration, both naming the token endpoint.
   */
  function discoveryAnswer(pathname: string): FhirStandinAnswer | null {
    const tokenUrl = `${origin}${TOKEN_PATH}`;
    if (pathname === `${FHIR_BASE_PATH}/.well-known/smart-configuration`) {
      return new FhirStandinAnswer(200, {
        token_endpoint: tokenUrl,
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['private_key_jwt', 'client_secret_basic', 'client_secret_post'],
        token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
        scopes_supported: ['system/Task.rs', 'system/Task.cu'],
        capabilities: ['client-confidential-asymmetric', 'client-confidential-symmetric'],
      });
    }
    if (pathname !== `${FHIR_BASE_PATH}/metadata`) return null;
    return new FhirStandinAnswer(200, {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: '2026-11-27',
      kind: 'instance',
      fhirVersion: '4.0.1',
      format: ['json'],
      implementation: { description: 'redraw-tracker stand-in FHIR server', url: `${origin}${FHIR_BASE_PATH}` },
      rest: [
        {
          mode: 'server',
          security: {
            extension: [{ url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris', extension: [{ url: 'token', valueUri: tokenUrl }] }],
          },
          resource: [
            {
              type: 'Task',
              versioning: 'versioned-update',
              conditionalCreate: true,
              conditionalUpdate: false,
              interaction: [{ code: 'read' }, { code: 'search-type' }, { code: 'create' }, { code: 'update' }],
              searchParam: [{ name: 'identifier', type: 'token' }],
            },
          ],
        },
      ],
    });
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

  async function fhir(request: IncomingMessage, url: URL, endpoint: FhirStandinEndpoint | null, id: string | null, duplicate: boolean): Promise<FhirStandinAnswer> {
    if (endpoint === null) {
      if (request.method === 'PUT' && url.pathname === `${FHIR_BASE_PATH}/Task`) {
        return outcome(405, [{ code: 'not-supported', diagnostics: 'conditional update (PUT Task?...) is not offered: read the Task, then PUT Task/{id} with If-Match' }], {
          allow: 'GET, POST',
        });
      }
      return outcome(404, [{ code: 'not-supported', diagnostics: `${request.method ?? 'GET'} ${url.pathname} is not served` }]);
    }
    const relative = `Task${id === null ? '' : `/${id}`}${url.search}`;
    const headers = { ...request.headers };
    delete headers.authorization;
    const fhirRequest = (body: unknown): FhirRequest => ({ method: (request.method ?? 'GET') as HttpMethod, url: relative, pathname: '', body, params: {}, query: {}, headers });
    if (endpoint === 'search') return answerOfPage(await pagedSearch(store.repo, new URL(`${url.pathname}${url.search}`, origin), `${origin}${FHIR_BASE_PATH}`, paging));
    if (endpoint === 'read') return answerOf(await store.router.handleRequest(fhirRequest(undefined), store.repo));
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

  const control: FhirStandinControl = {
    reset: async () => {
      await store.serialize(async () => {
        store.reset();
        tokens.reset();
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
    createTask: (task) => store.createTask(task),
    editTask: (id, patch) => store.editTask(id, patch),
    requests: async () => store.requests.map((entry) => ({ ...entry })),
    clearRequests: async () => {
      store.requests.length = 0;
    },
    setPaging: async (next) => {
      paging = pagingOf({ ...paging, ...next });
    },
  };

  async function controlRoute(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const json = (status: number, body?: unknown) => send(response, new FhirStandinAnswer(status, body), 'application/json');
    const edit = /^\/_standin\/tasks\/([A-Za-z0-9\-.]{1,64})\/edit$/.exec(url.pathname);
    try {
      if (request.method === 'POST' && edit) return json(200, { task: await control.editTask(edit[1]!, TaskPatchBody.parse(await readResourceBody(request))) });
      switch (`${request.method ?? 'GET'} ${url.pathname}`) {
        case 'POST /_standin/reset':
          await control.reset();
          return json(204);
        case 'POST /_standin/faults':
          await control.injectFault(FhirStandinFault.parse(await readResourceBody(request)));
          return json(204);
        case 'DELETE /_standin/faults':
          await control.clearFaults();
          return json(204);
        case 'GET /_standin/versions':
          return json(200, { versions: await control.versions() });
        case 'GET /_standin/tasks':
          return json(200, { tasks: await control.tasks() });
        case 'POST /_standin/tasks':
          return json(201, { task: await control.createTask(TaskBody.parse(await readResourceBody(request))) });
        case 'GET /_standin/requests':
          return json(200, { requests: await control.requests() });
        case 'DELETE /_standin/requests':
          await control.clearRequests();
          return json(204);
        case 'POST /_standin/paging':
          await control.setPaging(PagingBody.parse(await readResourceBody(request)));
          return json(204);
        default:
          return json(404, { detail: 'Not Found' });
      }
    } catch (error) {
      if (error instanceof z.ZodError) return json(400, { detail: z.prettifyError(error) });
      if (error instanceof FhirStandinAnswer) return send(response, error);
      const engine = error as { outcome?: OperationOutcome };
      if (engine.outcome?.resourceType === 'OperationOutcome') return send(response, new FhirStandinAnswer(getStatus(engine.outcome), engine.outcome));
      throw error;
    }
  }

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
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const TaskBody = z.custom<Task>((value) => typeof value === 'object' && value !== null && (value as { resourceType?: unknown }).resourceType === 'Task', 'not a Task');
const PagingBody = z.object({ by: z.enum(['lastUpdated', 'offset']).optional(), maxCount: z.number().int().min(1).max(1000).optional() }).transform((paging) => paging as Partial<FhirStandinPaging>);
const TaskPatchBody = z.record(z.string(), z.unknown()).transform((patch) => patch as TaskPatch);

/** The control surface of a stand-in in another process (e.g. `npm run fhir-server`); `url` is its FHIR base URL or origin. */
export function connectFhirStandin(url: string): FhirStandinControl {
  const origin = url.replace(/\/+$/, '').replace(new RegExp(`${FHIR_BASE_PATH}$`), '');
  async function call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${origin}/_standin${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`fhir stand-in: ${method} /_standin${path} answered ${response.status}: ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  }
  const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
  const task = z.custom<Task>((value) => isRecord(value) && value.resourceType === 'Task');
  return {
    reset: async () => {
      await call('POST', '/reset');
    },
    injectFault: async (fault) => {
      await call('POST', '/faults', fault);
    },
    clearFaults: async () => {
      await call('DELETE', '/faults');
    },
    versions: async () => z.object({ versions: z.array(z.custom<FhirStandinVersion>(isRecord)) }).parse(await call('GET', '/versions')).versions,
    tasks: async () => z.object({ tasks: z.array(task) }).parse(await call('GET', '/tasks')).tasks,
    createTask: async (created) => z.object({ task }).parse(await call('POST', '/tasks', created)).task,
    editTask: async (id, patch) => z.object({ task }).parse(await call('POST', `/tasks/${encodeURIComponent(id)}/edit`, patch)).task,
    requests: async () => z.object({ requests: z.array(z.custom<FhirStandinRequest>(isRecord)) }).parse(await call('GET', '/requests')).requests,
    clearRequests: async () => {
      await call('DELETE', '/requests');
    },
    setPaging: async (paging) => {
      await call('POST', '/paging', paging);
    },
  };
}

/** A fresh id for tests and demos (a follow-up id look-alike). */
export const freshFhirId = (): string => randomBytes(8).toString('hex');
