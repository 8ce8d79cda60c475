/**
 * The simulator behind `npm run simulate`: Junction's webhooks for a handful of
 * realistic orders (a redraw that completes, a redraw nobody created yet, an
 * at-home order, a cancelled one, a test kit still under way), delivered to a
 * running tracker the way Svix delivers them (shuffled, some retried with the
 * same message id and a fresh signature), then the tracker's own view of them.
 */
import * as z from 'zod';
import { signSvixMessage } from '../functions/core/svix';
import { buildDeliveries, freshId, redrawFlow, simpleFlow, svixSchedule, type Delivery, type FlowSpec } from './junction-flows';

export interface SimulationInput {
  /** e.g. http://127.0.0.1:3000 */
  trackerUrl: string;
  /** The `whsec_` secret the tracker accepts. */
  secret: string;
  /** Seed of the delivery order and retries. */
  seed: number;
  /** Where the report goes, line by line. */
  print: (line: string) => void;
  /** How long to wait for the transactions to settle (the stream runs behind the webhook). Default 30 s. */
  settleTimeoutMs?: number;
  /** The present, for the orders' status times; now by default. */
  now?: Date;
}

export interface SimulationResult {
  /** Every request was answered applied, duplicate or stale, and every transaction reached its expected status. */
  ok: boolean;
  requests: number;
  answers: Record<string, number>;
}

/** A failure the user can fix (tracker not running, wrong secret): printed as one line, no stack. */
export class SimulationError extends Error {
  override readonly name = 'SimulationError';
}

interface Scenario {
  label: string;
  description: string;
  transactionId: string;
  expected: 'active' | 'completed' | 'cancelled';
  flow: FlowSpec;
  /** Short names of the flow's orders, by index. */
  names: string[];
}

const HOUR = 3_600_000;

/** The orders the simulator sends: fresh ids on every run, status times in the past few days. */
export function scenarios(now: Date): Scenario[] {
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  const redraw = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const awaiting = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
  const atHome = { transactionId: freshId(), orderId: freshId() };
  const cancelled = { transactionId: freshId(), orderId: freshId() };
  const testkit = { transactionId: freshId(), orderId: freshId() };
  return [
    {
      label: 'A',
      description: 'walk-in order, a marker was missing: redraw_available, then a redraw order that completes',
      transactionId: redraw.transactionId,
      expected: 'completed',
      flow: { ...redrawFlow(redraw, 'completed', ago(80)), stepMinutes: 240, firstEventId: 1000 },
      names: ['A initial', 'A redraw'],
    },
    {
      label: 'B',
      description: 'walk-in order in redraw_available for two days, and no redraw order yet',
      transactionId: awaiting.transactionId,
      expected: 'active',
      flow: { ...redrawFlow(awaiting, 'not_created', ago(60)), stepMinutes: 180, firstEventId: 2000 },
      names: ['B initial', 'B redraw'],
    },
    {
      label: 'C',
      description: 'at-home phlebotomy order that completes',
      transactionId: atHome.transactionId,
      expected: 'completed',
      flow: { ...simpleFlow(atHome, 'at_home_phlebotomy', undefined, ago(50)), stepMinutes: 120, firstEventId: 3000 },
      names: ['C at-home'],
    },
    {
      label: 'D',
      description: 'walk-in order cancelled before the appointment',
      transactionId: cancelled.transactionId,
      expected: 'cancelled',
      flow: {
        transactionId: cancelled.transactionId,
        orders: [{ id: cancelled.orderId, origin: 'initial', method: 'walk_in_test' }],
        steps: ['ordered', 'requisition_created', 'cancelled'].map((low) => ({ order: 0, low })),
        start: ago(30),
        stepMinutes: 90,
        firstEventId: 4000,
      },
      names: ['D walk-in'],
    },
    {
      label: 'E',
      description: 'test kit on its way back to the lab',
      transactionId: testkit.transactionId,
      expected: 'active',
      flow: { ...simpleFlow(testkit, 'testkit', 5, ago(20)), stepMinutes: 180, firstEventId: 5000 },
      names: ['E testkit'],
    },
  ];
}

