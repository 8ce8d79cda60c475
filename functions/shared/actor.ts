/**
 * Who a request is (CONTRACT §9, §12): the actor the record names. On AWS, on
 * the IAM routes, the caller's IAM identity as API Gateway gives it in the
 * request context (`authorizer.iam.userArn`), and only when it is an IAM or STS
 * ARN; on the console's JWT routes (those under CONSOLE_API_PREFIX),
 * `user:<username>` from the bearer access token, which the function verifies
 * itself (./access-token.ts). Through `npm start` the `x-redraw-actor` header
 * (a handle) or `local`. Never anything of the body. The actions function
 * records it; the query function answers it (GET /me) and lists Mine by it.
 *
 * Why the console's claims in the request context are never read: anyone with
 * lambda:InvokeFunction on a function can hand it any event (issue 45; docs/
 * deploy.md names who and the guardrail). Such a caller can still name an ARN
 * on an IAM route, but no console user without that user's valid token, and
 * none of the tracker's own actors.
 */
import * as z from 'zod/mini';
import { TRACKER_ACTOR } from '../core/follow-up/history';
import type { AccessTokens } from './access-token';

/** The actor of a request through `npm start` without an `x-redraw-actor` header. */
export const LOCAL_ACTOR = 'local';
/** An actor handle (the `x-redraw-actor` header): no spaces, no free text; it starts with a letter or a digit (CONTRACT §9). */
export const ActorHandle = z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._@:/+=,-]{0,199}$/, 'must start with a letter or a digit, then 1-200 letters, digits and ._@:/+=,-'));

/** The path prefix of the console's JWT-authorized routes on AWS (CloudFront's `/api/*` behaviour reaches them unchanged). */
export const CONSOLE_API_PREFIX = '/api';
export { CONSOLE_USERNAME } from './access-token';
/** The actor of a console user: `user:<username>`. */
export const CONSOLE_ACTOR_PREFIX = 'user:';
/** The actor of work done on a Task in the EHR (CONTRACT §13): `ehr:<who>`. */
export const EHR_ACTOR_PREFIX = 'ehr:';

/** Where the actor of an HTTP request comes from: API Gateway's authorizer context (AWS) or the `x-redraw-actor` header (`npm start`). */
export type ActorSource = 'iam' | 'header';

/**
 * Actors only the tracker itself names (CONTRACT §9, §13): its own changes, the
 * header's default, a chat button's channel, a console user and an EHR user. A local caller
 * may not pass for one of them.
 */
export function isReservedActor(actor: string): boolean {
  return actor === TRACKER_ACTOR || actor === LOCAL_ACTOR || actor.startsWith('chat:') || actor.startsWith(CONSOLE_ACTOR_PREFIX) || actor.startsWith(EHR_ACTOR_PREFIX);
}

/**
 * The authorizer's part of an HTTP API (payload v2) request context, as the
 * functions parse it: the IAM identity. The JWT authorizer's `jwt` (claims,
 * scopes) comes with a console request; it is no evidence and nothing reads it.
 */
export const RequestAuthorizer = z.optional(
  z.object({
    iam: z.optional(z.object({ userArn: z.optional(z.nullable(z.string())) })),
    jwt: z.optional(z.unknown()),
  }),
);

/** The parts of an HTTP API (payload v2) event the actor is read from. */
export interface ActorEvent {
  routeKey?: string | undefined;
  headers?: Record<string, string | undefined> | null | undefined;
  requestContext: {
    authorizer?: { iam?: { userArn?: string | null | undefined } | undefined } | undefined;
  };
}

export type ActorOutcome =
  | { kind: 'ok'; actor: string; groups: readonly string[]; scopes: readonly string[] }
  | { kind: 'refused'; status: 400 | 401 | 403; code: 'invalid_request' | 'unauthorized' | 'forbidden'; message: string };

/** Whether an AWS route key is one of the console's JWT routes (`GET /api/follow-ups`, ...). */
export function isConsoleRouteKey(routeKey: string | undefined): boolean {
  return routeKey?.split(' ')[1]?.startsWith(`${CONSOLE_API_PREFIX}/`) === true;
}

