/**
 * npm start's own routes, as a table: GET /health and the /local/ routes a
 * developer and the tests drive (CONTRACT §5, §7, §11, §13), none of them a
 * route of the deployed API. Each answers JSON from the parts it is given, so
 * a route is one row here, and the rules of its answer (400 on an unknown
 * format or type, 409 without FHIR or Junction's API, 503 when a digest could
 * not be sent) are tested with fakes. local/routes.ts lists them for the banner.
 */
import type { BackfillHandler } from '../../functions/backfill/app';
import type { WeeklyDigest } from '../../functions/core/digest';
import { renderDigest, type RenderedDigest } from '../../functions/core/digest-render';
import { EVENT_TYPES, type TrackerEvent } from '../../functions/core/events';
import { SUBSCRIBER_FORMATS, type Rendered, type SubscriberFormat } from '../../functions/core/subscriber-formats';
import type { RenderedNotification } from '../../functions/notices/formats';
import type { SweepResult } from '../../functions/stale-redraw-sweep/app';
import { DigestError } from '../../functions/weekly-digest/app';

/** A JSON answer: its status and its body. */
export type JsonAnswer = [status: number, body: unknown];

export interface LocalRouteHandler {
  method: 'GET' | 'POST';
  path: string;
  /** Whether the route reads the request's body (up to MAX_REQUEST_BYTES: past it, 413 as API Gateway answers). */
  readsBody: boolean;
  answer(request: { query: URLSearchParams; body: Buffer }): Promise<JsonAnswer>;
}

/** What the local routes answer from. */
export interface LocalRouteParts {
  sweep(): Promise<SweepResult>;
  sendDigest(): Promise<WeeklyDigest>;
  /** The alerts and the digests sent so far, each oldest first. */
  sent(): { alerts: readonly RenderedNotification[]; digests: readonly RenderedDigest[] };
  events(): readonly TrackerEvent[];
  /** How the follow-ups' Tasks stand (local/runtime/fhir-status.ts), or null with FHIR off. */
  fhirStatus: (() => Promise<unknown>) | null;
  /** The backfill function: called with no time left, it reads one page. */
  backfill: BackfillHandler;
}

const refuse = (status: number, code: string, message: string): JsonAnswer => [status, { error: { code, message } }];
const formatRefusal = (): JsonAnswer => refuse(400, 'invalid_request', `format must be one of ${SUBSCRIBER_FORMATS.join(', ')}`);

/** The table of npm start's own routes. */
export function localRouteTable(parts: LocalRouteParts): LocalRouteHandler[] {
  const route = (method: 'GET' | 'POST', path: string, answer: LocalRouteHandler['answer'], readsBody = false): LocalRouteHandler => ({ method, path, readsBody, answer });
  return [
    route('GET', '/health', async () => [200, { ok: true }]),
    route('POST', '/local/sweep', async () => [200, await parts.sweep()]),
    route('POST', '/local/digest', ({ query }) => digestAnswer(parts, query.get('format'))),
    route('GET', '/local/notifications', async ({ query }) => notificationsAnswer(parts, query.get('format'))),
    route('GET', '/local/fhir', async () => {
      if (parts.fhirStatus === null) return refuse(409, 'fhir_not_configured', 'npm start keeps no FHIR Tasks: restart it with FHIR_BASE_URL set (npm run fhir-server starts a stand-in; docs/local.md)');
      return [200, await parts.fhirStatus()];
    }),
    route('GET', '/local/events', async ({ query }) => eventsAnswer(parts.events(), query.get('type'))),
    route('POST', '/local/backfill', ({ body }) => backfillAnswer(parts, body), true),
  ];
}

/** The route for `method` and `path`, or undefined. */
export function findLocalRoute(table: readonly LocalRouteHandler[], method: string, path: string): LocalRouteHandler | undefined {
  return table.find((route) => route.method === method && route.path === path);
}

/** POST /local/digest: last week's digest sent now, answered in `format` (JSON by default); which step failed, never the error's message. */
async function digestAnswer(parts: LocalRouteParts, format: string | null): Promise<JsonAnswer> {
  const wanted = format ?? 'json';
  if (!isSubscriberFormat(wanted)) return formatRefusal();
  let sent: WeeklyDigest;
  try {
    sent = await parts.sendDigest();
  } catch (error) {
    // Logged by the digest (step, error type); the answer says which step, never the error's message.
    if (error instanceof DigestError) return refuse(503, 'digest_not_sent', error.message);
    throw error;
  }
  return [200, { format: wanted, item: asFormat(renderDigest(sent), wanted) }];
}

/**
 * GET /local/notifications: without format the notifications as JSON, as before; with it, as that
 * subscriber gets them. Weekly digests (POST /local/digest) are among them, in the order sent.
 */
function notificationsAnswer(parts: LocalRouteParts, format: string | null): JsonAnswer {
  const { alerts, digests } = parts.sent();
  if (format === null) return [200, { items: sentInOrder(alerts, digests).map((sent) => sent.json) }];
  if (!isSubscriberFormat(format)) return formatRefusal();
  return [200, { format, items: sentInOrder(alerts, digests).map((sent) => asFormat(sent, format)) }];
}

/** GET /local/events: the events published so far, oldest first, of one type when asked (CONTRACT §7). */
function eventsAnswer(events: readonly TrackerEvent[], type: string | null): JsonAnswer {
  if (type !== null && !EVENT_TYPES.some((known) => known === type)) return refuse(400, 'invalid_request', `type must be one of ${EVENT_TYPES.join(', ')}`);
  return [200, { items: type === null ? events : events.filter((event) => event.type === type) }];
}

/** POST /local/backfill: one page of Junction's orders per request (`npm run backfill` asks again). */
async function backfillAnswer(parts: LocalRouteParts, body: Buffer): Promise<JsonAnswer> {
  let event: unknown;
  try {
    event = JSON.parse(body.toString('utf8'));
  } catch {
    return refuse(400, 'invalid_request', 'the body must be JSON: {"since": "...", "until": "..."}');
  }
  // No time left after the first page: one page per request.
  const answer = await parts.backfill(event, { getRemainingTimeInMillis: () => 0 });
  if (answer.status === 'invalid_request') return refuse(400, 'invalid_request', answer.message);
  if (answer.status === 'not_configured') {
    return refuse(409, 'junction_api_not_configured', 'the tracker has no Junction API key: restart `npm start` with JUNCTION_API_KEY (and JUNCTION_API_BASE_URL) set; nothing was changed');
  }
  return [200, answer];
}

function isSubscriberFormat(format: string): format is SubscriberFormat {
  return SUBSCRIBER_FORMATS.some((known) => known === format);
}

/** A notification or a digest in one format: the e-mail's subject and text, the chat notification, or the JSON. */
function asFormat(rendered: Rendered<unknown, unknown>, format: SubscriberFormat): unknown {
  if (format === 'email') return { subject: rendered.subject, text: rendered.email };
  if (format === 'chat') return rendered.chat;
  return rendered.json;
}

/** Alerts and digests as the topic's subscribers got them: by when each was sent (alerts first at the same instant). */
function sentInOrder(alerts: readonly RenderedNotification[], digests: readonly RenderedDigest[]): (RenderedNotification | RenderedDigest)[] {
  return [...alerts, ...digests].sort((a, b) => Date.parse(a.json.sent_at) - Date.parse(b.json.sent_at));
}