const OrderView = z.object({
  id: z.string(),
  origin: z.string().nullable(),
  collection_method: z.string(),
  status: z.string(),
  low_level_status: z.string(),
  source: z.string(),
  last_event: z.object({ id: z.number(), created_at: z.string() }).nullable(),
  stale: z.object({ since: z.string(), reason: z.string() }).nullable(),
});
type OrderView = z.output<typeof OrderView>;
const TransactionAnswer = z.object({
  transaction: z.object({
    id: z.string(),
    status: z.string(),
    reported_status: z.string().nullable(),
    orders: z.array(OrderView),
    updated_at: z.string(),
  }),
});
type TransactionView = z.output<typeof TransactionAnswer>['transaction'];
const RedrawsAnswer = z.object({ items: z.array(OrderView), next_cursor: z.string().nullable() });
const SweepAnswer = z.object({ examined: z.number(), flagged: z.number(), cleared: z.number() });
const WebhookAnswer = z.union([
  z.object({ result: z.string() }),
  z.object({ error: z.object({ code: z.string() }) }),
]);

/** Sends the scenarios' webhooks, waits for the tracker to settle and prints what it shows. */
export async function runSimulation(input: SimulationInput): Promise<SimulationResult> {
  const { print } = input;
  const base = input.trackerUrl.replace(/\/+$/, '');
  await checkHealth(base);
  const all = scenarios(input.now ?? new Date());
  const names = new Map<string, string>();
  const deliveries: Delivery[] = [];
  for (const scenario of all) {
    scenario.flow.orders.forEach((order, index) => names.set(order.id, scenario.names[index] ?? scenario.label));
    deliveries.push(...buildDeliveries(scenario.flow));
  }
  const schedule = svixSchedule(deliveries, { seed: input.seed });

  print(`Simulating Junction for ${all.length} order transactions against ${base} (seed ${input.seed}; SIMULATE_SEED=${input.seed} replays this order)`);
  for (const scenario of all) print(`  ${scenario.label}: ${scenario.description}`);
  print('');
  print(`${deliveries.length} webhooks, delivered as ${schedule.length} requests in Svix's order (shuffled; retries keep their svix-id):`);
  print(row(['#', 'order', 'event', 'status', 'attempt', 'answer'], TIMELINE_WIDTHS));
  const answers: Record<string, number> = {};
  let unexpected = 0;
  for (const [n, request] of schedule.entries()) {
    const answer = await postWebhook(base, input.secret, request.messageId, request.delivery.body);
    answers[answer] = (answers[answer] ?? 0) + 1;
    if (!['applied', 'duplicate', 'stale'].includes(answer)) unexpected++;
    if (answer === 'invalid_signature') {
      throw new SimulationError('the tracker refused the signature: JUNCTION_WEBHOOK_SECRET must be the secret `npm start` printed (or one of those it was given)');
    }
    const attempt = request.attempt === 1 ? 'first' : `retry ${request.attempt - 1}`;
    print(row([String(n + 1), names.get(request.delivery.orderId) ?? '?', String(request.delivery.eventId), eventStatus(request.delivery), attempt, answer], TIMELINE_WIDTHS));
  }
  print(`Answers: ${Object.entries(answers).map(([answer, count]) => `${count} ${answer}`).join(', ')}`);
  print('');

  // The transaction status is recomputed from the table's stream: wait for it to catch up.
  const views = await settle(base, all, input.settleTimeoutMs ?? 30_000);
  const converged = all.every((scenario) => views.get(scenario.label)?.status === scenario.expected);
  const main = all[0]!;
  const mainView = views.get(main.label);
  if (mainView) {
    print(`Transaction ${main.label} (the redraw): ${mainView.id}`);
    print(`  status: ${mainView.status}   (Junction's last reported status: ${mainView.reported_status ?? 'none'})`);
    print(row(['order', 'origin', 'method', 'status', 'last event', 'source'], ORDER_WIDTHS));
    for (const order of mainView.orders) print(orderRow(order, names));
    print(`  See it yourself: curl -s ${base}/transactions/${mainView.id}`);
  }
  print('');
  print('Every transaction, as the tracker computes it (expected in brackets):');
  for (const scenario of all) {
    const view = views.get(scenario.label);
    print(`  Transaction ${scenario.label}: ${view?.status ?? 'not found'} [${scenario.expected}]  ${scenario.transactionId}`);
  }
  print('');

  const ours = (order: OrderView) => names.has(order.id);
  const open = (await listRedraws(base, 'open')).filter(ours);
  print(`Open redraws from this run (GET /redraws?state=open): ${open.length}`);
  for (const order of open) print(orderRow(order, names));
  const sweep = await runSweep(base);
  if (sweep) {
    print('');
    print(`Sweep now (POST /local/sweep): examined ${sweep.examined}, flagged ${sweep.flagged}, cleared ${sweep.cleared}`);
    const stale = (await listRedraws(base, 'stale')).filter(ours);
    print(`Stale redraws from this run (GET /redraws?state=stale): ${stale.length}`);
    for (const order of stale) print(`${orderRow(order, names)}  stale: ${order.stale?.reason ?? '?'} since ${order.stale?.since ?? '?'}`);
    print(`Notifications sent so far: GET ${base}/local/notifications`);
  }
  print('');
  print(converged && unexpected === 0 ? 'Done: every transaction reached its expected status.' : 'Done, with surprises: see above.');
  return { ok: converged && unexpected === 0, requests: schedule.length, answers };
}

