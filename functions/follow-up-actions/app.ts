/**
 * Actions on follow-ups (CONTRACT §9): POST /follow-ups/{follow_up_id}/actions,
 * for API Gateway HTTP API events (payload v2) and nothing else. The chat
 * buttons have a function of their own (functions/chat-button), which can do
 * only what the two buttons do.
 *
 * Each action is parsed, applied and written by the store (actOnFollowUp: one
 * conditional transaction per change, so two people acting at once never lose or
 * double an action). The actor is never taken from the body: on AWS it is the
 * caller's IAM ARN as API Gateway gives it on the IAM route, or the user of the
 * access token the function verifies itself on the console's route (the act
 * scope required; functions/shared/actor.ts); locally the `x-redraw-actor`
 * header (a handle) or `local`. Only the HTTP API may invoke this function
 * through the stack's own grants (its resource policy allows
 * `apigateway.amazonaws.com` from this API only, and no role of the stack may
 * invoke it: lib/redraw-tracker-stack.ts, issue 32); a principal of the account
 * with lambda:InvokeFunction still can, which is why the console's claims in
 * the request context are never read (docs/deploy.md).
 * Logs say which follow-up, which action and the outcome, never the body.
 */
import * as z from 'zod/mini';
import { ACTION_NAMES } from '../core/follow-up/action-body';
import { BOOKING_ACTION_NAMES, isBookingAction } from '../core/booking/record';
import type { BookingDeps, BookingResult } from './booking/result';
import type { Caller, CallerKind } from '../core/follow-up/person-action';
import { graceHoursOf } from '../core/staleness';
import type { FollowUpView } from '../core/follow-up/view';
import { ACT_SCOPE_MISSING, CONSOLE_ACT_SCOPE_CLAIM, type AccessTokens } from '../shared/access-token';
import { CONSOLE_ACTOR_PREFIX, identify, isConsoleRequest, RequestAuthorizer, withoutConsolePrefix, type ActorSource } from '../shared/actor';
import { ResourceId } from '../core/schemas';
import type { StaleThresholds } from '../core/staleness';
import { actOnFollowUp, type PersonActionResult } from '../store/follow-ups/actions';
import type { StoredFollowUp } from '../store/follow-ups/item';
import { followUpViews } from '../store/follow-ups/worklist';
import type { TableClient } from '../store/table-client';
import { SERVICES } from '../shared/metric-names';
import { errorName, type FlushingMetricSink, type LogSink } from '../shared/observability';
import type { PscApi } from '../junction/psc';

export const FOLLOW_UP_ACTIONS_SERVICE_NAME = SERVICES.followUpActions;

/** The HTTP API's route key on AWS. */
export const ACTIONS_ROUTE_KEY = 'POST /follow-ups/{follow_up_id}/actions';
const ACTIONS_PATH = /^\/follow-ups\/([^/]+)\/actions$/;

/**
 * Bodies are a few fields (the longest, an assign to a 2,048-character IAM ARN
 * with a 200-character reference, is under 2.5 KB); anything bigger is not an
 * action: 413 payload_too_large, on AWS and through `npm start` alike.
 */
export const MAX_ACTION_BODY_BYTES = 4096;

/** The one media type an action is sent as (CONTRACT §9: "a JSON body"); JSON is UTF-8 (RFC 8259). */
export const ACTION_MEDIA_TYPE = 'application/json';

/** The 413 for a body over MAX_ACTION_BODY_BYTES: the handler's, and `npm start`'s before it reads further (local/runtime.ts). */
export function payloadTooLargeResponse(): ActionsHttpResponse {
  return respond(tooLarge());
}

export { ActorHandle, isReservedActor, LOCAL_ACTOR, type ActorSource } from '../shared/actor';

/** The names of the actions (CONTRACT §9), the only part of a body a log may name. */
const LOGGED_ACTION_NAMES: ReadonlySet<string> = new Set([...ACTION_NAMES, ...BOOKING_ACTION_NAMES]);