/** An AWS route key without the console's prefix: `GET /api/me` is `GET /me`; others as they are. */
export function withoutConsolePrefix(routeKey: string): string {
  if (!isConsoleRouteKey(routeKey)) return routeKey;
  const [method, path = ''] = routeKey.split(' ');
  return `${method} ${path.slice(CONSOLE_API_PREFIX.length)}`;
}

/** Whether the request is one of the console's, on AWS: its caller is then its access token's user. */
export function isConsoleRequest(event: ActorEvent, source: ActorSource): boolean {
  return source === 'iam' && isConsoleRouteKey(event.routeKey);
}

/**
 * The caller as an IAM or STS ARN (what API Gateway's IAM authorizer gives:
 * `arn:aws:iam::<account>:user/...`, `arn:aws:sts::<account>:assumed-role/...`),
 * in any partition, with IAM's name characters only and at most 2,048 of them.
 * Nothing else is an IAM caller: `user:...`, `chat:...`, `tracker`, ''.
 */
export const IAM_CALLER_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/:-]+$/;
export const MAX_IAM_CALLER_LENGTH = 2048;

/** Whether `arn` may name an IAM route's caller. */
export function isIamCallerArn(arn: unknown): arn is string {
  return typeof arn === 'string' && arn.length <= MAX_IAM_CALLER_LENGTH && IAM_CALLER_ARN.test(arn);
}

/**
 * The actor of the request, verified: a console request's from its access
 * token (`tokens`; null, as on a stack without the console: every console
 * request is 401), an IAM route's from its ARN, a local one's from the header.
 */
export async function identify(event: ActorEvent, source: ActorSource, tokens: AccessTokens | null): Promise<ActorOutcome> {
  if (!isConsoleRequest(event, source)) return actorOf(event, source);
  if (tokens === null) return { kind: 'refused', status: 401, code: 'unauthorized', message: 'the console is not set up on this stack' };
  const outcome = await tokens.verify(headerOf(event, 'authorization'));
  if (outcome.kind === 'unauthorized') return { kind: 'refused', status: 401, code: 'unauthorized', message: outcome.message };
  return { kind: 'ok', actor: `${CONSOLE_ACTOR_PREFIX}${outcome.user.username}`, groups: outcome.user.groups, scopes: outcome.user.scopes };
}

/**
 * The actor of a request that is not the console's (see `identify` for those,
 * refused 401 here): on AWS the IAM route's ARN (anything else in its place is
 * refused 403, never recorded); locally a header that is not a handle, or
 * names a reserved actor, is refused with a 400.
 */
export function actorOf(event: ActorEvent, source: ActorSource): ActorOutcome {
  if (source === 'iam') {
    if (isConsoleRouteKey(event.routeKey)) return { kind: 'refused', status: 401, code: 'unauthorized', message: "a console request's caller is its verified access token" };
    const arn = event.requestContext.authorizer?.iam?.userArn;
    if (!isIamCallerArn(arn)) return { kind: 'refused', status: 403, code: 'forbidden', message: 'the request names no IAM caller (an IAM or STS ARN): sign it with AWS credentials' };
    return { kind: 'ok', actor: arn, groups: [], scopes: [] };
  }
  const header = headerOf(event, 'x-redraw-actor');
  if (header === undefined) return { kind: 'ok', actor: LOCAL_ACTOR, groups: [], scopes: [] };
  const handle = ActorHandle.safeParse(header);
  if (!handle.success) return { kind: 'refused', status: 400, code: 'invalid_request', message: 'x-redraw-actor: must be a handle that starts with a letter or a digit, then letters, digits and ._@:/+=,- (1-200 characters)' };
  if (isReservedActor(handle.data)) {
    return { kind: 'refused', status: 400, code: 'invalid_request', message: "x-redraw-actor: tracker, local, chat:... and user:... are the tracker's own actors; name yourself with a handle" };
  }
  return { kind: 'ok', actor: handle.data, groups: [], scopes: [] };
}

/** A request header by its name in any case (API Gateway lower-cases them; a direct test may not). */
function headerOf(event: ActorEvent, name: string): string | undefined {
  return Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
}
