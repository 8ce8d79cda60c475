/**
 * npm start's routes past the server's guards, in the order they are tried:
 * the FHIR server's notifications (their own handler, with their own body
 * limit), the console's files, npm start's own routes (local-routes.ts), and
 * then, the body read within the limit the deployed route has, the functions
 * as API Gateway routes to them: the webhook, the follow-up actions, and the
 * query for every other path (it answers 404 route_not_found).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_ACTION_BODY_BYTES, payloadTooLargeResponse } from '../../functions/follow-up-actions/app';
import { isNotificationsPath } from './fhir-notifications-route';
import { MAX_REQUEST_BYTES, readBodyWithin, toApiGatewayEvent, writeJson, writeResult } from '../http-adapter';
import { localContext } from '../lambda-context';
import type { ConsoleServer } from './console';
import type { LocalFunctions } from './functions';
import { findLocalRoute, type LocalRouteHandler } from './local-routes';
import type { LocalRouter } from './server';
import type { LocalStreams } from './streams';

const WEBHOOK_PATH = '/webhooks/junction';

/** POST /follow-ups/{follow_up_id}/actions: served by the follow-up actions function (any other method answers 405 there). */
const FOLLOW_UP_ACTIONS_PATH = /^\/follow-ups\/[^/]+\/actions$/;

/** The routes another server calls, signed (the webhook, the FHIR server's notifications): no page of another site is refused there. */
export function isServerToServer(path: string): boolean {
  return path === WEBHOOK_PATH || isNotificationsPath(path);
}

export interface RouterParts {
  notifications: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
  console: ConsoleServer;
  localRoutes: readonly LocalRouteHandler[];
  functions: Pick<LocalFunctions, 'webhook' | 'followUpActions' | 'query'>;
  /** The webhook's answers are counted in flight: the stream readers rest meanwhile. */
  streams: Pick<LocalStreams, 'answeringWebhook'>;
}

export function localRouter(parts: RouterParts): LocalRouter {
  const { functions } = parts;
  return async (request, response, method, path) => {
    if (isNotificationsPath(path)) return parts.notifications(request, response);
    if (parts.console(method, path, request, response)) return;
    const local = findLocalRoute(parts.localRoutes, method, path);
    const query = () => new URL(request.url ?? '/', 'http://127.0.0.1').searchParams;
    if (local !== undefined && !local.readsBody) return writeJson(response, ...(await local.answer({ query: query(), body: Buffer.alloc(0) })));
    // The action route's own limit, answered as its function answers it; the others', as API Gateway answers.
    const actionRoute = method === 'POST' && FOLLOW_UP_ACTIONS_PATH.test(path);
    const body = await readBodyWithin(request, actionRoute ? MAX_ACTION_BODY_BYTES : MAX_REQUEST_BYTES);
    if (body === null) {
      return actionRoute ? writeResult(response, payloadTooLargeResponse()) : writeJson(response, 413, { error: { code: 'payload_too_large', message: 'request body too large' } });
    }
    if (local !== undefined) return writeJson(response, ...(await local.answer({ query: query(), body })));
    const event = toApiGatewayEvent(request, body);
    if (path === WEBHOOK_PATH && method === 'POST') {
      return parts.streams.answeringWebhook(async () => writeResult(response, await functions.webhook(event, localContext('webhook'))));
    }
    if (FOLLOW_UP_ACTIONS_PATH.test(path)) return writeResult(response, await functions.followUpActions(event, lambdaClock(ACTIONS_TIMEOUT_MS)));
    return writeResult(response, await functions.query(event, lambdaClock(QUERY_TIMEOUT_MS)));
  };
}

/** The functions' timeouts on AWS (lib/): a booking's call to Junction ends before the function's would, here as there. */
const ACTIONS_TIMEOUT_MS = 29_000;
const QUERY_TIMEOUT_MS = 10_000;

/** What a Lambda context says of the time left, for a request that starts now and may take `timeoutMs`. */
function lambdaClock(timeoutMs: number): { getRemainingTimeInMillis(): number } {
  const end = Date.now() + timeoutMs;
  return { getRemainingTimeInMillis: () => end - Date.now() };
}
