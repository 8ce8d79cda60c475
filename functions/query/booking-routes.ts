/**
 * The booking's read routes (CONTRACT §14): the PSCs near the redraw order, the
 * open slots at some of them, and Junction's cancellation reasons. Each makes
 * one call to Junction, cut to end 2 s before the function does; a 429 or 5xx
 * is a 502 with Retry-After passed on. Nothing answered here is stored, logged
 * or published: the sites near a patient say where the patient lives, and a
 * reason's name is about the patient.
 */
import * as z from 'zod/mini';
import { readRefusal } from '../core/booking/answers';
import type { PscFailure } from '../core/booking/junction-failure';
import { APPOINTMENT_PSC_LABS, bookingLab, notBookable, type BookingFacts } from '../core/booking/options';
import { DEFAULT_RADIUS, SITE_RADII, sitesAnswer } from '../core/booking/sites';
import { slotsAnswer } from '../core/booking/slots';
import type { PscApi } from '../junction/psc';
import { ACT_SCOPE_MISSING, CONSOLE_ACT_SCOPE_CLAIM } from '../shared/access-token';
import { getFollowUp } from '../store/follow-ups/reads';
import { bookingFactsOf } from './booking-facts';
import { HttpError, resourceId, type QueryContext, type RouteHandler, type RouteRequest } from './request';

/** How long the function keeps Junction's cancellation reasons (§14: at most an hour). */
export const REASONS_KEPT_MS = 3_600_000;
/** A call to Junction ends this long before the function does (§14). */
const FUNCTION_RESERVE_MS = 2_000;
const MAX_SLOT_SITES = 5;
const SiteCode = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/));

const KEY_NOT_SET = "Junction's API key is not set: record a booking made with the lab, or see docs/reconcile.md";

/** The follow-up's redraw order and Junction's client, or the 404/409 that says why there is nothing to read. */
async function bookable(context: QueryContext, request: RouteRequest): Promise<{ orderId: string; facts: BookingFacts; psc: PscApi }> {
  requireAct(request);
  const followUp = await getFollowUp(context.db, context.tableName, resourceId(request.id, 'follow_up_id'), context.now());
  if (!followUp) throw new HttpError(404, 'not_found', 'no follow-up with this id');
  const { facts, psc } = await bookingFactsOf(context, followUp.followUp);
  const why = notBookable(facts);
  if (why !== null) throw new HttpError(409, 'not_bookable', why);
  if (psc === null) throw new HttpError(409, 'not_bookable', KEY_NOT_SET);
  return { orderId: facts.redrawOrderId!, facts, psc: psc.withDeadline(context.now().getTime() + request.remainingMs() - FUNCTION_RESERVE_MS) };
}

/** A console user needs the `act` scope here, as for an action (§14); the IAM routes carry no scopes. */
function requireAct(request: RouteRequest): void {
  if (request.scopes !== null && !request.scopes.includes(CONSOLE_ACT_SCOPE_CLAIM)) throw new HttpError(403, 'forbidden', ACT_SCOPE_MISSING);
}

/** Junction's failure as the route's answer: 502 for what it could not answer, else 409 with its words. */
function failed(failure: PscFailure): never {
  const refusal = readRefusal(failure);
  if (refusal !== null) throw new HttpError(502, refusal.code, refusal.message, refusal.retryAfter === null ? {} : { 'retry-after': refusal.retryAfter });
  const words = failure.kind === 'refused' && failure.detail !== null ? `: "${failure.detail}"` : '';
  throw new HttpError(409, 'not_bookable', `Junction did not answer for the redraw order${words}: check the order in Junction's dashboard`);
}

