/**
 * Who a request is (CONTRACT §9, §12): the actor the record names. On AWS the
 * caller's IAM identity as API Gateway gives it in the request context
 * (`authorizer.iam.userArn`); through `npm start` the `x-redraw-actor` header
 * (a handle) or `local`. Never anything of the body. The actions function
 * records it; the query function answers it (GET /me) and lists Mine by it.
 */
import * as z from 'zod/mini';
import { TRACKER_ACTOR } from '../core/follow-up';

/** The actor of a request through `npm start` without an `x-redraw-actor` header. */
export const LOCAL_ACTOR = 'local';
/** An actor handle (the `x-redraw-actor` header): no spaces, no free text. */
export const ActorHandle = z.string().check(z.regex(/^[A-Za-z0-9._@:/+=,-]{1,200}$/, 'must be 1-200 letters, digits and ._@:/+=,-'));

/** Where the actor of an HTTP request comes from: the IAM identity (AWS) or the `x-redraw-actor` header (`npm start`). */
export type ActorSource = 'iam' | 'header';

/**
 * Actors only the tracker itself names (CONTRACT §9): its own changes, the
 * header's default, a chat button's channel and a console user. A local caller
 * may not pass for one of them.
 */
export function isReservedActor(actor: string): boolean {
  return actor === TRACKER_ACTOR || actor === LOCAL_ACTOR || actor.startsWith('chat:') || actor.startsWith('user:');
}

/** The parts of an HTTP API (payload v2) event the actor is read from. */
export interface ActorEvent {
  headers?: Record<string, string | undefined> | null | undefined;
  requestContext: { authorizer?: { iam?: { userArn?: string | null | undefined } | undefined } | undefined };
}

export type ActorOutcome = { kind: 'ok'; actor: string } | { kind: 'refused'; message: string };

/**
 * The request's actor. On AWS (`iam`) the route is IAM-authorized and API
 * Gateway always gives the identity: without one this throws (a 500, never a
 * guess). Locally a header that is not a handle, or names a reserved actor, is
 * refused with a message for a 400.
 */
export function actorOf(event: ActorEvent, source: ActorSource): ActorOutcome {
  if (source === 'iam') {
    const arn = event.requestContext.authorizer?.iam?.userArn;
    if (typeof arn !== 'string' || arn.length === 0 || arn.length > 2048) throw new Error('no IAM identity in the request context');
    return { kind: 'ok', actor: arn };
  }
  const header = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === 'x-redraw-actor')?.[1];
  if (header === undefined) return { kind: 'ok', actor: LOCAL_ACTOR };
  const handle = ActorHandle.safeParse(header);
  if (!handle.success) return { kind: 'refused', message: 'x-redraw-actor: must be a handle of 1-200 letters, digits and ._@:/+=,-' };
  if (isReservedActor(handle.data)) {
    return { kind: 'refused', message: "x-redraw-actor: tracker, local, chat:... and user:... are the tracker's own actors; name yourself with a handle" };
  }
  return { kind: 'ok', actor: handle.data };
}