export interface FollowUpActionsDeps {
  db: TableClient;
  tableName: string;
  thresholds: StaleThresholds;
  logger: LogSink;
  /** 'iam' on AWS (handler.ts); 'header' for the local runtime only. */
  actorSource: ActorSource;
  /** CLOSE_REQUIRES_GROUP: the Cognito group a console user needs to close or reopen (CONTRACT §12); null or absent: everyone signed in. */
  closeGroup?: string | null;
  /** The console's access tokens (CONTRACT §12); null or absent: no console, its route is 401. */
  accessTokens?: AccessTokens | null;
  /** Junction's PSC client for the key set now (CONTRACT §14), null while none is; null or absent: no key (booking through Junction is 409 not_bookable). */
  psc?: (() => Promise<PscApi | null>) | null;
  /** JUNCTION_BOOKING_ASYNC=on: a booking asks Junction for async confirmation (CONTRACT §14). */
  bookingAsync?: boolean;
  /** BOOKING_REQUIRES_GROUP: the Cognito group a console user needs for the four booking actions (CONTRACT §14); null or absent: everyone signed in. */
  bookingGroup?: string | null;
  /** RETENTION_DAYS: a booked appointment kept on its order expires as a webhook's would; null or absent: kept. */
  retentionDays?: number | null;
  metrics?: FlushingMetricSink | null;
  now?: () => Date;
}

/** What the handler reads of the Lambda context: the time left (a booking's call ends before the function does). */
export interface ActionsInvocation {
  getRemainingTimeInMillis(): number;
}

