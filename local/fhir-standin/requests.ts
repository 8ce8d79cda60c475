/**
 * The request path of the stand-in FHIR server (local/fhir-standin.ts): a control
 * route goes to the control surface, unlogged and never faulted; any other request
 * is logged, meets the next matching fault (a `status` before the token is
 * checked, as an outage at the edge would), then the token endpoint, the
 * discovery documents, the bearer token and its scopes, and last the FHIR
 * interaction (local/fhir-standin/interactions.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { discoveryDocument } from './discovery';
import { controlRoute, isControlPath } from './control';
import { FHIR_JSON, FhirStandinAnswer, header, outcome, readBody, send } from './http';
import { answerInteraction, routeOf, type FhirRoute } from './interactions';
import type { FhirStandinState } from './state';
import { TOKEN_PATH, type Fault, type FhirStandinControl, type FhirStandinEndpoint, type FhirStandinRequest } from './types';

/** Answers one request to the stand-in (`control` answers its control routes). */
export async function answerRequest(state: FhirStandinState, control: FhirStandinControl, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://standin.invalid');
  if (isControlPath(url.pathname)) return controlRoute(control, request, response, url);
  const method = request.method ?? 'GET';
  const route = routeOf(method, url.pathname);
  const { endpoint } = route;
  const record: FhirStandinRequest = {
    method,
    path: `${url.pathname}${url.search}`,
    endpoint,
    status: 0,
    ifMatch: header(request, 'if-match'),
    ifNoneExist: header(request, 'if-none-exist'),
    fault: null,
  };
  state.store.requests.push(record);
  const reply = (answer: FhirStandinAnswer) => {
    record.status = answer.status;
    send(response, answer, endpoint === 'token' ? 'application/json' : FHIR_JSON);
  };
  try {
    const fault = state.store.takeFault(endpoint, endpoint === 'create' && record.ifNoneExist !== null);
    record.fault = fault?.kind ?? null;
    if (fault?.kind === 'delay') {
      await state.delays.wait(fault.delayMs);
      if (response.destroyed) return;
    }
    reply(await answerUnfaulted(state, request, url, route, fault));
  } catch (error) {
    if (error instanceof FhirStandinAnswer) return reply(error);
    throw error;
  }
}

/** The answer once a `delay` fault has waited: another fault's, the token endpoint's, discovery's, a refusal of the token, or the interaction's. */
async function answerUnfaulted(state: FhirStandinState, request: IncomingMessage, url: URL, route: FhirRoute, fault: Fault | null): Promise<FhirStandinAnswer> {
  const { endpoint, type } = route;
  if (fault?.kind === 'status') return statusFault(fault, endpoint);
  if (fault?.kind === 'refuse') return outcome(fault.status, fault.codes.map((code) => ({ code, diagnostics: `injected refusal: ${code}` })));
  if (endpoint === 'token') return token(state, request);
  const discovery = (request.method ?? 'GET') === 'GET' ? discoveryDocument(url.pathname, state.origin) : null;
  if (discovery) return new FhirStandinAnswer(200, discovery);
  const { tokens } = state;
  const authorization = header(request, 'authorization') ?? undefined;
  if (tokens.required && !tokens.accepts(authorization)) {
    return outcome(401, [{ code: 'login', diagnostics: 'a valid bearer token is required' }], { 'www-authenticate': 'Bearer realm="fhir-standin"' });
  }
  const interaction = route.id === null ? 's' : 'r';
  if (tokens.required && (endpoint === 'practitioner' || endpoint === 'provenance') && !tokens.grants(authorization, type, interaction)) {
    return outcome(403, [{ code: 'forbidden', diagnostics: `the token's scopes do not grant system/${type}.${interaction}` }]);
  }
  return answerInteraction(state, request, url, route, fault?.kind === 'duplicate');
}

/** An injected status: an OAuth error at the token endpoint, else an OperationOutcome whose code fits it. */
function statusFault(fault: Extract<Fault, { kind: 'status' }>, endpoint: FhirStandinEndpoint | null): FhirStandinAnswer {
  const headers: Record<string, string> = fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) };
  if (endpoint === 'token') {
    const error = fault.status === 401 ? 'invalid_client' : fault.status === 400 ? 'invalid_request' : 'temporarily_unavailable';
    return new FhirStandinAnswer(fault.status, { error, error_description: `injected status ${fault.status}` }, headers);
  }
  const code = fault.status === 401 ? 'login' : fault.status === 403 ? 'forbidden' : fault.status === 429 ? 'throttled' : fault.status >= 500 ? 'transient' : 'processing';
  return outcome(fault.status, [{ code, diagnostics: `injected status ${fault.status}` }], headers);
}

/** `POST /oauth2/token`: a form, answered by the token issuer (local/fhir-standin/token.ts). */
async function token(state: FhirStandinState, request: IncomingMessage): Promise<FhirStandinAnswer> {
  const type = header(request, 'content-type') ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return new FhirStandinAnswer(400, { error: 'invalid_request', error_description: 'the body must be application/x-www-form-urlencoded' });
  }
  const form = new URLSearchParams(await readBody(request));
  const answer = await state.tokens.answer(form, header(request, 'authorization') ?? undefined, `${state.origin}${TOKEN_PATH}`);
  return new FhirStandinAnswer(answer.status, answer.body, answer.headers);
}
