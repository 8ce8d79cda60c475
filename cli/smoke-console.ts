/**
 * The smoke test's console steps (issue 35): the page, its config.json and,
 * on AWS, CloudFront's /api/* path without a token and, given a console access
 * token (issue 55: never from the command line), with it. The checks are pure: each
 * takes what one GET answered (status, the two headers it reads, the body for
 * config.json only) and says the step's result or what is wrong, whose it is
 * and what to do. `getConsole` is the one edge: a fetch with a timeout.
 *
 * What a check may print is the status, the content type, the
 * Content-Security-Policy's connect-src and config.json's fields: never the
 * page itself, and never the token or the identity it names.
 */
import * as z from 'zod';
import { CONSOLE_API_PREFIX } from '../functions/shared/actor';
import type { CliDeps } from './command';
import { parseJson } from './tracker-client';
import { CliError, EXIT } from './errors';

/** The console a smoke test checks: the stack's (ConsoleUrl, ConsoleSignInDomain) or `npm start`'s. */
export type ConsoleTarget =
  | { kind: 'aws'; stackName: string; /** ConsoleUrl, as the output spells it. */ url: string; /** ConsoleSignInDomain. */ signInDomain: string }
  | { kind: 'local'; /** The local tracker's base URL and `/`. */ url: string };

/** What one GET of the console answered, as far as the checks read it. */
export interface ConsoleAnswer {
  status: number;
  /** The content-type header, or null. */
  contentType: string | null;
  /** The content-security-policy header, or null. */
  csp: string | null;
  /** The body (read for config.json only; '' otherwise). */
  text: string;
}

/** A check's verdict: the step's result for the table, or why it failed and the exit code. */
export type ConsoleCheck = { ok: true; result: string } | { ok: false; exitCode: 1 | 3; message: string };

/** config.json's `api` on AWS (lib/console-contract.ts consoleConfig): the HTTP API under CloudFront's /api/* behaviour. */
export const API_ON_CLOUDFRONT = `${CONSOLE_API_PREFIX}/`;
const TIMEOUT_MS = 15_000;

/** The three paths, relative to the console's URL. */
export function consoleUrls(target: ConsoleTarget): { page: string; config: string; api: string } {
  return { page: target.url, config: new URL('config.json', target.url).href, api: new URL(`${API_ON_CLOUDFRONT.slice(1)}me`, target.url).href };
}

/** `text/html; charset=utf-8` -> `text/html`; null without a header. */
export function mediaType(contentType: string | null): string | null {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : null;
}

/**
 * The sources a policy allows `fetch` to connect to: its connect-src, else its
 * default-src (CSP's fallback); null when it has neither (then it does not
 * restrict connections, which is not the console's policy).
 */
export function cspConnectSources(policy: string): string[] | null {
  const directives = new Map<string, string[]>();
  for (const directive of policy.split(';')) {
    const [name, ...sources] = directive.trim().split(/\s+/);
    // The first of a repeated directive is the one browsers apply.
    if (name && !directives.has(name.toLowerCase())) directives.set(name.toLowerCase(), sources);
  }
  return directives.get('connect-src') ?? directives.get('default-src') ?? null;
}