/** The parts of an HTTP API (payload v2) event this function reads. */
const HttpEvent = z.object({
  routeKey: z.optional(z.string()),
  rawPath: z.string(),
  headers: z.nullish(z.record(z.string(), z.optional(z.string()))),
  body: z.nullish(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
  pathParameters: z.nullish(z.record(z.string(), z.optional(z.string()))),
  requestContext: z.object({
    http: z.object({ method: z.string() }),
    authorizer: RequestAuthorizer,
  }),
});
type HttpEvent = z.output<typeof HttpEvent>;
export type ActionsHttpEvent = z.input<typeof HttpEvent>;

export interface ActionsHttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** An answer before its transport: status, body and extra headers. */
interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

const refuse = (status: number, code: string, message: string, headers?: Record<string, string>): Answer => ({
  status,
  body: { error: { code, message } },
  ...(headers ? { headers } : {}),
});

const tooLarge = (): Answer => refuse(413, 'payload_too_large', `the body must be at most ${MAX_ACTION_BODY_BYTES} bytes`);

/**
 * The function's handler: an API Gateway HTTP API event gets an HTTP answer;
 * anything else (a direct invocation's payload of any shape) gets a 400 and
 * changes nothing.
 */
export function createFollowUpActionsHandler(deps: FollowUpActionsDeps): (event: unknown, invocation?: ActionsInvocation) => Promise<ActionsHttpResponse> {
  const { db, tableName, thresholds, logger } = deps;
  const now = deps.now ?? (() => new Date());

  const view = async (stored: StoredFollowUp, at: Date): Promise<FollowUpView> => {
    const [one] = await followUpViews(db, tableName, [stored], at);
    if (one === undefined) throw new Error('no view of a stored follow-up');
    return one;
  };

  /** Applies `body` to follow-up `rawId` as `actor` (calling from `callerKind`) and maps the store's result to an answer. */
  const act = async (rawId: unknown, body: unknown, actor: string, callerKind: CallerKind): Promise<Answer> => {
    const id = ResourceId.safeParse(rawId);
    if (!id.success) return refuse(400, 'invalid_request', 'follow_up_id must be 1-128 letters, digits, "-" or "_"');
    const at = now();
    const result = await actOnFollowUp(db, tableName, { id: id.data, body, actor, callerKind, now: at, thresholds });
    logger.info('follow-up action', { follow_up_id: id.data, action: actionName(body), outcome: result.kind });
    return answerOf(result, (stored) => view(stored, at));
  };

  const http = async (event: HttpEvent, remainingMs: () => number): Promise<Answer> => {
    const target = actionTarget(event);
    if (target.kind === 'refused') return target.answer;
    // On AWS who asks comes first: a console request without a valid token is 401 whatever it carries.
    const early = isConsoleRequest(event, deps.actorSource) ? await actorOfEvent(event) : null;
    if (early?.kind === 'refused') return early.answer;
    // Size first, then the media type: what `npm start` answers before reading past the limit, the handler answers too.
    if (bodyBytes(event).length > MAX_ACTION_BODY_BYTES) return tooLarge();
    if (!isJsonMediaType(headerOf(event, 'content-type'))) {
      return refuse(415, 'unsupported_media_type', `send the action as ${ACTION_MEDIA_TYPE} (Content-Type: ${ACTION_MEDIA_TYPE}), a JSON object such as {"action": "acknowledge"}`);
    }
    const actor = early ?? (await actorOfEvent(event));
    if (actor.kind === 'refused') return actor.answer;
    const body = jsonBody(event);
    if (body.kind === 'refused') return body.answer;
    if (!mayAct(deps.closeGroup ?? null, actor.actor, actor.groups, body.value)) {
      return refuse(403, 'forbidden', `close and reopen are for the ${deps.closeGroup ?? ''} group; ask one of its members`);
    }
    const caller = { actor: actor.actor, kind: callerKindOf(event, deps.actorSource) };
    if (isBookingAction(body.value)) {
      if (!mayBook(deps.bookingGroup ?? null, actor.actor, actor.groups)) return refuse(403, 'forbidden', bookingGroupWords(deps.bookingGroup ?? ''));
      return book(target.rawId, body.value, caller, remainingMs());
    }
    return act(target.rawId, body.value, caller.actor, caller.kind);
  };

  const book = bookingAction(deps, view);

  /** The verified caller; on the console's route, one whose token carries the act scope (CONTRACT §12). */
  const actorOfEvent = async (event: HttpEvent): Promise<{ kind: 'ok'; actor: string; groups: readonly string[] } | { kind: 'refused'; answer: Answer }> => {
    const outcome = await identify(event, deps.actorSource, deps.accessTokens ?? null);
    if (outcome.kind === 'refused') return { kind: 'refused', answer: refuse(outcome.status, outcome.code, outcome.message) };
    if (isConsoleRequest(event, deps.actorSource) && !outcome.scopes.includes(CONSOLE_ACT_SCOPE_CLAIM)) {
      return { kind: 'refused', answer: refuse(403, 'forbidden', ACT_SCOPE_MISSING) };
    }
    return outcome;
  };

  const route = async (rawEvent: unknown, remainingMs: () => number): Promise<Answer> => {
    const httpEvent = HttpEvent.safeParse(rawEvent);
    if (httpEvent.success) return http(httpEvent.data, remainingMs);
    // Not an HTTP API event: nothing to act on (the chat buttons are functions/chat-button's). Never logged: it is the sender's.
    logger.warn('follow-up action refused: not an HTTP API event');
    return refuse(400, 'invalid_request', 'this function takes HTTP API requests only (POST /follow-ups/{follow_up_id}/actions)');
  };

  return async (rawEvent: unknown, invocation?: ActionsInvocation): Promise<ActionsHttpResponse> => {
    let answer: Answer;
    try {
      answer = await route(rawEvent, () => invocation?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY);
    } catch (error) {
      logger.error('follow-up action failed', { error: errorName(error) });
      answer = refuse(500, 'internal_error', 'internal error');
    }
    return respond(answer);
  };
}

/** The booking actions (CONTRACT §14): `book(rawId, body, caller, remaining)` answers one, within the `remaining` milliseconds the function has. */
function bookingAction(deps: FollowUpActionsDeps, view: (stored: StoredFollowUp, at: Date) => Promise<FollowUpView>) {
  const now = deps.now ?? (() => new Date());
  const bookingDeps: BookingDeps = {
    db: deps.db,
    tableName: deps.tableName,
    thresholds: deps.thresholds,
    logger: deps.logger,
    metrics: deps.metrics ?? null,
    psc: deps.psc ?? null,
    bookingAsync: deps.bookingAsync ?? false,
    graceHours: graceHoursOf(deps.thresholds),
    retentionDays: deps.retentionDays ?? null,
  };
  return async (rawId: unknown, body: unknown, caller: Caller, remaining: number): Promise<Answer> => {
    const id = ResourceId.safeParse(rawId);
    if (!id.success) return refuse(400, 'invalid_request', 'follow_up_id must be 1-128 letters, digits, "-" or "_"');
    const at = now();
    // A chunk loaded on the first booking (the Junction client and the booking's rules): the other actions' cold start does not pay for it.
    const { actOnBooking } = await import('./booking/flow');
    let result: BookingResult;
    try {
      result = await actOnBooking(bookingDeps, { id: id.data, body, caller, now: at, remainingMs: remaining });
    } finally {
      // Only a booking records metrics (BOOKING_METRICS): the other actions publish none.
      deps.metrics?.publishStoredMetrics();
    }
    deps.logger.info('follow-up action', { follow_up_id: id.data, action: actionName(body), outcome: result.kind === 'refused' ? result.code : result.kind });
    return bookingAnswerOf(result, (stored) => view(stored, at));
  };
}

/** The name of the body's action when it is one of §9's (ACTION_NAMES), else null: the only part of a body a log may name. */
function actionName(body: unknown): string | null {
  return typeof body === 'object' && body !== null && LOGGED_ACTION_NAMES.has(String((body as { action?: unknown }).action)) ? String((body as { action: unknown }).action) : null;
}

/** The store's result as an answer; `view` shows the follow-up as it now is. */
async function answerOf(result: PersonActionResult, view: (stored: StoredFollowUp) => Promise<FollowUpView>): Promise<Answer> {
  switch (result.kind) {
    case 'changed':
    case 'unchanged':
      return { status: 200, body: { follow_up: await view(result.stored) } };
    case 'not_found':
      return refuse(404, 'not_found', 'no follow-up with this id');
    case 'invalid_request':
      return refuse(400, 'invalid_request', result.message);
    case 'conflict':
      return {
        status: 409,
        body: { error: { code: 'conflict', message: 'expected_version is not the follow-up\'s version: it changed since (the current follow-up is in this answer)' }, follow_up: await view(result.stored) },
      };
    case 'invalid_transition':
      return { status: 409, body: { error: { code: 'invalid_transition', message: result.message }, follow_up: await view(result.stored) } };
  }
}

/** Which follow-up the request acts on (its raw id, checked later), or why no route answers it. */
function actionTarget(event: HttpEvent): { kind: 'ok'; rawId: string | undefined } | { kind: 'refused'; answer: Answer } {
  if (event.routeKey !== undefined && event.routeKey !== '$default') {
    // The IAM route, or the console's JWT route under /api (CONTRACT §12): the same action.
    if (withoutConsolePrefix(event.routeKey) !== ACTIONS_ROUTE_KEY) return { kind: 'refused', answer: refuse(404, 'route_not_found', 'no such route') };
    return { kind: 'ok', rawId: event.pathParameters?.follow_up_id };
  }
  const match = ACTIONS_PATH.exec(event.rawPath);
  if (!match) return { kind: 'refused', answer: refuse(404, 'route_not_found', 'no such route') };
  if (event.requestContext.http.method.toUpperCase() !== 'POST') return { kind: 'refused', answer: refuse(405, 'method_not_allowed', 'only POST is allowed here', { allow: 'POST' }) };
  try {
    return { kind: 'ok', rawId: decodeURIComponent(match[1] ?? '') };
  } catch {
    return { kind: 'refused', answer: refuse(400, 'invalid_request', 'the path is not valid percent-encoding') };
  }
}

/**
 * Where a request comes from, for §9's owner rule: a console user on the
 * console's JWT routes (AWS, its token verified); an IAM caller on the IAM
 * route; `npm start`'s callers are local (a typed handle is not a signed-in person).
 */
function callerKindOf(event: HttpEvent, source: ActorSource): CallerKind {
  if (source === 'header') return 'local';
  return isConsoleRequest(event, source) ? 'console' : 'iam';
}

/** CONTRACT §14: BOOKING_REQUIRES_GROUP keeps the four booking actions to one Cognito group for console users (`group`; null: no such setting). */
export function mayBook(group: string | null, actor: string, groups: readonly string[]): boolean {
  return group === null || !actor.startsWith(CONSOLE_ACTOR_PREFIX) || groups.includes(group);
}

/** The 403's words, and the console's beside a disabled Book. */
export function bookingGroupWords(group: string): string {
  return `booking is for the ${group} group; ask one of its members`;
}

/** A booking action's result as an answer: the follow-up beside every answer that has one. */
async function bookingAnswerOf(result: BookingResult, view: (stored: StoredFollowUp) => Promise<FollowUpView>): Promise<Answer> {
  switch (result.kind) {
    case 'ok':
      return { status: 200, body: { follow_up: await view(result.stored), ...(result.message === null ? {} : { message: result.message }) } };
    case 'not_found':
    case 'invalid_request':
    case 'conflict':
      return answerOf(result, view);
    case 'refused': {
      const headers = result.retryAfter == null ? undefined : { 'retry-after': result.retryAfter };
      // A 409 or 502 shows the follow-up as it now is (the claim kept, a booking made elsewhere); a 400 or 500 is the request's.
      const shown = result.stored !== null && (result.status === 409 || result.status === 502) ? { follow_up: await view(result.stored) } : {};
      const body = { error: { code: result.code, message: result.message }, ...shown };
      return { status: result.status, body, ...(headers === undefined ? {} : { headers }) };
    }
  }
}

/** CONTRACT §12: a setting may keep close and reopen to one Cognito group (`group`; null: no such setting); it binds console users (the IAM routes stay as they are). */
export function mayAct(group: string | null, actor: string, groups: readonly string[], body: unknown): boolean {
  if (group === null || !actor.startsWith(CONSOLE_ACTOR_PREFIX)) return true;
  const action = typeof body === 'object' && body !== null ? (body as { action?: unknown }).action : undefined;
  return !(action === 'close' || action === 'reopen') || groups.includes(group);
}

function respond(answer: Answer): ActionsHttpResponse {
  return {
    statusCode: answer.status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...answer.headers },
    body: JSON.stringify(answer.body),
  };
}

