/**
 * A stand-in FHIR R4 server (CONTRACT §13's `npm run fhir-server`), for `npm start`,
 * the simulator and the tests: a node:http server on 127.0.0.1 built on a real FHIR
 * engine (`@medplum/fhir-router`'s FhirRouter over its MemoryRepository: the search,
 * create, update and delete below are the engine's), serving under `/fhir/R4`:
 *
 *   GET  [base]/Task?identifier=system|value   a searchset Bundle, paged as Medplum's server pages
 *        (`_lastUpdated` cursor, or `_offset` behind the `paging` switch: local/fhir-standin/paging.ts)
 *   GET  [base]/Task/{id}                       the Task (ETag: W/"<versionId>"); 404 once deleted
 *   GET  [base]/Task/{id}/_history[?_count=n]   its instance history, newest first, as Medplum's server answers
 *        it (a deleted Task's too: its deletion an entry with no resource, response 410; local/fhir-standin/history.ts)
 *   POST [base]/Task  (If-None-Exist: identifier=system|value)
 *        201 + Location: the new Task; 200: the one Task that matches; 412 `multiple-matches`: several do
 *   PUT  [base]/Task/{id}  (If-Match: W/"<versionId>")
 *        200: updated; 412 `conflict`: the Task moved to another version
 *   DELETE [base]/Task/{id}                     200 (an OperationOutcome); 404 when there is none
 *   GET  [base]/Practitioner/{id}, [base]/PractitionerRole/{id}, [base]/Provenance/{id}, and their searches
 *        (`Provenance?target=Task/{id}/_history/{v}`, or `target=Task/{id}` for every version's)
 *   POST /oauth2/token                          client credentials (local/fhir-standin/token.ts)
 *   GET  [base]/metadata, [base]/.well-known/smart-configuration   discovery (no token needed)
 *   POST [base]/Subscription, GET [base]/Subscription[/{id}]   Subscriptions, honoured after every Task change,
 *        Medplum-style (signed) or HAPI-style (`channel.header`, with or without a payload), sent only to
 *        this machine (local/fhir-standin/subscriptions.ts)
 *
 * It acts as an EHR user too (local/fhir-standin/ehr.ts): `POST /local/ehr/Task/{id}`
 * with a JSON body of the Task's fields to set (null removes one) and an optional
 * `author`, e.g. `{"status": "completed", "author": "Practitioner/123"}`, stores a new
 * version as a person in the EHR would, and names its author as the EHR author style
 * says (`ehrAuthorStyle`: `meta`, the default, sets `meta.author` and stores a
 * Provenance; `provenance` only the Provenance; `none` neither); `DELETE
 * /local/ehr/Task/{id}` deletes it. They are the control surface's editTask and
 * deleteTask (local/fhir-standin/control.ts lists it all, under `/_standin/`).
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
 *
 * Its parts: fhir-standin/state.ts (the engine, its store and the write chain),
 * fhir-standin/requests.ts (the request path: faults, token, discovery, scopes),
 * fhir-standin/interactions.ts (the FHIR interactions), fhir-standin/control.ts
 * (the control surface, on local/standin/control.ts), and the modules they name.
 */
import { createServer } from 'node:http';
import { ensureR4Indexed } from './fhir-validation';
import { localFhirControl } from './fhir-standin/control';
import { FhirStandinAnswer, outcome, send } from './fhir-standin/http';
import { pagingOf, type FhirStandinPaging } from './fhir-standin/paging';
import { answerRequest } from './fhir-standin/requests';
import { FhirStore, type FhirStandinState } from './fhir-standin/state';
import { SubscriptionHub } from './fhir-standin/subscriptions';
import { TokenIssuer, type FhirStandinClient } from './fhir-standin/token';
import { FHIR_BASE_PATH, TOKEN_PATH, type EhrAuthorStyle, type FhirStandinControl } from './fhir-standin/types';
import { listenOnLoopback } from './http-adapter';
import { FaultDelays } from './standin/faults';

export type { FhirStandinClient } from './fhir-standin/token';
export { connectFhirStandin } from './fhir-standin/control';
export * from './fhir-standin/types';

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
  /** How Task searches page (default: by `_lastUpdated`, as Medplum's server does; local/fhir-standin/paging.ts). */
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

/** The parts of a stand-in started with `options`, before it listens. */
function stateOf(options: FhirStandinOptions): FhirStandinState {
  const now = options.now ?? (() => new Date());
  const store = new FhirStore(now);
  const startAuthorStyle = options.ehrAuthorStyle ?? 'meta';
  const state: FhirStandinState = {
    store,
    tokens: new TokenIssuer(options.clients ?? [], options.expiresIn ?? 300, now),
    subscriptions: new SubscriptionHub({ repo: () => store.repo, baseUrl: () => `${state.origin}${FHIR_BASE_PATH}` }),
    delays: new FaultDelays(),
    origin: '',
    paging: pagingOf(options.paging),
    authorStyle: startAuthorStyle,
    startAuthorStyle,
    tagsCarriedForward: options.tagsCarriedForward === true,
  };
  store.onTaskChange = (change) => state.subscriptions.taskChanged(change);
  return state;
}

/** Starts the stand-in on 127.0.0.1. */
export async function startFhirStandin(options: FhirStandinOptions = {}): Promise<FhirStandin> {
  ensureR4Indexed();
  const state = stateOf(options);
  const control: FhirStandinControl = localFhirControl(state);
  const server = createServer((request, response) => {
    answerRequest(state, control, request, response).catch((error: unknown) => {
      if (error instanceof FhirStandinAnswer) return send(response, error);
      if (!response.headersSent) send(response, outcome(500, [{ code: 'exception', diagnostics: 'internal error' }]));
      else response.destroy();
    });
  });
  const port = await listenOnLoopback(server, options.port ?? 0);
  state.origin = `http://127.0.0.1:${port}`;
  return {
    url: `${state.origin}${FHIR_BASE_PATH}`,
    tokenUrl: `${state.origin}${TOKEN_PATH}`,
    origin: state.origin,
    port,
    control,
    stop: async () => {
      state.subscriptions.stop();
      await state.delays.close(server);
    },
  };
}

