/**
 * The booking actions' tests (CONTRACT §14): a redraw that can be booked, stored
 * here and known to the Junction stand-in, its free slots as the tracker reads
 * them, and the actions function against both, with what it sent to Junction
 * seen on the wire (the client's fetch, recorded: the stand-in answers).
 */
import { openingEntry } from '../../functions/core/follow-up/history';
import { openFollowUp } from '../../functions/core/follow-up/states';
import { slotsAnswer } from '../../functions/core/booking/slots';
import { DEFAULT_THRESHOLDS } from '../../functions/core/staleness';
import { createFollowUpActionsHandler, type ActionsHttpResponse } from '../../functions/follow-up-actions/app';
import { createPscClient, type PscApi } from '../../functions/junction/psc';
import { writeStoredFollowUp } from '../../functions/store/follow-ups/write';
import type { JunctionStandin } from '../../local/junction-standin';
import type { TestTable } from './dynamodb';
import { atLab, buildDeliveries, freshId, redrawFlow } from './junction';
import { storeFlowWebhooks } from './stored-flows';

export interface Bookable {
  followUpId: string;
  redrawId: string;
  initialId: string;
}

/** A redraw in progress at `lab` (walk-in), stored here and at Junction, and the follow-up the tracker opened for it. */
export async function seedBookable(table: Pick<TestTable, 'db' | 'tableName'>, standin: JunctionStandin, lab = 'quest'): Promise<Bookable> {
  const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const spec = atLab(redrawFlow(ids, 'in_progress', new Date(Date.now() - 3 * 86_400_000)), lab);
  await storeFlowWebhooks(table, spec);
  await standin.recordDeliveries(buildDeliveries(spec));
  const opened = openFollowUp({ id: ids.transactionId, transactionId: ids.transactionId, initialOrderId: ids.initialId, redrawOrderId: ids.redrawId, openedAt: spec.start.toISOString().replace('Z', '000Z') });
  const written = await writeStoredFollowUp(table.db, table.tableName, null, { followUp: opened, redraw: null, dueAt: null, applied: [], expiresAt: null, remindedAt: null }, [openingEntry(opened, new Date(opened.opened_at))], new Date());
  if (written !== 'written') throw new Error('the follow-up was not written');
  return { followUpId: ids.transactionId, redrawId: ids.redrawId, initialId: ids.initialId };
}

export interface FreeSlot {
  booking_key: string;
  site_code: string;
  slot_start: string;
}

/** `count` free slots of the order's sites that book here, as GET .../booking/slots answers them (different times). */
export async function freeSlots(standin: JunctionStandin, orderId: string, count: number): Promise<FreeSlot[]> {
  const psc = createPscClient({ baseUrl: standin.url, apiKey: standin.apiKey });
  const sites = await psc.sites(orderId, 100);
  if (sites.kind !== 'ok') throw new Error('no sites');
  const codes = sites.value.patient_service_centers.filter((site) => site.capabilities.includes('appointment_scheduling_via_junction')).map((site) => site.site_code).slice(0, 5);
  const raw = await psc.slots({ lab: 'quest', siteCodes: codes, allowStale: false });
  if (raw.kind !== 'ok') throw new Error('no slots');
  const slots = slotsAnswer(raw.value, codes, false).sites.flatMap((site) => site.days.flatMap((day) => day.slots.map((slot) => ({ booking_key: slot.booking_key, site_code: site.site_code, slot_start: slot.start }))));
  const distinct = slots.filter((slot, index) => slots.findIndex((other) => other.slot_start === slot.slot_start) === index);
  if (distinct.length < count) throw new Error('not enough free slots');
  return distinct.slice(0, count);
}

/** One request the PSC client sent: method, path, the idempotency headers, the JSON body. */
export interface SentCall {
  method: string;
  path: string;
  idempotencyKey: string | null;
  idempotencyError: string | null;
  body: unknown;
  /** When it was sent (this machine's clock, as the stand-in's log). */
  sentAt: number;
}