/** A request header by its name in any case (API Gateway lower-cases them; a direct test may not). */
function headerOf(event: HttpEvent, name: string): string | undefined {
  return Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
}

/**
 * Whether a Content-Type is JSON: `application/json` in any case, with
 * parameters allowed (`; charset=utf-8`) but no charset other than UTF-8.
 * Absent, `text/plain` or form-encoded is not: a browser form or a
 * `curl -d` without `-H` must not change a follow-up.
 */
export function isJsonMediaType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type = '', ...parameters] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (type !== ACTION_MEDIA_TYPE) return false;
  return parameters.every((parameter) => {
    const [name, value = ''] = parameter.split('=').map((part) => part.trim());
    return name !== 'charset' || ['utf-8', 'utf8', '"utf-8"'].includes(value);
  });
}

/** The body's bytes, base64 undone. */
function bodyBytes(event: HttpEvent): Buffer {
  const raw = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
}

/** The JSON of a request's body (its size already checked), base64 undone. Messages never echo it. */
function jsonBody(event: HttpEvent): { kind: 'ok'; value: unknown } | { kind: 'refused'; answer: Answer } {
  const bytes = bodyBytes(event);
  try {
    return { kind: 'ok', value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { kind: 'refused', answer: refuse(400, 'invalid_request', 'the body must be a JSON object: {"action": "...", ...}') };
  }
}