function originOf(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

/** Whether connect-src names `origin` (host names compare case-insensitively, as browsers match them). */
export function cspAllowsOrigin(sources: readonly string[], origin: string): boolean {
  const wanted = originOf(origin);
  return wanted !== null && sources.some((source) => originOf(source) === wanted);
}

const fail = (exitCode: 1 | 3, message: string): ConsoleCheck => ({ ok: false, exitCode, message });
const REDEPLOY = 'run `npm run deploy` again';
const THIS_NPM_START = "is it this version's `npm start`?";

/** The page: 200, text/html, a CSP whose connect-src has 'self' and, on AWS, the sign-in domain. */
export function checkConsolePage(target: ConsoleTarget, answer: ConsoleAnswer): ConsoleCheck {
  const { page } = consoleUrls(target);
  const { status } = answer;
  if (target.kind === 'local') {
    if (status !== 200) return fail(status >= 500 ? 3 : 1, `npm start answered HTTP ${status} to GET ${page} (expected the console page): ${THIS_NPM_START}`);
  } else if (status >= 500) {
    return fail(3, `CloudFront answered HTTP ${status} for the console page ${page}: the distribution of stack ${target.stackName} could not read it from the console bucket; try again in a few minutes, and if it persists check the distribution's origin in the CloudFront console`);
  } else if (status === 403 || status === 404) {
    return fail(1, `the console page ${page} answered HTTP ${status}: the console bucket of stack ${target.stackName} holds no index.html that CloudFront may read (the deploy's upload failed or was undone): read the log group of its deployment helper (ConsoleDeployLogs) and ${REDEPLOY}`);
  } else if (status !== 200) {
    return fail(1, `the console page ${page} answered HTTP ${status} (expected 200): is ConsoleUrl still the distribution of stack ${target.stackName}? ${REDEPLOY}`);
  }
  const type = mediaType(answer.contentType);
  if (type !== 'text/html') {
    const served = type ?? 'no content type';
    return fail(1, target.kind === 'local'
      ? `npm start served the console page as ${served}, not text/html: ${THIS_NPM_START}`
      : `the console page ${page} is served as ${served}, not text/html, so browsers would not show it: its upload to the console bucket of stack ${target.stackName} set another type; ${REDEPLOY}`);
  }
  if (answer.csp === null || answer.csp.trim() === '') {
    return fail(1, target.kind === 'local'
      ? `npm start served the console page without a content-security-policy header: ${THIS_NPM_START} (local/console-assets.ts sets it)`
      : `the console page ${page} has no content-security-policy header: the response headers policy of stack ${target.stackName} is not attached to the distribution's default behaviour; deploy this version again (lib/console.ts attaches it)`);
  }
  const sources = cspConnectSources(answer.csp);
  const whose = target.kind === 'local' ? THIS_NPM_START : `the response headers policy is not the one stack ${target.stackName} deploys: deploy this version again`;
  if (sources === null) return fail(1, `the console page's content-security-policy has no connect-src (nor default-src): ${whose}`);
  if (!sources.includes("'self'")) {
    return fail(1, `the console page's content-security-policy does not let it call its own origin (connect-src ${sources.join(' ')}: no 'self'), so its API calls would be blocked: ${whose}`);
  }
  if (target.kind === 'aws' && !cspAllowsOrigin(sources, target.signInDomain)) {
    return fail(1, `the console page's content-security-policy does not name the sign-in domain ${target.signInDomain} (ConsoleSignInDomain) in connect-src (${sources.join(' ')}), so browsers would block signing in: ${whose}`);
  }
  return { ok: true, result: `${status} ${type}` };
}

/** config.json on AWS, its types (lib/console-contract.ts ConsoleConfig); the values are compared with the outputs after. */
export const AwsConsoleConfig = z.object({
  api: z.string(),
  auth: z.object({
    domain: z.string(),
    clientId: z.string().min(1),
    scopes: z.string(),
    redirectUri: z.string(),
  }),
});
/** config.json through `npm start` (local/console-assets.ts LOCAL_CONSOLE_CONFIG). */
export const LocalConsoleConfig = z.object({ api: z.string().min(1) });

/** The JSON value at `path`, or undefined. */
function valueAt(json: unknown, path: readonly PropertyKey[]): unknown {
  let value = json;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The first thing wrong with config.json's shape, as `<field> <problem>`: `auth.clientId is empty`. */
function shapeProblem(json: unknown, issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.') || 'config.json';
  const value = valueAt(json, issue.path);
  if (value === undefined) return `${field} is missing`;
  if (issue.code === 'too_small') return `${field} is empty`;
  if (issue.code === 'invalid_type') return `${field} must be ${issue.expected === 'object' ? 'an object' : `a ${issue.expected}`}, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}`;
  return `${field} is not what the console reads`;
}

/**
 * config.json: 200 JSON, parsed with zod. On AWS `api` is '/api/', auth.domain
 * the ConsoleSignInDomain output, auth.redirectUri the ConsoleUrl output (the
 * client's registered callback), auth.clientId non-empty; locally `api` is there.
 */
export function checkConsoleConfig(target: ConsoleTarget, answer: ConsoleAnswer): ConsoleCheck {
  const { config } = consoleUrls(target);
  const { status } = answer;
  if (target.kind === 'local') {
    if (status !== 200) return fail(status >= 500 ? 3 : 1, `npm start answered HTTP ${status} to GET ${config} (expected the console's config.json): ${THIS_NPM_START}`);
  } else if (status >= 500) {
    return fail(3, `CloudFront answered HTTP ${status} for the console's ${config}: the distribution of stack ${target.stackName} could not read it from the console bucket; try again in a few minutes`);
  } else if (status !== 200) {
    return fail(1, `the console's ${config} answered HTTP ${status} (expected 200): the deploy writes config.json beside the page in the console bucket of stack ${target.stackName}, and it is not there: read the log group of its deployment helper (ConsoleDeployLogs) and ${REDEPLOY}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(answer.text);
  } catch {
    return fail(1, target.kind === 'local'
      ? `npm start's ${config} is not JSON: ${THIS_NPM_START}`
      : `the console's ${config} is not JSON, so the page cannot start: ${REDEPLOY} (it writes config.json from the stack's outputs)`);
  }
  if (target.kind === 'local') {
    const parsed = LocalConsoleConfig.safeParse(json);
    if (!parsed.success) return fail(1, `npm start's ${config}: ${shapeProblem(json, parsed.error.issues[0]!)}: ${THIS_NPM_START} (it serves {"api":"/"})`);
    return { ok: true, result: `${status} api ${parsed.data.api}` };
  }
  const stale = `config.json is not the one the deploy of stack ${target.stackName} writes (another deploy's, or edited by hand): ${REDEPLOY}`;
  const parsed = AwsConsoleConfig.safeParse(json);
  if (!parsed.success) return fail(1, `the console's ${config}: ${shapeProblem(json, parsed.error.issues[0]!)}, so the page cannot sign anyone in; ${stale}`);
  const { api, auth } = parsed.data;
  if (api !== API_ON_CLOUDFRONT) return fail(1, `the console's ${config}: api is ${JSON.stringify(api)}, not "${API_ON_CLOUDFRONT}" (CloudFront's /api/* behaviour); ${stale}`);
  if (auth.domain !== target.signInDomain) {
    return fail(1, `the console's ${config}: auth.domain is ${JSON.stringify(auth.domain)}, not ConsoleSignInDomain ${target.signInDomain}, so sign-in would go elsewhere; ${stale}`);
  }
  if (auth.redirectUri !== target.url) {
    return fail(1, `the console's ${config}: auth.redirectUri is ${JSON.stringify(auth.redirectUri)}, not ConsoleUrl ${target.url}, so Cognito would refuse the sign-in's redirect; ${stale}`);
  }
  return { ok: true, result: `${status} api ${api}, auth as the outputs` };
}

/**
 * GET <ConsoleUrl>api/me with no token (AWS only): 401 proves CloudFront's
 * /api/* behaviour reaches the HTTP API and its JWT authorizer refuses
 * anonymous callers. A 2xx is an alarm; a 403 means the behaviour or the Host
 * header is wrong.
 */
export function checkConsoleApi(target: Extract<ConsoleTarget, { kind: 'aws' }>, answer: Pick<ConsoleAnswer, 'status'>): ConsoleCheck {
  const { api } = consoleUrls(target);
  const { status } = answer;
  const stack = `stack ${target.stackName}`;
  if (status === 401) return { ok: true, result: '401 without a token' };
  if (status >= 200 && status < 300) {
    return fail(1, `ALARM: GET ${api} without a token answered HTTP ${status}: the console's /api routes of ${stack} let anonymous callers in. Treat it as an incident: set console to false and deploy, or deploy this version (every /api route has the JWT authorizer), then check the routes' authorizers (aws apigatewayv2 get-routes)`);
  }
  if (status === 403) {
    return fail(1, `GET ${api} without a token answered HTTP 403 where the API's JWT authorizer answers 401: CloudFront's /api/* behaviour does not reach the HTTP API of ${stack} as it should (execute-api refuses a forwarded viewer Host header; without the behaviour, the console bucket refuses the path): deploy this version again (lib/console.ts: the /api/* behaviour forwards every viewer header but Host)`);
  }
  if (status === 404) return fail(1, `GET ${api} answered HTTP 404: the HTTP API of ${stack} has no GET /api/me route: deploy this version again`);
  if (status >= 500) return fail(3, `GET ${api} failed (HTTP ${status}): CloudFront could not reach the HTTP API of ${stack} through /api/*; try again, and if it persists check the behaviour's origin (the API's execute-api host)`);
  return fail(1, `GET ${api} without a token answered HTTP ${status} (expected 401 from the API's JWT authorizer): check CloudFront's /api/* behaviour of ${stack}, then deploy this version again`);
}

/**
 * GET <ConsoleUrl>api/me with a console access token (AWS only): a 200 whose body
 * names an actor proves that CloudFront's /api/* behaviour forwards
 * `Authorization` to the HTTP API and that its JWT authorizer takes the console's
 * tokens. Neither the token nor the actor is ever printed.
 */
export function checkConsoleApiWithToken(target: Extract<ConsoleTarget, { kind: 'aws' }>, answer: Pick<ConsoleAnswer, 'status' | 'text'>): ConsoleCheck {
  const { api } = consoleUrls(target);
  const { status } = answer;
  const stack = `stack ${target.stackName}`;
  if (status >= 200 && status < 300) {
    const me = z.object({ actor: z.string().min(1) }).safeParse(parseJson(answer.text));
    if (me.success) return { ok: true, result: `${status} with a token: Authorization reaches the API` };
    return fail(1, `GET ${api} with the token answered HTTP ${status} without the caller's identity: is ${target.url} the console of ${stack}?`);
  }
  if (status === 401) {
    return fail(1, `GET ${api} with the token answered HTTP 401: the token expired (access tokens last 15 minutes: copy a fresh one), is not an access token of this console's sign-in (an ID token is refused), or CloudFront's /api/* behaviour of ${stack} does not forward Authorization (lib/console.ts: the behaviour forwards every viewer header but Host): deploy this version again`);
  }
  if (status === 403) {
    return fail(1, `GET ${api} with the token answered HTTP 403: the API refused the token's scopes, or CloudFront's /api/* behaviour does not reach the HTTP API of ${stack} as it should: deploy this version again`);
  }
  if (status >= 500) return fail(3, `GET ${api} with the token failed (HTTP ${status}): the query function of ${stack} failed or could not be reached; read its logs, then try again`);
  return fail(1, `GET ${api} with the token answered HTTP ${status} (expected 200 with the caller's identity): check CloudFront's /api/* behaviour of ${stack}, then deploy this version again`);
}

/** A check's failure as the CLI's error; its result otherwise. */
export function settle(check: ConsoleCheck): string {
  if (!check.ok) throw new CliError(check.exitCode, check.message);
  return check.result;
}

/** GET one console URL, with a timeout; what the checks read of the answer. */
export async function getConsole(target: ConsoleTarget, url: string, deps: Pick<CliDeps, 'fetch'>, options: { readBody: boolean; token?: string }): Promise<ConsoleAnswer> {
  let response: Response;
  try {
    const headers = options.token === undefined ? undefined : { authorization: `Bearer ${options.token}` };
    response = await deps.fetch(url, { method: 'GET', redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS), ...(headers === undefined ? {} : { headers }) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error && 'code' in error.cause && typeof error.cause.code === 'string' ? error.cause.code : error instanceof Error ? error.name : 'no connection';
    throw new CliError(EXIT.unreachable, target.kind === 'local'
      ? `cannot reach the console at ${url} (${cause}): is \`npm start\` still running there?`
      : `cannot reach the console at ${url} (${cause}): check your network; a new distribution may take a few minutes to answer after the first deploy`);
  }
  let text = '';
  if (options.readBody) text = await response.text().catch(() => '');
  else await response.body?.cancel().catch(() => undefined);
  return { status: response.status, contentType: response.headers.get('content-type'), csp: response.headers.get('content-security-policy'), text };
}