async function checkHealth(base: string): Promise<void> {
  try {
    const response = await fetch(`${base}/health`);
    if (response.ok) return;
  } catch {
    // reported below
  }
  throw new SimulationError(`no tracker answers at ${base}/health: start one with \`npm start\` (or set TRACKER_URL)`);
}

async function postWebhook(base: string, secret: string, messageId: string, body: Record<string, unknown>): Promise<string> {
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
  return 'result' in parsed.data ? parsed.data.result : parsed.data.error.code;
}

async function settle(base: string, all: readonly Scenario[], timeoutMs: number): Promise<Map<string, TransactionView>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const views = new Map<string, TransactionView>();
    for (const scenario of all) {
      const view = await getTransaction(base, scenario.transactionId);
      if (view) views.set(scenario.label, view);
    }
    if (all.every((scenario) => views.get(scenario.label)?.status === scenario.expected) || Date.now() >= deadline) return views;
    await new Promise((done) => setTimeout(done, 250));
  }
}

async function getTransaction(base: string, id: string): Promise<TransactionView | null> {
  const response = await fetch(`${base}/transactions/${encodeURIComponent(id)}`);
  if (response.status === 404) return null;
  if (!response.ok) throw new SimulationError(`GET /transactions/${id} answered ${response.status}`);
  return TransactionAnswer.parse(await response.json()).transaction;
}

async function listRedraws(base: string, state: 'open' | 'stale'): Promise<OrderView[]> {
  const items: OrderView[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ state, limit: '100', ...(cursor ? { cursor } : {}) });
    const response = await fetch(`${base}/redraws?${query}`);
    if (!response.ok) throw new SimulationError(`GET /redraws?state=${state} answered ${response.status}`);
    const page = RedrawsAnswer.parse(await response.json());
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

/** POST /local/sweep, a route of `npm start` only: null when the tracker has none. */
async function runSweep(base: string): Promise<z.output<typeof SweepAnswer> | null> {
  const response = await fetch(`${base}/local/sweep`, { method: 'POST' });
  if (!response.ok) return null;
  return SweepAnswer.parse(await response.json());
}

const DeliveredOrder = z.object({ data: z.object({ last_event: z.object({ status: z.string() }) }) });

/** The delivery's event status, e.g. collecting_sample.walk_in_test.redraw_available. */
function eventStatus(delivery: Delivery): string {
  const parsed = DeliveredOrder.safeParse(delivery.body);
  return parsed.success ? parsed.data.data.last_event.status : '';
}

function orderRow(order: OrderView, names: ReadonlyMap<string, string>): string {
  return row([
    names.get(order.id) ?? order.id,
    order.origin ?? '-',
    order.collection_method,
    `${order.status}.${order.low_level_status}`,
    order.last_event ? `#${order.last_event.id} ${order.last_event.created_at}` : '-',
    order.source,
  ], ORDER_WIDTHS);
}

const TIMELINE_WIDTHS = [4, 10, 6, 58, 8, 10];
const ORDER_WIDTHS = [10, 8, 19, 45, 32, 10];

function row(cells: readonly string[], widths: readonly number[]): string {
  return `  ${cells.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join(' ')}`.trimEnd();
}
