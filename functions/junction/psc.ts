/**
 * Junction's PSC scheduling routes (CONTRACT §14, DOMAIN "Booking a PSC
 * appointment"): the sites near an order, their slots, the cancellation
 * reasons, an order's active appointment, and book, reschedule and cancel.
 *
 * Each call is sent once and never retried (§14: a booking is claimed before it
 * is sent; a retry is the person's, through the claim), bounded to `timeoutMs`
 * (20 s) and to the deadline `withDeadline` gives, its body read up to 1 MiB, no
 * redirect followed (./transport.ts). Outcomes are values: `refused` (a 4xx,
 * with Junction's words cut to one short line, and the field a 422 names),
 * `unauthorized`, or `unavailable` (429, 5xx, a timeout, a network error or an
 * unreadable answer), which says whether the request may have reached Junction
 * (`sent`): for a booking that is an unknown outcome, not a failure.
 *
 * Deliberately free of Powertools and the AWS SDK: it is bundled into Lambdas.
 */
import type * as z from 'zod/mini';
import type { PscFailure } from '../core/booking/junction-failure';
import { describeIssues } from './schemas';
import { AppointmentAnswer, AvailabilityAnswer, CancellationReasonsAnswer, ErrorAnswer, PscInfoAnswer } from './psc-schemas';
import type { JunctionApiSettings } from './settings';
import { pathSegment, send, transportOf, type JunctionClientOptions, type Transport } from './transport';

export type { PscFailure } from '../core/booking/junction-failure';

/** `date`: the answer's `Date` header, as sent (a booking without events ranks by it, §14). */
export type PscOutcome<T> = { kind: 'ok'; value: T; date: string | null } | PscFailure;

export interface SlotsQuery {
  lab: string;
  siteCodes: readonly string[];
  /** YYYY-MM-DD; none sent when absent. */
  startDate?: string;
  /** Junction's availability cache: for the first paint only. */
  allowStale: boolean;
}

export interface BookingCall {
  bookingKey: string;
  /** `x-idempotency-key` (§14 gives its form). */
  idempotencyKey: string;
}

export interface PscApi {
  sites(orderId: string, radius: number): Promise<PscOutcome<PscInfoAnswer>>;
  slots(query: SlotsQuery): Promise<PscOutcome<AvailabilityAnswer>>;
  cancellationReasons(): Promise<PscOutcome<CancellationReasonsAnswer>>;
  /** The order's appointment as Junction has it; null when it answers 404. */
  activeAppointment(orderId: string): Promise<PscOutcome<AppointmentAnswer | null>>;
  book(orderId: string, call: BookingCall & { asyncConfirmation: boolean }): Promise<PscOutcome<AppointmentAnswer>>;
  reschedule(orderId: string, call: BookingCall): Promise<PscOutcome<AppointmentAnswer>>;
  cancel(orderId: string, call: { reasonId: string; idempotencyKey: string }): Promise<PscOutcome<AppointmentAnswer>>;
  /** The same calls, each cut to end by `atEpochMs` (on the client's clock) at the latest. */
  withDeadline(atEpochMs: number): PscApi;
}

/** A call's own bound (§14). */
export const PSC_CALL_TIMEOUT_MS = 20_000;
/** A call that cannot have this long before the deadline is not sent. */
export const PSC_MIN_CALL_MS = 1_000;
/** Junction's words are cut to this many characters. */
const DETAIL_CHARS = 300;

export function createPscClient(options: JunctionClientOptions): PscApi {
  return boundedPsc({ ...options, timeoutMs: options.timeoutMs ?? PSC_CALL_TIMEOUT_MS }, null);
}

/** The client for these settings (npm start's JUNCTION_API_KEY), or `null` without an API key. */
export function pscApiFor(settings: JunctionApiSettings): PscApi | null {
  if (settings.JUNCTION_API_KEY === undefined) return null;
  return createPscClient({ baseUrl: settings.JUNCTION_API_BASE_URL, apiKey: settings.JUNCTION_API_KEY });
}