/** GET /follow-ups/{id}/booking/sites?radius=R. */
export const bookingSitesRoute: RouteHandler = async (context, request) => {
  const radius = request.query.radius === undefined ? DEFAULT_RADIUS : SITE_RADII.find((miles) => String(miles) === request.query.radius);
  if (radius === undefined) throw new HttpError(400, 'invalid_parameter', `radius must be one of ${SITE_RADII.join(', ')} (miles)`);
  const { orderId, psc } = await bookable(context, request);
  const outcome = await psc.sites(orderId, radius);
  if (outcome.kind !== 'ok') failed(outcome);
  return { order_id: orderId, lab: outcome.value.slug, radius, sites: sitesAnswer(outcome.value.patient_service_centers) };
};

/** The `site_codes` asked: 1 to 5 distinct codes; a 400 otherwise. */
function siteCodes(value: string | undefined): string[] {
  const codes = (value ?? '').split(',');
  if (value === undefined || codes.length > MAX_SLOT_SITES || new Set(codes).size !== codes.length || !codes.every((code) => SiteCode.safeParse(code).success)) {
    throw new HttpError(400, 'invalid_parameter', `site_codes must be 1 to ${MAX_SLOT_SITES} distinct site codes of letters, digits, "-" or "_", separated by commas`);
  }
  return codes;
}

/** `start_date`: a date from yesterday (UTC) to 90 days ahead, or none. */
function startDate(value: string | undefined, now: Date): string | undefined {
  if (value === undefined) return undefined;
  const day = 86_400_000;
  const at = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  const today = Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== value || at < today - day || at > today + 90 * day) {
    throw new HttpError(400, 'invalid_parameter', 'start_date must be a date (YYYY-MM-DD) from yesterday to 90 days ahead');
  }
  return value;
}

/** GET /follow-ups/{id}/booking/slots?site_codes=A,B&start_date=D[&stale=true]. */
export const bookingSlotsRoute: RouteHandler = async (context, request) => {
  const codes = siteCodes(request.query.site_codes);
  const start = startDate(request.query.start_date, context.now());
  if (request.query.stale !== undefined && request.query.stale !== 'true' && request.query.stale !== 'false') throw new HttpError(400, 'invalid_parameter', 'stale must be true or false');
  const stale = request.query.stale === 'true';
  const { orderId, facts, psc } = await bookable(context, request);
  const lab = await labOf(facts, psc, orderId);
  if (!APPOINTMENT_PSC_LABS.includes(lab)) throw new HttpError(409, 'not_bookable', `${lab} PSCs are booked with the lab: call the PSC, then record the booking`);
  const outcome = await psc.slots({ lab, siteCodes: codes, ...(start === undefined ? {} : { startDate: start }), allowStale: stale });
  // Junction's 404 "No slots found": nothing open at those sites.
  if (outcome.kind === 'refused' && outcome.status === 404) return slotsAnswer({ slots: [] }, codes, stale);
  if (outcome.kind !== 'ok') failed(outcome);
  return slotsAnswer(outcome.value, codes, stale);
};

/** The redraw order's lab, else the initial order's, else the one psc/info names (read once). */
async function labOf(facts: BookingFacts, psc: PscApi, orderId: string): Promise<string> {
  const stored = bookingLab(facts);
  if (stored !== null) return stored;
  const info = await psc.sites(orderId, DEFAULT_RADIUS);
  if (info.kind !== 'ok') failed(info);
  return info.value.slug;
}

/** GET /booking/cancellation-reasons: Junction's list, kept by the function for at most an hour. */
export const cancellationReasonsRoute: RouteHandler = async (context, request) => {
  requireAct(request);
  const psc = context.psc === null ? null : await context.psc();
  if (psc === null) throw new HttpError(409, 'not_bookable', KEY_NOT_SET);
  const now = context.now().getTime();
  const kept = context.kept.reasons;
  if (kept !== null && kept.psc === psc && now - kept.at < REASONS_KEPT_MS) return { items: kept.items };
  const outcome = await psc.withDeadline(now + request.remainingMs() - FUNCTION_RESERVE_MS).cancellationReasons();
  if (outcome.kind !== 'ok') failed(outcome);
  const items = outcome.value.map(({ id, name, is_refundable }) => ({ id, name, is_refundable }));
  context.kept.reasons = { psc, at: now, items };
  return { items };
};
