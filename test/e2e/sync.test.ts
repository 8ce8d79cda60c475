/**
 * The continuous sync (CONTRACT §6, "Continuous sync") end to end, through the
 * processes a user runs: `npm start` given the URL and key of the stand-in for
 * Junction's API (started in this process, so the test controls what Junction
 * knows), orders of every kind at Junction, and the tracker's own HTTP API.
 *
 * Three trackers, each a real `npm start`:
 * - `synced`: Junction's API, and not a single webhook;
 * - `twin`: no API key, every webhook (what webhooks alone produce: the expectation);
 * - `half`: Junction's API, and a random half of the webhooks, shuffled.
 * One sweep each (POST /local/sweep; `redraw-tracker sweep` for `half`, through
 * runCli in this process: test/support/cli-in-process.ts, the same argv and
 * environment; README.md's test runs `npx redraw-tracker sweep` itself), then
 * every order, transaction and redraw list read through the query API must be
 * the twin's, `source` and the flag's `since` aside, and the flags those §4 gives.
 * The first tracker runs its embedded DynamoDB Local; the other two use it
 * through DYNAMODB_ENDPOINT, each with its own table (one JVM instead of three on
 * a 2-core machine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { canonicalInstant } from '../../functions/core/instant';
import { startJunctionStandin, type JunctionStandin } from '../../local/junction-standin';
import {
  buildDeliveries,
  freshId,
  mulberry32,
  newestByOrder,
  PHI_CANARY,
  redrawFlow,
  simpleFlow,
  type Delivery,
  type FlowSpec,
  type Method,
  type RedrawOutcome,
} from '../support/junction';
import { runCliInProcess } from '../support/cli-in-process';
import { eventually } from '../support/npm-start';
import { postSigned, useTrackers, type Tracker } from '../support/tracker-process';
import { OrderAnswer as Order, RedrawPageAnswer as RedrawPage, TransactionAnswer as Transaction } from '../support/order-answer';

const DAY = 86_400_000;

type Transaction = z.output<typeof Transaction>;
const SweepAnswer = z.object({ examined: z.number(), flagged: z.number(), cleared: z.number(), reconciled: z.number(), synced: z.number(), skipped: z.literal(false) }).strict();

/** Every answer body any tracker or command gave, checked for PHI at the end. */
const answers: string[] = [];
let junction: JunctionStandin;

/** `npm start` on a free port, the test driving the sweeps; waits until it answers and its banner is out. */
async function startTracker(settings: Record<string, string>): Promise<Tracker> {
  const tracker = await npmStarts.start({
    // The flows are three weeks old: the first sync reaches back 30 days (older orders would be the backfill's).
    SYNC_LOOKBACK_HOURS: String(30 * 24),
    // Every function's log at info, as on AWS: the PHI checks search the most the tracker can print.
    LOG_FORMAT: 'json',
    ...settings,
  });
  await tracker.banner();
  return tracker;
}

async function call(tracker: Tracker, path: string, init: RequestInit = {}): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${tracker.url}${path}`, init);
  const text = await response.text();
  answers.push(text);
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

/** A webhook as Svix posts it: signed now. */
async function postWebhook(tracker: Tracker, delivery: Delivery): Promise<string> {
  const { text } = await postSigned(tracker, delivery.body);
  answers.push(text);
  return z.object({ result: z.string() }).parse(text ? JSON.parse(text) : null).result;
}

async function getOrder(tracker: Tracker, id: string): Promise<Order | null> {
  const answer = await call(tracker, `/orders/${id}`);
  if (answer.status === 404) return null;
  expect(answer.status).toBe(200);
  return z.object({ order: Order }).parse(answer.json).order;
}

async function getTransaction(tracker: Tracker, id: string): Promise<Transaction | null> {
  const answer = await call(tracker, `/transactions/${id}`);
  if (answer.status === 404) return null;
  expect(answer.status).toBe(200);
  return z.object({ transaction: Transaction }).parse(answer.json).transaction;
}

async function listRedraws(tracker: Tracker, state: 'open' | 'stale'): Promise<Order[]> {
  const items: Order[] = [];
  let cursor: string | null = null;
  do {
    const answer = await call(tracker, `/redraws?state=${state}&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(answer.status).toBe(200);
    const page = RedrawPage.parse(answer.json);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

async function sweep(tracker: Tracker): Promise<z.output<typeof SweepAnswer>> {
  const answer = await call(tracker, '/local/sweep', { method: 'POST' });
  expect(answer.status).toBe(200);
  return SweepAnswer.parse(answer.json);
}

const METHODS: Method[] = ['walk_in_test', 'at_home_phlebotomy', 'on_site_collection', 'testkit'];
const OUTCOMES: RedrawOutcome[] = ['completed', 'cancelled', 'sample_error', 'not_created', 'in_progress'];

