/**
 * Junction's PSC scheduling routes at the local stand-in (CONTRACT §14
 * "Locally", DOMAIN "Booking a PSC appointment"; shapes from Junction's OpenAPI,
 * checked by test/integration/junction-standin-openapi.test.ts):
 *
 *   GET   /v3/order/{order_id}/psc/info?radius=10|20|25|50|100     PSCInfo            psc_info
 *   POST  /v3/order/psc/appointment/availability?lab&site_codes&start_date&allow_stale
 *                                                                   AppointmentAvailabilitySlots  psc_availability
 *   POST  /v3/order/{order_id}/psc/appointment/book                 ClientFacingAppointment       psc_book
 *   PATCH /v3/order/{order_id}/psc/appointment/reschedule           ClientFacingAppointment       psc_reschedule
 *   PATCH /v3/order/{order_id}/psc/appointment/cancel               ClientFacingAppointment       psc_cancel
 *   GET   /v3/order/psc/appointment/cancellation-reasons            [ClientFacingAppointmentCancellationReason]  psc_cancellation_reasons
 *
 * (the last column: the StandinEndpoint that faults and the request log name).
 * A query or body Junction's validation refuses is 422 in FastAPI's shape
 * (`{"detail": [{"loc", "msg", "type"}]}`). Book, reschedule and cancel honour
 * `x-idempotency-key` (the first answer to a key, frozen, for 14 days; with
 * `x-idempotency-error: no-cache` only successes are kept) unless the
 * `idempotency` setting is `off`. Sites: junction-standin/psc-sites.ts; slots
 * and booking keys: junction-standin/psc-slots.ts; the booking rules:
 * junction-standin/psc-book.ts.
 */
import type { IncomingMessage } from 'node:http';
import * as z from 'zod';
import { isRecord, readJson } from './http';
import type { StandinStore } from './orders';
import { book, cancel, reschedule, type PscAnswer } from './psc-book';
import { labLocation, orderSites, siteOf } from './psc-sites';
import { availableDays } from './psc-slots';
import { PscState } from './psc-state';
import type { StandinEndpoint } from './types';

export type PscEndpoint = Extract<StandinEndpoint, `psc_${string}`>;

/** Each PSC route: its endpoint name, method and path. */
const ROUTES: readonly { endpoint: PscEndpoint; method: string; path: RegExp }[] = [
  { endpoint: 'psc_availability', method: 'POST', path: /^\/v3\/order\/psc\/appointment\/availability$/ },
  { endpoint: 'psc_cancellation_reasons', method: 'GET', path: /^\/v3\/order\/psc\/appointment\/cancellation-reasons$/ },
  { endpoint: 'psc_info', method: 'GET', path: /^\/v3\/order\/[^/]+\/psc\/info$/ },
  { endpoint: 'psc_book', method: 'POST', path: /^\/v3\/order\/[^/]+\/psc\/appointment\/book$/ },
  { endpoint: 'psc_reschedule', method: 'PATCH', path: /^\/v3\/order\/[^/]+\/psc\/appointment\/reschedule$/ },
  { endpoint: 'psc_cancel', method: 'PATCH', path: /^\/v3\/order\/[^/]+\/psc\/appointment\/cancel$/ },
];

export function pscEndpointOf(pathname: string): PscEndpoint | null {
  return ROUTES.find((route) => route.path.test(pathname))?.endpoint ?? null;
}

/** The method a PSC route takes. */
export function pscMethodOf(endpoint: PscEndpoint): string {
  return ROUTES.find((route) => route.endpoint === endpoint)!.method;
}

/** The fixed reasons Junction lists (ids are uuid4, as its schema says). */
export const CANCELLATION_REASONS = [
  { id: '1986a2de-ff12-4003-915d-16eb94810e6e', name: "I'm feeling sick", is_refundable: true },
  { id: '6f1c2b7e-3d4a-4c1b-9e2f-7a8b9c0d1e2f', name: 'Schedule conflict', is_refundable: true },
  { id: '0b5e4c3d-2a19-4f8e-8d7c-6b5a4f3e2d1c', name: 'Transportation issue', is_refundable: true },
  { id: 'c2d3e4f5-a6b7-4c8d-9e0f-1a2b3c4d5e6f', name: 'Booked by mistake', is_refundable: false },
  { id: '7e8f9a0b-1c2d-4e3f-a4b5-c6d7e8f9a0b1', name: 'Other', is_refundable: false },
] as const;

