/**
 * Who a request is (CONTRACT §9, §12): the actor the record names. On AWS the
 * caller's IAM identity as API Gateway gives it in the request context
 * (`authorizer.iam.userArn`) on the IAM routes, and `user:<username>` from the
 * verified claims of a console user's access token (`authorizer.jwt.claims`)
 * on the console's JWT routes (those under CONSOLE_API_PREFIX); through `npm
 * start` the `x-redraw-actor` header (a handle) or `local`. Never anything of
 * the body. The actions function records it; the query function answers it
 * (GET /me) and lists Mine by it.
 *
 * On AWS the request context is believed because only the stack's HTTP API
 * may invoke these functions (their resource policies), and API Gateway sets
 * the authorizer's context itself after verifying the signature or the token.
 */
import * as z from 'zod/mini';
import { TRACKER_ACTOR } from '../core/follow-up';

/** The actor of a request through `npm start` without an `x-redraw-actor` header. */
export const LOCAL_ACTOR = 'local';
/** An actor handle (the `x-redraw-actor` header): no spaces, no free text. */
export const ActorHandle = z.string().check(z.regex(/^[A-Za-z0-9._@:/+=,-]{1,200}$/, 'must be 1-200 letters, digits and ._@:/+=,-'));

/** The path prefix of the console's JWT-authorized routes on AWS (CloudFront's `/api/*` behaviour reaches them unchanged). */
export const CONSOLE_API_PREFIX = '/api';
/** A console user's username as the stack invites them (CONTRACT §12). */
export const CONSOLE_USERNAME = /^[a-z0-9._-]{1,64}$/;
/** The actor of a console user: `user:<username>`. */
export const CONSOLE_ACTOR_PREFIX = 'user:';

/** Where the actor of an HTTP request comes from: API Gateway's authorizer context (AWS) or the `x-redraw-actor` header (`npm start`). */
export type ActorSource = 'iam' | 'header';

/**
 * Actors only the tracker itself names (CONTRACT §9): its own changes, the
 * header's default, a chat button's channel and a console user. A local caller
 * may not pass for one of them.
 */
export function isReservedActor(actor: string): boolean {
  return actor === TRACKER_ACTOR || actor === LOCAL_ACTOR || actor.startsWith('chat:') || actor.startsWith(CONSOLE_ACTOR_PREFIX);
}

/** The authorizer's part of an HTTP API (payload v2) request context, as the functions parse it: the IAM identity or the JWT's claims. */
export const RequestAuthorizer = z.optional(
  z.object({
    iam: z.optional(z.object({ userArn: z.optional(z.nullable(z.string())) })),
    jwt: z.optional(z.object({ claims: z.optional(z.record(z.string(), z.unknown())) })),
  }),
);

/** The parts of an HTTP API (payload v2) event the actor is read from. */
export interface ActorEvent {
  routeKey?: string | undefined;
  headers?: Record<string, string | undefined> | null | undefined;
  requestContext: {
    authorizer?:
      | {
          iam?: { userArn?: string | null | undefined } | undefined;
          jwt?: { claims?: Record<string, unknown> | undefined } | undefined;
        }
      | undefined;
  };
}

export type ActorOutcome = { kind: 'ok'; actor: string; groups: readonly string[] } | { kind: 'refused'; status: 400 | 403; message: string };

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

/**
 * The request's actor. On AWS (`iam`): on a console route, `user:<username>`
 * from the access token's verified claims (a missing, ID-token or malformed
 * claim is refused 403, never guessed); on an IAM route, the IAM identity
 * (without it this throws: a 500, never a guess). Locally a header that is
 * not a handle, or names a reserved actor, is refused with a 400.
 */
export function actorOf(event: ActorEvent, source: ActorSource): ActorOutcome {
  if (source === 'iam') {
    if (isConsoleRouteKey(event.routeKey)) return consoleUserOf(event.requestContext.authorizer?.jwt?.claims);
    const arn = event.requestContext.authorizer?.iam?.userArn;
    if (typeof arn !== 'string' || arn.length === 0 || arn.length > 2048) throw new Error('no IAM identity in the request context');
    return { kind: 'ok', actor: arn, groups: [] };
  }
  const header = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === 'x-redraw-actor')?.[1];
  if (header === undefined) return { kind: 'ok', actor: LOCAL_ACTOR, groups: [] };
  const handle = ActorHandle.safeParse(header);
  if (!handle.success) return { kind: 'refused', status: 400, message: 'x-redraw-actor: must be a handle of 1-200 letters, digits and ._@:/+=,-' };
  if (isReservedActor(handle.data)) {
    return { kind: 'refused', status: 400, message: "x-redraw-actor: tracker, local, chat:... and user:... are the tracker's own actors; name yourself with a handle" };
  }
  return { kind: 'ok', actor: handle.data, groups: [] };
}

/**
 * A console user from an access token's claims as API Gateway's JWT authorizer
 * passes them (strings; a list as `[a b]`): `token_use` must be `access` and
 * `username` an invited username. Their Cognito groups come along (`cognito:groups`).
 */
function consoleUserOf(claims: Record<string, unknown> | undefined): ActorOutcome {
  const refused: ActorOutcome = { kind: 'refused', status: 403, message: 'the token does not name a console user: sign in again' };
  if (claims === undefined || claims.token_use !== 'access') return refused;
  const username = claims.username;
  if (typeof username !== 'string' || !CONSOLE_USERNAME.test(username)) return refused;
  return { kind: 'ok', actor: `${CONSOLE_ACTOR_PREFIX}${username}`, groups: groupsOf(claims['cognito:groups']) };
}

/** Cognito groups as API Gateway passes them: `[leads ops]` (a string), or a list. */
function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.filter((group): group is string => typeof group === 'string');
  if (typeof claim !== 'string') return [];
  return claim.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter((group) => group.length > 0);
}