/** Orders of every kind: each method cut short (in a transaction) and whole (without one), and a redraw transaction per outcome. */
function everyKind(start: Date): { flows: FlowSpec[]; redraws: Map<RedrawOutcome, { initialId: string; redrawId: string }> } {
  const flows: FlowSpec[] = [];
  METHODS.forEach((method, index) => {
    flows.push(simpleFlow({ transactionId: freshId(), orderId: freshId() }, method, 2 + index, start));
    flows.push(simpleFlow({ transactionId: null, orderId: freshId() }, method, undefined, start));
  });
  const redraws = new Map<RedrawOutcome, { initialId: string; redrawId: string }>();
  for (const outcome of OUTCOMES) {
    const ids = { transactionId: freshId(), initialId: freshId(), redrawId: freshId() };
    redraws.set(outcome, ids);
    flows.push(redrawFlow(ids, outcome, start));
  }
  return { flows: flows.map((flow, index) => ({ ...flow, firstEventId: 1000 + index * 100 })), redraws };
}

// Three weeks ago: long enough for §4's thresholds (24 h awaiting a redraw, 7 days without progress).
const { flows, redraws } = everyKind(new Date(Date.now() - 21 * DAY));
const deliveries = flows.flatMap((flow) => buildDeliveries(flow));
const newest = newestByOrder(deliveries);
const orderIds = [...newest.keys()];
const transactionIds = flows.flatMap((flow) => (flow.transactionId === null ? [] : [flow.transactionId]));

/**
 * §4 from the flows' final states alone: a redraw order still in progress has made
 * no progress for three weeks; an initial order whose redraw order never came has
 * been in redraw_available as long. Every other order has ended or is no redraw.
 */
const expectedFlags = new Map<string, 'no_progress' | 'redraw_not_created'>([
  [redraws.get('in_progress')!.redrawId, 'no_progress'],
  [redraws.get('not_created')!.initialId, 'redraw_not_created'],
]);

/** Waits until the tracker shows every order of the flows at its newest event and every transaction with all its members (the stream runs behind). */
async function settled(tracker: Tracker): Promise<void> {
  const pending = await eventually(
    async () => {
      for (const transactionId of transactionIds) {
        const members = flows.find((flow) => flow.transactionId === transactionId)!.orders.filter((order) => newest.has(order.id));
        const view = await getTransaction(tracker, transactionId);
        const whole =
          view !== null && view.reported_status !== null && view.orders.length === members.length &&
          view.orders.every((order) => order.last_event?.id === newest.get(order.id)!.eventId) &&
          canonicalInstant(view.updated_at) === view.orders.map((order) => canonicalInstant(order.last_event!.created_at)).sort().at(-1);
        if (!whole) return JSON.stringify(view);
      }
      return null;
    },
    (view) => view === null,
    60_000,
    250,
  );
  expect(pending, `${tracker.url} did not settle`).toBeNull();
}

/** An order as the query API shows it, without what differs by how it arrived: `source` and the flag's `since` (the sweep's own time). */
function comparable(order: Order | null): unknown {
  if (order === null) return null;
  const { source: _source, stale, ...rest } = order;
  return { ...rest, stale: stale?.reason ?? null };
}

function comparableTransaction(transaction: Transaction | null): unknown {
  return transaction === null ? null : { ...transaction, orders: transaction.orders.map(comparable) };
}

/** Everything the query API says about the flows' orders and transactions, and both redraw lists (ordered by id). */
async function everythingRead(tracker: Tracker): Promise<{ orders: unknown[]; transactions: unknown[]; open: unknown[]; stale: unknown[] }> {
  const byId = (a: Order, b: Order) => a.id.localeCompare(b.id);
  return {
    orders: await Promise.all(orderIds.map(async (id) => comparable(await getOrder(tracker, id)))),
    transactions: await Promise.all(transactionIds.map(async (id) => comparableTransaction(await getTransaction(tracker, id)))),
    open: (await listRedraws(tracker, 'open')).sort(byId).map(comparable),
    stale: (await listRedraws(tracker, 'stale')).sort(byId).map(comparable),
  };
}

let synced: Tracker;
let twin: Tracker;
let half: Tracker;
let twinState: Awaited<ReturnType<typeof everythingRead>>;

beforeAll(async () => {
  junction = await startJunctionStandin();
  await junction.recordDeliveries(deliveries);
  const junctionEnv = { JUNCTION_API_BASE_URL: junction.url, JUNCTION_API_KEY: junction.apiKey };
  synced = await startTracker(junctionEnv);
  const endpoint = await synced.dynamodbEndpoint();
  [twin, half] = await Promise.all([
    startTracker({ DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: 'redraw-tracker-twin' }),
    startTracker({ DYNAMODB_ENDPOINT: endpoint, TABLE_NAME: 'redraw-tracker-half', ...junctionEnv }),
  ]);
  // The expectation: every webhook, in the order Junction emitted them, to a tracker that never reads Junction.
  for (const delivery of deliveries) expect(await postWebhook(twin, delivery)).toBe('applied');
  await settled(twin);
  const swept = await sweep(twin);
  expect(swept).toMatchObject({ flagged: expectedFlags.size, reconciled: 0, synced: 0 });
  twinState = await everythingRead(twin);
});

afterAll(async () => {
  await junction?.close();
});
/** Registered after the stand-in's afterAll, so stopped before it: the trackers on the shared DynamoDB first, then the one that runs it. */
const npmStarts = useTrackers();