const IDEMPOTENCY_MS = 14 * 86_400_000;
const RADII = ['10', '20', '25', '50', '100'] as const;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const NO_SLOTS =
  'No slots found. Not all PSCs support scheduling appointments and some included in your query were filtered out because of this. Please try again with different site codes or a different zip code, or see the PSC info endpoints to see which locations support scheduling.';

/** FastAPI's 422 for the first problem zod found in `input`, located under `where` (`query` or `body`). */
function invalid(error: z.ZodError, where: 'query' | 'body', input: unknown): PscAnswer {
  const issue = error.issues[0]!;
  const name = issue.path[0];
  const missing = typeof input === 'object' && input !== null && (typeof name === 'string' ? !(name in input) : false);
  const loc = [where, ...issue.path.map((part) => (typeof part === 'number' ? part : String(part)))];
  return { status: 422, body: { detail: [{ loc, msg: missing ? 'Field required' : issue.message, type: missing ? 'missing' : issue.code }] } };
}

const InfoQuery = z.object({ radius: z.enum(RADII, { error: "Input should be '10', '20', '25', '50' or '100'" }).default('25') });

const isDate = (value: string) => DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
const Bool = z.enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'Input should be a valid boolean' }).transform((value) => ['true', '1', 'yes', 'on'].includes(value));
const AvailabilityQuery = z.object({
  lab: z.enum(['quest', 'sonora_quest'], { error: "Input should be 'quest' or 'sonora_quest'" }),
  start_date: z.string().refine(isDate, 'Input should be a valid date in the format YYYY-MM-DD').optional(),
  site_codes: z.array(z.string()).default([]),
  zip_code: z.string().regex(/^\d{5}$/, "String should match pattern '^\\d{5}$'").optional(),
  radius: z.enum(RADII).optional(),
  allow_stale: Bool.default(false),
});

const BookBody = z.object({
  booking_key: z.string(),
  appointment_notes: z.string().max(1000).nullish(),
  async_confirmation: z.boolean().default(false),
  sync_confirmation_timeout_millisecond: z.number().int().min(1000).max(10_000).nullish(),
  async_confirmation_timeout_millisecond: z.number().int().min(60_000).max(172_800_000).nullish(),
});
const RescheduleBody = z.object({ booking_key: z.string(), appointment_notes: z.string().max(1000).nullish() });
const Uuid = z.string().regex(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i, 'Input should be a valid UUID');
/** The OpenAPI's name (`cancellationReasonId`, with `note`) or the docs' example's (`cancellation_reason_id`, with `notes`): either, the first when both. */
const CancelBody = z
  .object({ cancellationReasonId: Uuid.optional(), cancellation_reason_id: Uuid.optional(), note: z.string().nullish(), notes: z.string().nullish() })
  .refine((body) => body.cancellationReasonId !== undefined || body.cancellation_reason_id !== undefined, { path: ['cancellationReasonId'], message: 'Field required' });

/** The query as FastAPI reads it: a parameter's last value, an array's as every repeated key. */
function queryOf(url: URL, arrays: readonly string[] = []): Record<string, unknown> {
  const query: Record<string, unknown> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = arrays.includes(key) ? url.searchParams.getAll(key) : url.searchParams.getAll(key).at(-1);
  return query;
}

function orderIdOf(url: URL): string | null {
  try {
    return decodeURIComponent(url.pathname.split('/')[3] ?? '');
  } catch {
    return null;
  }
}

function pscInfo(store: StandinStore, url: URL): PscAnswer {
  const raw = queryOf(url);
  const query = InfoQuery.safeParse(raw);
  if (!query.success) return invalid(query.error, 'query', raw);
  const orderId = orderIdOf(url);
  const order = orderId === null ? undefined : store.get(orderId);
  if (!order || orderId === null) return { status: 404, body: { detail: 'Order not found' } };
  const { slug, id } = labOf(order);
  const radius = Number(query.data.radius);
  const sites = orderSites(orderId).filter((entry) => entry.distance <= radius);
  return { status: 200, body: { lab_id: id, slug, patient_service_centers: sites.map((entry) => labLocation(entry, slug)) } };
}

/** The order's `lab_test.lab` slug and id (`quest` when it names none). */
function labOf(order: Record<string, unknown>): { slug: string; id: number } {
  const labTest = order.lab_test;
  const lab = isRecord(labTest) && isRecord(labTest.lab) ? labTest.lab : null;
  const slug = typeof lab?.slug === 'string' && lab.slug !== '' ? lab.slug : 'quest';
  return { slug, id: typeof lab?.id === 'number' && Number.isInteger(lab.id) ? lab.id : 1 };
}

