/**
 * The simulator's side of the tracker's HTTP API (`npm start`): signed webhooks,
 * the query API, `POST /local/sweep`, `GET /local/notifications` and
 * `GET /local/events`, read with
 * schemas of just the fields the report shows, and how it shows an order; and
 * what every chapter of the story is told with (ChapterInput, the stand-in's
 * JunctionStandinAccess): the chapters import this module, and it imports
 * none of them. Nothing here prints a payload: ids, statuses, event ids, times and sources.
 */
import * as z from 'zod';
import type { BackfillCounts } from '../../functions/core/backfill-window';
import { signSvixMessage } from '../../functions/core/svix';
import { FollowUpAnswer, OrderAnswer, RedrawPage, TransactionAnswer, type FollowUpView, type OrderView, type TransactionView } from '../../views/answers';
import { freshId, type Delivery } from '../junction/flows';
import type { StandinControl } from '../junction-standin';

/** A failure the user can fix (tracker not running, wrong secret): printed as one line, no stack. */
export class SimulationError extends Error {
  override readonly name: string = 'SimulationError';
}

// The query API's answers as the CLI reads them (CONTRACT §2): one set of schemas for both clients.
export type { OrderView, TransactionView } from '../../views/answers';
const SweepAnswer = z.object({ examined: z.number(), flagged: z.number(), cleared: z.number(), reconciled: z.number().optional(), synced: z.number().optional(), skipped: z.boolean().optional() });
export type SweepAnswer = z.output<typeof SweepAnswer>;
const NotificationsAnswer = z.object({ items: z.array(z.object({ order_id: z.string(), reason: z.string() })) });
const EventsAnswer = z.object({
  items: z.array(z.object({ id: z.string(), type: z.string(), order_id: z.string().nullable(), transaction_id: z.string().nullable(), status_time: z.string(), to: z.string().optional() })),
});
export type PublishedEvent = z.output<typeof EventsAnswer>['items'][number];
const WebhookAnswer = z.union([
  z.object({ result: z.string() }),
  z.object({ error: z.object({ code: z.string() }) }),
]);

export async function checkHealth(base: string): Promise<void> {
  try {
    const response = await fetch(`${base}/health`);
    if (response.ok) return;
  } catch {
    // reported below
  }
  throw new SimulationError(`no tracker answers at ${base}/health: start one with \`npm start\` (or set TRACKER_URL)`);
}

/** Posts one webhook as Svix does and returns the tracker's answer (`applied`, ... or an error code). */
export async function postWebhook(base: string, secret: string, messageId: string, body: Record<string, unknown>): Promise<string> {
  const raw = JSON.stringify(body);
  // Each attempt is signed anew with the time of sending, as Svix does.
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await fetch(`${base}/webhooks/junction`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'svix-id': messageId,
      'svix-timestamp': String(timestamp),
      'svix-signature': signSvixMessage({ secret, messageId, timestamp, rawBody: raw }),
    },
    body: raw,
  });
  const parsed = WebhookAnswer.safeParse(await response.json().catch(() => null));
  if (!parsed.success) return `http_${response.status}`;
  const answer = 'result' in parsed.data ? parsed.data.result : parsed.data.error.code;
  if (answer === 'invalid_signature') {
    throw new SimulationError('the tracker refused the signature: JUNCTION_WEBHOOK_SECRET must be the secret `npm start` printed (or one of those it was given)');
  }
  return answer;
}