/** The stand-in's client, recording what it sends. */
export function recordingPsc(standin: JunctionStandin, options: { timeoutMs?: number; onSend?: (call: SentCall) => void } = {}): { psc: PscApi; sent: SentCall[]; answers: Record<string, unknown>[] } {
  const sent: SentCall[] = [];
  /** The appointments Junction answered to book, reschedule and cancel, in order (with their events and PHI: what its webhooks carry). */
  const answers: Record<string, unknown>[] = [];
  const recording: typeof fetch = async (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    const headers = new Headers(init?.headers);
    const call = { method: init?.method ?? 'GET', path: url.pathname, idempotencyKey: headers.get('x-idempotency-key'), idempotencyError: headers.get('x-idempotency-error'), body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : null, sentAt: Date.now() };
    sent.push(call);
    const answer = fetch(input, init);
    options.onSend?.(call);
    if (call.method !== 'GET' && /\/psc\/appointment\/(book|reschedule|cancel)$/.test(url.pathname)) {
      void answer.then(async (response) => (response.ok ? answers.push((await response.clone().json()) as Record<string, unknown>) : undefined)).catch(() => undefined);
    }
    return answer;
  };
  return { psc: createPscClient({ baseUrl: standin.url, apiKey: standin.apiKey, fetch: recording, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) }), sent, answers };
}

export interface ActionsOptions {
  psc: PscApi | null;
  now: () => Date;
  bookingAsync?: boolean;
  logs?: unknown[];
  metrics?: { name: string; value: number }[];
}

/** The actions function on `table`, booking through `psc`, as `npm start` runs it (actors from x-redraw-actor). */
export function bookingActions(table: Pick<TestTable, 'db' | 'tableName'>, options: ActionsOptions) {
  const record = (level: string) => (message: unknown, ...extra: unknown[]) => {
    options.logs?.push({ level, message, extra });
  };
  return createFollowUpActionsHandler({
    db: table.db,
    tableName: table.tableName,
    thresholds: DEFAULT_THRESHOLDS,
    logger: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
    actorSource: 'header',
    psc: async () => options.psc,
    bookingAsync: options.bookingAsync ?? false,
    metrics: { addMetric: (name, _unit, value) => options.metrics?.push({ name, value }), publishStoredMetrics: () => undefined },
    now: options.now,
  });
}

export type Acted = ActionsHttpResponse & { json: { follow_up?: Record<string, unknown> & { booking: Record<string, unknown> | null; version: number; state: string }; error?: { code: string; message: string }; message?: string } };

/** POSTs `body` as an action on `followUpId` by `actor`, with `remainingMs` left in the function. */
export async function act(handler: ReturnType<typeof bookingActions>, followUpId: string, body: Record<string, unknown>, actor = 'sam.c', remainingMs = 29_000): Promise<Acted> {
  const answer = await handler(
    {
      rawPath: `/follow-ups/${followUpId}/actions`,
      headers: { 'content-type': 'application/json', 'x-redraw-actor': actor },
      body: JSON.stringify(body),
      requestContext: { http: { method: 'POST' } },
    },
    { getRemainingTimeInMillis: () => remainingMs },
  );
  return { ...answer, json: JSON.parse(answer.body) as Acted['json'] };
}

/** A booking's `book` body for `slot`. */
export const bookBody = (slot: FreeSlot, extra: Record<string, unknown> = {}) => ({ action: 'book', ...slot, ...extra });
export const rescheduleBody = (slot: FreeSlot, extra: Record<string, unknown> = {}) => ({ action: 'reschedule_booking', ...slot, ...extra });
/** One of the stand-in's cancellation reasons ("Schedule conflict"). */
export const CANCEL_REASON = '6f1c2b7e-3d4a-4c1b-9e2f-7a8b9c0d1e2f';