function availability(store: StandinStore, url: URL, nowMs: number): PscAnswer {
  const raw = queryOf(url, ['site_codes']);
  const query = AvailabilityQuery.safeParse(raw);
  if (!query.success) return invalid(query.error, 'query', raw);
  const { lab, start_date, site_codes, zip_code, radius } = query.data;
  if (site_codes.length === 0) {
    if (zip_code === undefined) return { status: 400, body: { detail: 'Either site_codes or zip_code must be provided' } };
    if (radius === undefined) return { status: 400, body: { detail: 'radius must be provided when using zip_code' } };
    // The stand-in places its sites by order, not by zip code: a zip finds none.
    return { status: 404, body: { detail: 'No slots found for zip code' } };
  }
  const sites = [...new Set(site_codes)].flatMap((code) => siteOf(code) ?? []);
  const startDate = start_date ?? new Date(nowMs).toISOString().slice(0, 10);
  const { settings, taken, keys } = store.psc;
  const days = availableDays({ sites, lab, startDate, nowMs, keyTtlMs: settings.keyTtlMs, taken: (code, startMs) => taken.has(PscState.slotId(code, startMs)) }, keys);
  if (days.length === 0) return { status: 404, body: { detail: NO_SLOTS } };
  return { status: 200, body: { slots: days, timezone: null } };
}

/** Reads the body as `schema` takes it: 422 when it is no JSON or not what the route takes. */
async function bodyAs<T>(request: IncomingMessage, schema: z.ZodType<T>): Promise<T | PscAnswer> {
  let json: unknown;
  try {
    json = await readJson(request);
  } catch {
    return { status: 422, body: { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] } };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : invalid(parsed.error, 'body', json);
}

const isAnswer = (value: unknown): value is PscAnswer => typeof value === 'object' && value !== null && 'status' in value && 'body' in value && typeof value.status === 'number';

/** `run`'s answer, or the one first given to the request's idempotency key (14 days), as first emitted. */
function idempotent(store: StandinStore, request: IncomingMessage, nowMs: number, run: () => PscAnswer): PscAnswer {
  const header = request.headers['x-idempotency-key'];
  const key = Array.isArray(header) ? header[0] : header;
  if (store.psc.settings.idempotency === 'off' || key === undefined || key === '') return run();
  const kept = store.psc.idempotency.get(key);
  if (kept && nowMs - kept.atMs < IDEMPOTENCY_MS) return { status: kept.status, body: structuredClone(kept.body) };
  const answer = run();
  const successesOnly = request.headers['x-idempotency-error'] === 'no-cache';
  if (answer.status < 300 || !successesOnly) store.psc.idempotency.set(key, { status: answer.status, body: structuredClone(answer.body), atMs: nowMs });
  return answer;
}

/** The answer of one PSC route (its method already checked). */
export async function answerPsc(store: StandinStore, endpoint: PscEndpoint, request: IncomingMessage, url: URL): Promise<PscAnswer> {
  const nowMs = Date.now();
  const orderId = orderIdOf(url);
  switch (endpoint) {
    case 'psc_info':
      return pscInfo(store, url);
    case 'psc_availability':
      return availability(store, url, nowMs);
    case 'psc_cancellation_reasons':
      return { status: 200, body: CANCELLATION_REASONS.map((reason) => ({ ...reason })) };
    case 'psc_book': {
      const body = await bodyAs(request, BookBody);
      if (isAnswer(body)) return body;
      if (orderId === null) return { status: 404, body: { detail: 'Order not found' } };
      return idempotent(store, request, nowMs, () => book(store, orderId, { bookingKey: body.booking_key, notes: body.appointment_notes ?? null, async: body.async_confirmation }, nowMs));
    }
    case 'psc_reschedule': {
      const body = await bodyAs(request, RescheduleBody);
      if (isAnswer(body)) return body;
      if (orderId === null) return { status: 404, body: { detail: 'Order not found' } };
      return idempotent(store, request, nowMs, () => reschedule(store, orderId, { bookingKey: body.booking_key, notes: body.appointment_notes ?? null }, nowMs));
    }
    case 'psc_cancel': {
      const body = await bodyAs(request, CancelBody);
      if (isAnswer(body)) return body;
      if (orderId === null) return { status: 404, body: { detail: 'Order not found' } };
      const reasonId = (body.cancellationReasonId ?? body.cancellation_reason_id ?? '').toLowerCase();
      return idempotent(store, request, nowMs, () =>
        CANCELLATION_REASONS.some((reason) => reason.id === reasonId) ? cancel(store, orderId, reasonId, nowMs) : { status: 400, body: { detail: 'Invalid cancellation reason' } },
      );
    }
  }
}