describe('npm start with Junction’s API and no webhook at all', () => {
  it('reads every order in one sweep (`synced` = orders read) and then shows exactly what webhooks would have produced, with the stale flags of §4', async () => {
    await junction.clearRequests();
    const answer = await sweep(synced);
    expect(answer.synced).toBe(orderIds.length);
    expect(answer.reconciled).toBe(orderIds.length);
    expect(answer.flagged).toBe(expectedFlags.size);
    const pages = (await junction.requests()).filter((request) => request.endpoint === 'orders');
    expect(pages.map((request) => request.status)).toEqual([200]);
    expect(pages[0]!.url).toMatch(/[?&]order_key=created_at(&|$)/);

    await settled(synced);
    const mine = await everythingRead(synced);
    expect(mine.orders).toEqual(twinState.orders);
    expect(mine.transactions).toEqual(twinState.transactions);
    expect(mine.open).toEqual(twinState.open);
    expect(mine.stale).toEqual(twinState.stale);
    for (const id of orderIds) expect((await getOrder(synced, id))?.source, `order ${id}`).toBe('api');
  });

  it('flags exactly what §4 gives from Junction’s final states, and lists the open redraws of §2', async () => {
    const flags = new Map<string, string | null>();
    for (const id of orderIds) flags.set(id, (await getOrder(synced, id))?.stale?.reason ?? null);
    for (const id of orderIds) expect(flags.get(id), `order ${id}`).toBe(expectedFlags.get(id) ?? null);
    const stale = await listRedraws(synced, 'stale');
    expect(new Map(stale.map((order) => [order.id, order.stale?.reason]))).toEqual(expectedFlags);
    // Open: the redraw in progress and the initial order whose redraw never came; every other redraw has ended.
    expect((await listRedraws(synced, 'open')).map((order) => order.id).sort()).toEqual([...expectedFlags.keys()].sort());
  });

  it('a second sweep starts where the first one ended: nothing to read, nothing changed', async () => {
    const before = await everythingRead(synced);
    const answer = await sweep(synced);
    expect(answer).toMatchObject({ flagged: 0, cleared: 0, reconciled: 0, synced: 0 });
    expect(await everythingRead(synced)).toEqual(before);
  });
});

describe('npm start with Junction’s API and a random half of the webhooks', () => {
  it('converges in one sweep (`redraw-tracker sweep`) to what every webhook would have produced', async () => {
    const seed = Math.floor(Math.random() * 2 ** 32);
    const random = mulberry32(seed);
    const shuffled = [...deliveries];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const delivered = shuffled.slice(0, Math.floor(shuffled.length / 2));
    for (const delivery of delivered) expect(['applied', 'stale'], `seed ${seed}`).toContain(await postWebhook(half, delivery));

    const run = await runCliInProcess(['sweep'], half.env());
    answers.push(run.stdout, run.stderr);
    expect(run.code, run.stderr).toBe(0);
    const line = /^Swept the local tracker at \S+: examined \d+, flagged (\d+), cleared \d+, reconciled (\d+), synced (\d+)$/m.exec(run.stdout);
    expect(line, run.stdout).not.toBeNull();
    expect(Number(line![3]), `seed ${seed}`).toBe(orderIds.length);
    expect(Number(line![1]), `seed ${seed}`).toBe(expectedFlags.size);
    // Every order whose newest webhook was lost is replaced by the sync; the others were already current.
    const deliveredEvents = new Set(delivered.map((delivery) => delivery.eventId));
    const behind = [...newest.values()].filter((delivery) => !deliveredEvents.has(delivery.eventId)).length;
    expect(Number(line![2]), `seed ${seed}`).toBe(behind);

    await settled(half);
    const mine = await everythingRead(half);
    expect(mine.orders, `seed ${seed}`).toEqual(twinState.orders);
    expect(mine.transactions, `seed ${seed}`).toEqual(twinState.transactions);
    expect(mine.open, `seed ${seed}`).toEqual(twinState.open);
    expect(mine.stale, `seed ${seed}`).toEqual(twinState.stale);
  });
});

describe('PHI', () => {
  it('appears in no answer and in nothing npm start printed, though every order read from Junction carried canaries', () => {
    // The canaries were there to leak: in every webhook body, and so in every order the stand-in answered.
    expect(deliveries.every((delivery) => JSON.stringify(delivery.body).includes(PHI_CANARY))).toBe(true);
    expect(answers.length).toBeGreaterThan(orderIds.length * 3);
    expect(answers.filter((text) => text.includes(PHI_CANARY))).toEqual([]);
    for (const tracker of npmStarts.started) {
      const lines = `${tracker.stdout()}\n${tracker.stderr()}`.split('\n');
      expect(lines.filter((line) => line.includes(PHI_CANARY))).toEqual([]);
      expect(lines.filter((line) => line.includes(junction.apiKey))).toEqual([]);
    }
    // The synced trackers logged their syncs (so their output was there to search).
    expect(npmStarts.started.filter((tracker) => tracker.stdout().includes('"message":"sync done"'))).toHaveLength(2);
  });
});