function boundedPsc(options: JunctionClientOptions, deadline: number | null): PscApi {
  const transport = transportOf(options, deadline);
  const order = (orderId: string, rest: string) => {
    const id = pathSegment(orderId);
    return id === null ? null : `/v3/order/${id}${rest}`;
  };
  return {
    sites: (orderId, radius) => call(transport, 'GET', order(orderId, `/psc/info?radius=${radius}`), undefined, {}, PscInfoAnswer),
    slots: (query) => call(transport, 'POST', `/v3/order/psc/appointment/availability?${slotsQuery(query)}`, undefined, {}, AvailabilityAnswer),
    cancellationReasons: () => call(transport, 'GET', '/v3/order/psc/appointment/cancellation-reasons', undefined, {}, CancellationReasonsAnswer),
    activeAppointment: async (orderId) => {
      const outcome = await call(transport, 'GET', order(orderId, '/psc/appointment'), undefined, {}, AppointmentAnswer);
      return outcome.kind === 'refused' && outcome.status === 404 ? { kind: 'ok', value: null, date: null } : outcome;
    },
    book: (orderId, booking) =>
      call(transport, 'POST', order(orderId, '/psc/appointment/book'), bookBody(booking), idempotency(booking.idempotencyKey), AppointmentAnswer),
    reschedule: (orderId, booking) =>
      call(transport, 'PATCH', order(orderId, '/psc/appointment/reschedule'), { booking_key: booking.bookingKey }, idempotency(booking.idempotencyKey), AppointmentAnswer),
    // Both names of the reason's field: the PSC schema's, and the one Junction's docs' example sends (§14).
    cancel: (orderId, cancel) =>
      call(transport, 'PATCH', order(orderId, '/psc/appointment/cancel'), { cancellationReasonId: cancel.reasonId, cancellation_reason_id: cancel.reasonId }, idempotency(cancel.idempotencyKey), AppointmentAnswer),
    withDeadline: (atEpochMs) => boundedPsc(options, atEpochMs),
  };
}

/** Nothing typed goes to Junction (§14): no `appointment_notes`. */
function bookBody(booking: BookingCall & { asyncConfirmation: boolean }): Record<string, unknown> {
  return booking.asyncConfirmation
    ? { booking_key: booking.bookingKey, async_confirmation: true, sync_confirmation_timeout_millisecond: 5000 }
    : { booking_key: booking.bookingKey };
}

function idempotency(key: string): Record<string, string> {
  return { 'x-idempotency-key': key, 'x-idempotency-error': 'no-cache' };
}

/** The availability route's query: an array as repeated keys, as the OpenAPI gives it. */
function slotsQuery(query: SlotsQuery): string {
  const params = new URLSearchParams({ lab: query.lab });
  for (const code of query.siteCodes) params.append('site_codes', code);
  if (query.startDate !== undefined) params.set('start_date', query.startDate);
  if (query.allowStale) params.set('allow_stale', 'true');
  return params.toString();
}

async function call<S extends z.ZodMiniType>(
  transport: Transport,
  method: 'GET' | 'POST' | 'PATCH',
  path: string | null,
  json: unknown,
  headers: Record<string, string>,
  schema: S,
): Promise<PscOutcome<z.output<S>>> {
  if (path === null) return { kind: 'refused', status: 404, detail: 'not an order id', field: null };
  const left = transport.timeLeft();
  if (left < PSC_MIN_CALL_MS) return { kind: 'unavailable', reason: 'deadline reached before the request', retryAfter: null, sent: false };
  const sent = await send(transport, { method, url: `${transport.base}${path}`, limitMs: Math.min(transport.timeoutMs, left), json, headers, readErrorBody: true });
  if ('failed' in sent) return { kind: 'unavailable', reason: sent.failed, retryAfter: null, sent: true };
  const { status } = sent;
  if (status === 401 || status === 403) return { kind: 'unauthorized', status };
  if (status === 429 || status >= 500) return { kind: 'unavailable', reason: `status ${status}`, retryAfter: sent.retryAfter, sent: true };
  // Not followed (it would send the key elsewhere): what Junction did is not known.
  if (status >= 300 && status <= 399) return { kind: 'unavailable', reason: `redirect not followed (status ${status})`, retryAfter: null, sent: true };
  if (status < 200 || status > 299) return { kind: 'refused', status, ...errorWords(sent.text) };
  return readAnswer(sent.text ?? '', schema, sent.date);
}

/** The text as JSON, or undefined when it is none. */
function jsonOf(text: string | null): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}

function readAnswer<S extends z.ZodMiniType>(text: string, schema: S, date: string | null): PscOutcome<z.output<S>> {
  const json = jsonOf(text);
  if (json === undefined) return { kind: 'unavailable', reason: 'answer is not valid JSON', retryAfter: null, sent: true };
  const answer = schema.safeParse(json);
  if (!answer.success) return { kind: 'unavailable', reason: `answer unreadable: ${describeIssues(answer.error)}`, retryAfter: null, sent: true };
  return { kind: 'ok', value: answer.data, date };
}

/** Junction's words (one line, cut short) and the field a 422 names; nulls where the body gives none. */
export function errorWords(text: string | null): { detail: string | null; field: string | null } {
  const answer = ErrorAnswer.safeParse(jsonOf(text));
  if (!answer.success) return { detail: null, field: null };
  const { detail } = answer.data;
  if (typeof detail === 'string') return { detail: oneLine(detail), field: null };
  const first = detail[0];
  const field = first?.loc.filter((part): part is string => typeof part === 'string' && part !== 'body' && part !== 'query').at(-1) ?? null;
  return { detail: first === undefined ? null : oneLine(first.msg), field: field === null ? null : oneLine(field) };
}

function oneLine(text: string): string | null {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return null;
  return line.length > DETAIL_CHARS ? `${line.slice(0, DETAIL_CHARS - 1)}…` : line;
}
