/**
 * Which route of the query API a request is for. On AWS the HTTP API names the
 * route (`routeKey`, with `pathParameters`); the local runtime sends `$default`
 * events, routed here by method and path.
 */
import { withoutConsolePrefix } from '../shared/actor';
import { HttpError } from './request';

export type RouteName =
  | 'order'
  | 'transaction'
  | 'redraws'
  | 'follow-ups'
  | 'follow-up-counts'
  | 'follow-up'
  | 'follow-up-stamp'
  | 'booking-sites'
  | 'booking-slots'
  | 'cancellation-reasons'
  | 'report'
  | 'me';

interface RouteSpec {
  name: RouteName;
  /** The HTTP API's route key on AWS. */
  key: string;
  path: RegExp;
  /** Name of the path parameter, if the route has one. */
  param?: string;
}

const ROUTES: readonly RouteSpec[] = [
  { name: 'order', key: 'GET /orders/{order_id}', path: /^\/orders\/([^/]+)$/, param: 'order_id' },
  { name: 'transaction', key: 'GET /transactions/{transaction_id}', path: /^\/transactions\/([^/]+)$/, param: 'transaction_id' },
  { name: 'redraws', key: 'GET /redraws', path: /^\/redraws$/ },
  { name: 'follow-ups', key: 'GET /follow-ups', path: /^\/follow-ups$/ },
  // Before /follow-ups/{follow_up_id}, which its path would match too (API Gateway prefers the literal route as well).
  { name: 'follow-up-counts', key: 'GET /follow-ups/counts', path: /^\/follow-ups\/counts$/ },
  { name: 'follow-up', key: 'GET /follow-ups/{follow_up_id}', path: /^\/follow-ups\/([^/]+)$/, param: 'follow_up_id' },
  { name: 'follow-up-stamp', key: 'GET /follow-ups/{follow_up_id}/stamp', path: /^\/follow-ups\/([^/]+)\/stamp$/, param: 'follow_up_id' },
  // CONTRACT §14: the booking's reads.
  { name: 'booking-sites', key: 'GET /follow-ups/{follow_up_id}/booking/sites', path: /^\/follow-ups\/([^/]+)\/booking\/sites$/, param: 'follow_up_id' },
  { name: 'booking-slots', key: 'GET /follow-ups/{follow_up_id}/booking/slots', path: /^\/follow-ups\/([^/]+)\/booking\/slots$/, param: 'follow_up_id' },
  { name: 'cancellation-reasons', key: 'GET /booking/cancellation-reasons', path: /^\/booking\/cancellation-reasons$/ },
  { name: 'report', key: 'GET /reports/redraws', path: /^\/reports\/redraws$/ },
  { name: 'me', key: 'GET /me', path: /^\/me$/ },
];

/** The parts of an HTTP API (payload v2) event a route is chosen by. */
export interface RoutedEvent {
  routeKey?: string | undefined;
  rawPath: string;
  pathParameters?: Record<string, string | undefined> | null | undefined;
  requestContext: { http: { method: string } };
}

export interface Matched {
  name: RouteName;
  /** The raw (decoded) path parameter; validated by the route. */
  id: string | undefined;
}

/** The route of `event`; a 404 for no route, a 405 for a method other than GET on one. */
export function matchRoute(event: RoutedEvent): Matched {
  if (event.routeKey !== undefined && event.routeKey !== '$default') {
    // The IAM routes, and the console's JWT routes under /api (CONTRACT §12): the same reads.
    const key = withoutConsolePrefix(event.routeKey);
    const route = ROUTES.find((candidate) => candidate.key === key);
    if (!route) throw new HttpError(404, 'route_not_found', 'no such route');
    return { name: route.name, id: route.param ? event.pathParameters?.[route.param] : undefined };
  }
  const method = event.requestContext.http.method.toUpperCase();
  for (const route of ROUTES) {
    const match = route.path.exec(event.rawPath);
    if (!match) continue;
    if (method !== 'GET') throw new HttpError(405, 'method_not_allowed', 'only GET is allowed here', { allow: 'GET' });
    return { name: route.name, id: match[1] === undefined ? undefined : decodePathSegment(match[1]) };
  }
  throw new HttpError(404, 'route_not_found', 'no such route');
}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'invalid_parameter', 'the path is not valid percent-encoding');
  }
}