export async function getTransaction(base: string, id: string): Promise<TransactionView | null> {
  const response = await fetch(`${base}/transactions/${encodeURIComponent(id)}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new SimulationError(`GET /transactions/${id} answered ${response.status}`);
  return TransactionAnswer.parse(await response.json()).transaction;
}

export async function getOrder(base: string, id: string): Promise<OrderView | null> {
  const response = await fetch(`${base}/orders/${encodeURIComponent(id)}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new SimulationError(`GET /orders/${id} answered ${response.status}`);
  return OrderAnswer.parse(await response.json()).order;
}

export async function getFollowUp(base: string, id: string): Promise<FollowUpView | null> {
  const response = await fetch(`${base}/follow-ups/${encodeURIComponent(id)}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new SimulationError(`GET /follow-ups/${id} answered ${response.status}`);
  return FollowUpAnswer.parse(await response.json()).follow_up;
}

export async function listRedraws(base: string, state: 'open' | 'stale'): Promise<OrderView[]> {
  const items: OrderView[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ state, limit: '100', ...(cursor ? { cursor } : {}) });
    const response = await fetch(`${base}/redraws?${query}`);
    if (!response.ok) throw new SimulationError(`GET /redraws?state=${state} answered ${response.status}`);
    const page = RedrawPage.parse(await response.json());
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/**
 * POST /local/sweep, a route of `npm start` only: null when the tracker has none.
 * One sweep runs at a time (CONTRACT §4): one that finds the periodic sweep
 * running answers `skipped`, and is asked again after it.
 */
export async function runSweep(base: string): Promise<SweepAnswer | null> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${base}/local/sweep`, { method: 'POST' });
    if (!response.ok) return null;
    const answer = SweepAnswer.parse(await response.json());
    if (answer.skipped !== true || attempt >= SWEEP_ATTEMPTS) return answer;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Times a skipped sweep is asked again (half a second apart) before its answer is taken as it is. */
const SWEEP_ATTEMPTS = 120;

/** The order ids the local notifier has sent a stale-redraw notification about (GET /local/notifications). */
export async function notifiedOrders(base: string): Promise<string[]> {
  const response = await fetch(`${base}/local/notifications`);
  if (!response.ok) throw new SimulationError(`GET /local/notifications answered ${response.status}`);
  return NotificationsAnswer.parse(await response.json()).items.map((item) => item.order_id);
}

/** The events the tracker published for other systems (GET /local/events, CONTRACT §7), all or of one type; null when it has no such route. */
export async function listEvents(base: string, type?: string): Promise<PublishedEvent[] | null> {
  const response = await fetch(`${base}/local/events${type === undefined ? '' : `?type=${encodeURIComponent(type)}`}`);
  if (!response.ok) return null;
  return EventsAnswer.parse(await response.json()).items;
}

const FhirStatusAnswer = z.object({ base_url: z.string() });

/** The FHIR base URL the tracker at `base` keeps its Tasks at (GET /local/fhir), or null while FHIR is off (or it has no such route). */
export async function trackerFhirBase(base: string): Promise<string | null> {
  const response = await fetch(`${base}/local/fhir`).catch(() => null);
  if (response === null) return null;
  if (response.status !== 200) {
    await response.body?.cancel();
    return null;
  }
  const parsed = FhirStatusAnswer.safeParse(await response.json().catch(() => null));
  return parsed.success ? parsed.data.base_url.replace(/\/+$/, '') : null;
}

/**
 * How to see the follow-ups' Tasks in the team's EHR (CONTRACT §13), one line:
 * only when the tracker keeps them (GET /local/fhir answers 200); null when it
 * keeps none (409: FHIR_BASE_URL unset) or has no such route. The Task is
 * searched by the follow-up id alone (a token search without a system), which
 * holds whatever FHIR_TASK_SYSTEM the tracker was given.
 */
export async function fhirTasksLine(base: string, followUpId: string | null): Promise<string | null> {
  const fhirBase = await trackerFhirBase(base);
  if (fhirBase === null) return null;
  const one = followUpId === null ? '' : `; follow-up ${followUpId}'s Task: curl -s '${fhirBase}/Task?identifier=${encodeURIComponent(followUpId)}'`;
  return `FHIR Tasks (one per follow-up, kept at ${fhirBase}): curl -s '${base}/local/fhir' (how many are confirmed, behind, refused)${one}`;
}

/** Calls `probe` until `done` holds (or `timeoutMs` passes): the tracker's stream runs behind its webhooks. Returns the last value. */
export async function settle<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() >= deadline) return value;
    await new Promise((wake) => setTimeout(wake, 250));
  }
}

const DeliveredOrder = z.object({ data: z.object({ last_event: z.object({ status: z.string() }) }) });

/** The delivery's event status, e.g. collecting_sample.walk_in_test.redraw_available. */
export function eventStatus(delivery: Delivery): string {
  const parsed = DeliveredOrder.safeParse(delivery.body);
  return parsed.success ? parsed.data.data.last_event.status : '';
}

export const ORDER_HEADER = ['order', 'origin', 'method', 'status', 'last event', 'source'];
export const TIMELINE_WIDTHS = [4, 10, 6, 58, 8, 10];
export const ORDER_WIDTHS = [10, 8, 19, 45, 32, 10];

export function orderRow(order: OrderView, names: ReadonlyMap<string, string>): string {
  return row([
    names.get(order.id) ?? order.id,
    order.origin ?? '-',
    order.collection_method,
    `${order.status}.${order.low_level_status}`,
    order.last_event ? `#${order.last_event.id} ${order.last_event.created_at}` : '-',
    order.source,
  ], ORDER_WIDTHS);
}

export function row(cells: readonly string[], widths: readonly number[]): string {
  return `  ${cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join(' ')}`.trimEnd();
}

/** What the simulator needs to tell the story: the stand-in the tracker reads, and a way to backfill the tracker. */
export interface JunctionStandinAccess {
  /** The stand-in's URL (JUNCTION_API_BASE_URL), for the report. */
  url: string;
  /** The part of its control surface the story uses (`connectStandin(url, key)`). */
  standin: Pick<StandinControl, 'recordDeliveries' | 'loseWebhooks' | 'requests'>;
  /** Backfills the tracker for this window, reporting progress: the `backfill` command's own loop. */
  backfill(window: { since: string; until: string }, progress: (line: string) => void): Promise<{ status: string; counts: BackfillCounts }>;
}

/** What a chapter of the story (follow-ups, appointments) is told with. */
export interface ChapterInput {
  base: string;
  secret: string;
  now: Date;
  settleTimeoutMs: number;
  print: (line: string) => void;
  /** Junction's API stand-in, when the tracker reads it: Junction knows these orders too (the sweep verifies before it flags). */
  junction?: JunctionStandinAccess;
}

/** Posts each body once, in order, as a fresh Svix message; an answer other than applied, duplicate or stale is a surprise. */
export async function postWebhooks(base: string, secret: string, bodies: readonly Record<string, unknown>[], label: string): Promise<void> {
  for (const body of bodies) {
    const answer = await postWebhook(base, secret, `msg_${freshId()}`, body);
    if (!['applied', 'duplicate', 'stale'].includes(answer)) throw new SimulationError(`a webhook of ${label} was answered ${answer}`);
  }
}
