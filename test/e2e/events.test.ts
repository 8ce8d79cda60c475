/**
 * Events (CONTRACT §7) and retention (§8) end to end, through a real `npm start`:
 * signed webhooks of a redraw story, then what other systems see
 * (GET /local/events, `npx redraw-tracker events`) and what the table keeps
 * (the items' `expires_at`, read straight from the DynamoDB Local endpoint the
 * banner prints, as an operator would look at it).
 *
 * The story, weeks old so that the sweep has something to flag:
 * - `done`: a redraw that completed (the transaction ends completed, results not missing);
 * - `failed`: a redraw that was cancelled (completed with results missing);
 * - `open`: a redraw order still at requisition_created after 21 days (flagged no_progress);
 * - `lone`: a completed order without a transaction.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { keys } from '../../functions/store/keys';
import { LOCAL_CREDENTIALS } from '../../local/dynamodb-local';
import { buildDeliveries, freshId, PHI_CANARY, redrawFlow, simpleFlow, type FlowSpec } from '../support/junction';
import { cliRuns } from '../support/cli-runs';
import { eventually } from '../support/npm-start';
import { OrderAnswer } from '../support/order-answer';
import { postSigned, useTracker } from '../support/tracker-process';

const DAY = 86_400_000;
const RETENTION_DAYS = 30;
const TABLE_NAME = 'redraw-tracker-events-e2e';

const Event = z.object({
  id: z.string().regex(/^[0-9a-f]{32}$/),
  type: z.enum(['order.status_changed', 'redraw.available', 'redraw.order_created', 'redraw.stale', 'redraw.stale_cleared', 'transaction.status_changed', 'transaction.results_missing_changed', 'follow_up.changed']),
  order_id: z.string().nullable(),
  transaction_id: z.string().nullable(),
  status_time: z.string(),
}).loose();
type Event = z.output<typeof Event>;
const Events = z.object({ items: z.array(Event) }).strict();
const Transaction = z.object({ id: z.string(), status: z.string(), reported_status: z.string().nullable(), orders: z.array(OrderAnswer), updated_at: z.string(), follow_up_id: z.string().nullable() }).strict();
type Transaction = z.output<typeof Transaction>;

// The test sweeps itself (POST /local/sweep), as useTracker's tracker leaves it to.
const tracker = useTracker({ RETENTION_DAYS: String(RETENTION_DAYS), TABLE_NAME });
let documents: DynamoDBDocumentClient;
/** Every answer body and command output, checked for PHI at the end. */
const seen: string[] = [];
/** A line typed in a shell in the clone, pointed at the tracker by PORT. */
const { shell } = cliRuns(tracker, seen);

const ids = (() => {
  const redraw = () => ({ transactionId: freshId(), initialId: freshId(), redrawId: freshId() });
  return { done: redraw(), failed: redraw(), open: redraw(), lone: { transactionId: null, orderId: freshId() } };
})();
const flows: Record<keyof typeof ids, FlowSpec> = {
  done: redrawFlow(ids.done, 'completed', new Date(Date.now() - 10 * DAY)),
  failed: redrawFlow(ids.failed, 'cancelled', new Date(Date.now() - 12 * DAY)),
  open: redrawFlow(ids.open, 'in_progress', new Date(Date.now() - 21 * DAY)),
  lone: simpleFlow(ids.lone, 'walk_in_test', undefined, new Date(Date.now() - 5 * DAY)),
};

async function call(path: string, init: RequestInit = {}): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${tracker.url}${path}`, init);
  const text = await response.text();
  seen.push(text);
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function postWebhook(body: unknown): Promise<string> {
  const { text } = await postSigned(tracker, body);
  seen.push(text);
  return z.object({ result: z.string() }).parse(text ? JSON.parse(text) : null).result;
}

async function events(type?: string): Promise<Event[]> {
  const answer = await call(`/local/events${type === undefined ? '' : `?type=${type}`}`);
  expect(answer.status).toBe(200);
  return Events.parse(answer.json).items;
}

async function getTransaction(id: string): Promise<Transaction | null> {
  const answer = await call(`/transactions/${id}`);
  return answer.status === 404 ? null : z.object({ transaction: Transaction }).parse(answer.json).transaction;
}

async function getOrder(id: string): Promise<OrderAnswer> {
  const answer = await call(`/orders/${id}`);
  expect(answer.status).toBe(200);
  return z.object({ order: OrderAnswer }).parse(answer.json).order;
}

async function item(key: { pk: string; sk: string }): Promise<Record<string, unknown>> {
  const { Item } = await documents.send(new GetCommand({ TableName: TABLE_NAME, Key: key, ConsistentRead: true }));
  if (Item === undefined) throw new Error(`no item ${key.pk}`);
  return Item;
}

/** The low-level statuses each order of a flow goes through, in order. */
function pathOf(flow: FlowSpec, orderId: string): string[] {
  const index = flow.orders.findIndex((order) => order.id === orderId);
  return flow.steps.filter((step) => step.order === index).map((step) => step.low);
}

/** The transaction settled: every member's newest webhook reflected in the transaction item (the stream is past it). */
function settled(view: Transaction | null, flow: FlowSpec, status: string): boolean {
  const members = new Set(flow.steps.map((step) => step.order)).size;
  const newest = view?.orders.map((order) => order.last_event?.created_at ?? '').sort().at(-1);
  return view !== null && view.reported_status === status && view.orders.length === members && Date.parse(view.updated_at) === Date.parse(newest ?? '');
}

beforeAll(async () => {
  const endpoint = await tracker.dynamodbEndpoint();
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { ...LOCAL_CREDENTIALS } }));

  for (const flow of Object.values(flows)) {
    for (const delivery of buildDeliveries(flow)) expect(await postWebhook(delivery.body)).toBe('applied');
  }
  // The facts and the expiries run behind the webhooks (the table's stream): wait until it is idle.
  for (const [name, status] of [['done', 'completed'], ['failed', 'completed'], ['open', 'active']] as const) {
    const view = await eventually(() => getTransaction(ids[name].transactionId), (view) => settled(view, flows[name], status));
    if (!settled(view, flows[name], status)) throw new Error(`transaction ${name} did not settle: ${JSON.stringify(view)}`);
  }
}, 180_000);

afterAll(() => {
  documents?.destroy();
});

describe('events through npm start (CONTRACT §7)', () => {
  it("chains each order's order.status_changed facts from null to its final low-level status, through the statuses it went through", async () => {
    const all = await eventually(() => events(), (items) => items.filter((event) => event.order_id === ids.lone.orderId && event.type === 'order.status_changed').length === pathOf(flows.lone, ids.lone.orderId).length);
    for (const flow of Object.values(flows)) {
      for (const order of flow.orders) {
        const path = pathOf(flow, order.id);
        if (path.length === 0) continue;
        const chain = all
          .filter((event) => event.type === 'order.status_changed' && event.order_id === order.id)
          .sort((a, b) => a.status_time.localeCompare(b.status_time));
        expect(chain.map((event) => [event.from, event.to])).toEqual(path.map((to, index) => [index === 0 ? null : path[index - 1], to]));
        for (const event of chain) expect(event).toMatchObject({ transaction_id: flow.transactionId, origin: order.origin, source: 'webhook' });
      }
    }
  });

  it('publishes redraw.available once per initial order that reached redraw_available, and redraw.order_created once per redraw order', async () => {
    // The facts are published from the table's stream, behind the items the beforeAll waited for.
    const stories = [ids.done, ids.failed, ids.open];
    const all = await eventually(() => events(), (items) => stories.every((story) =>
      items.some((event) => event.type === 'redraw.available' && event.order_id === story.initialId) &&
      items.some((event) => event.type === 'redraw.order_created' && event.order_id === story.redrawId)));
    const available = all.filter((event) => event.type === 'redraw.available');
    const created = all.filter((event) => event.type === 'redraw.order_created');
    for (const story of stories) {
      expect(available.filter((event) => event.order_id === story.initialId)).toHaveLength(1);
      expect(available.filter((event) => event.order_id === story.redrawId)).toHaveLength(0);
      const mine = created.filter((event) => event.order_id === story.redrawId);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ transaction_id: story.transactionId, initial_order_id: story.initialId });
    }
    expect(available.filter((event) => event.order_id === ids.lone.orderId)).toEqual([]);
  });

  it('publishes transaction.status_changed to completed with results_missing as §7 defines, and nothing completed for the open redraw', async () => {
    // Published from the stream, behind the transaction items the beforeAll waited for.
    const all = await eventually(() => events('transaction.status_changed'), (items) =>
      [ids.done, ids.failed].every((story) => items.some((event) => event.transaction_id === story.transactionId && event.to === 'completed')) &&
      items.some((event) => event.transaction_id === ids.open.transactionId));
    const chain = (transactionId: string) => all.filter((event) => event.transaction_id === transactionId).sort((a, b) => a.status_time.localeCompare(b.status_time));
    for (const [story, missing] of [[ids.done, false], [ids.failed, true]] as const) {
      const facts = chain(story.transactionId);
      expect(facts[0]).toMatchObject({ from: null });
      for (let i = 1; i < facts.length; i++) expect(facts[i]!.from).toBe(facts[i - 1]!.to);
      // The stream may batch a whole story into one recompute: a status it never stored (active) has no fact.
      expect(facts.filter((event) => event.to === 'completed')).toEqual([expect.objectContaining({ results_missing: missing })]);
      expect(facts.at(-1)).toMatchObject({ to: 'completed', results_missing: missing, order_id: null });
    }
    expect(chain(ids.open.transactionId).map((event) => [event.from, event.to])).toEqual([[null, 'active']]);
    expect(all.filter((event) => event.transaction_id === null)).toEqual([]);
  });

  it('publishes redraw.stale once after the sweep flags the open redraw, and ?type= keeps one type', async () => {
    expect((await events('redraw.stale')).filter((event) => event.order_id === ids.open.redrawId)).toEqual([]);
    const swept = await call('/local/sweep', { method: 'POST' });
    expect(swept.status).toBe(200);
    expect(z.object({ flagged: z.number() }).loose().parse(swept.json).flagged).toBeGreaterThanOrEqual(1);
    const stale = await eventually(() => events('redraw.stale'), (items) => items.some((event) => event.order_id === ids.open.redrawId));
    const mine = stale.filter((event) => event.order_id === ids.open.redrawId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ transaction_id: ids.open.transactionId, reason: 'no_progress', since: expect.any(String) });
    // Nothing else of the story is stale: the finished ones and the lone order are over.
    expect(stale.filter((event) => [ids.done, ids.failed].some((story) => [story.initialId, story.redrawId].includes(event.order_id ?? '')))).toEqual([]);

    // A second sweep flags nothing new: the same fact, no new event.
    expect((await call('/local/sweep', { method: 'POST' })).status).toBe(200);
    const all = await events();
    expect(all.filter((event) => event.type === 'redraw.stale' && event.order_id === ids.open.redrawId)).toHaveLength(1);

    for (const type of ['redraw.available', 'redraw.stale'] as const) {
      const filtered = await events(type);
      expect(filtered.length).toBeGreaterThan(0);
      expect(filtered).toEqual(all.filter((event) => event.type === type));
    }
    expect((await call('/local/events?type=order.nonsense')).status).toBe(400);
  });

  it('gives every fact its own id and canonical times, and no event carries PHI', async () => {
    const all = await events();
    // A follow-up's facts are its versions (several can be recorded at one instant, in one write).
    const facts = new Set(all.map((event) => JSON.stringify([event.type, event.order_id, event.transaction_id, event.status_time, event.from ?? null, event.to ?? null, event.version ?? null])));
    expect(new Set(all.map((event) => event.id)).size).toBe(all.length);
    // Distinct facts, distinct ids: no two facts collapsed under one id.
    expect(facts.size).toBe(all.length);
    expect(JSON.stringify(all)).not.toContain(PHI_CANARY);
    // Canonical instants (functions/core/instant.ts) in every time: text order is time order.
    const canonical = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
    expect(all.filter((event) => !canonical.test(event.status_time) || (event.since !== undefined && !canonical.test(String(event.since))))).toEqual([]);
  });

  it('publishes follow_up.changed for what the tracker did to each redraw’s follow-up (CONTRACT §9), and `events --type follow_up.changed` lists them', async () => {
    const changes = await eventually(
      () => events('follow_up.changed'),
      (items) => items.some((event) => event.follow_up_id === ids.done.transactionId && event.action === 'close'),
    );
    // Each follow-up's versions chain 1, 2, 3...; the redraw order once known is a version of its own unless the
    // follow-up opened knowing it (how the stream batched the webhooks), so the story is told without it.
    const of = (story: { transactionId: string }) => {
      const mine = changes.filter((event) => event.follow_up_id === story.transactionId);
      expect(mine.map((event) => event.version)).toEqual(mine.map((_, index) => index + 1));
      return mine.filter((event) => event.action !== 'redraw_order_known').map((event) => [event.action, event.actor, event.from_state, event.to_state, event.disposition ?? event.attention ?? null]);
    };
    expect(of(ids.done)).toEqual([
      ['open', 'tracker', 'new', 'new', null],
      ['close', 'tracker', 'new', 'closed', 'redraw_completed'],
    ]);
    // Junction supports one redraw: a failed one leaves the follow-up open for a person, marked.
    expect(of(ids.failed)).toEqual([
      ['open', 'tracker', 'new', 'new', null],
      ['attention', 'tracker', 'new', 'new', 'redraw_failed'],
    ]);
    expect(of(ids.open)).toEqual([['open', 'tracker', 'new', 'new', null]]);
    for (const event of changes) expect(event).toMatchObject({ transaction_id: event.follow_up_id, order_id: null });

    const run = await shell('npx redraw-tracker events --type follow_up.changed');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter((line) => line.includes(ids.done.transactionId) && !line.includes('action=redraw_order_known'));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/follow_up\.changed\s.*action=close .*disposition=redraw_completed/);
  });

  it('`npx redraw-tracker events --type redraw.stale` prints the stale fact with its order id', async () => {
    const run = await shell('npx redraw-tracker events --type redraw.stale');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n').filter((line) => line.includes(ids.open.redrawId));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/redraw\.stale\s/);
    expect(lines[0]).toContain('reason=no_progress');
    expect(run.stdout).not.toMatch(/order\.status_changed|redraw\.available/);
  });
});

describe('retention through npm start (CONTRACT §8)', () => {
  const expiryOf = (endedAt: string) => Math.floor(Date.parse(endedAt) / 1000) + RETENTION_DAYS * 86_400;

  it("gives a finished transaction's item and its orders' items expires_at = the later of its end and its follow-up's close + RETENTION_DAYS, in epoch seconds, and none while the follow-up is open", async () => {
    // The failed redraw's follow-up is open (attention: a person decides): nothing of it expires (CONTRACT §8).
    const open = await Promise.all([keys.transaction(ids.failed.transactionId), keys.order(ids.failed.initialId), keys.order(ids.failed.redrawId)].map(item));
    expect(open.map((stored) => stored.expires_at)).toEqual([undefined, undefined, undefined]);
    for (const story of [ids.done]) {
      const view = (await getTransaction(story.transactionId))!;
      const followUp = ((await call(`/follow-ups/${story.transactionId}`)).json as { follow_up: { closed_at: string } }).follow_up;
      const expected = expiryOf([view.updated_at, followUp.closed_at].sort().at(-1)!);
      const now = Date.now() / 1000;
      // Ended days ago: due within RETENTION_DAYS from now, not yet, and in seconds (not milliseconds).
      expect(expected).toBeGreaterThan(now);
      expect(expected).toBeLessThan(now + RETENTION_DAYS * 86_400);
      const items = await eventually(
        () => Promise.all([keys.transaction(story.transactionId), keys.order(story.initialId), keys.order(story.redrawId)].map(item)),
        (found) => found.every((stored) => stored.expires_at === expected),
      );
      expect(items.map((stored) => stored.expires_at)).toEqual([expected, expected, expected]);
    }
  });

  it("leaves the open redraw's transaction and orders without an expiry", async () => {
    for (const key of [keys.transaction(ids.open.transactionId), keys.order(ids.open.initialId), keys.order(ids.open.redrawId)]) {
      expect((await item(key)).expires_at).toBeUndefined();
    }
  });

  it('gives an order without a transaction that ended expires_at = its completion + RETENTION_DAYS', async () => {
    const order = await getOrder(ids.lone.orderId);
    expect(order.low_level_status).toBe('completed');
    const expected = expiryOf(order.last_event!.created_at);
    expect(expected).toBeLessThan(Date.now() / 1000 + RETENTION_DAYS * 86_400);
    const stored = await eventually(() => item(keys.order(ids.lone.orderId)), (found) => found.expires_at === expected);
    expect(stored.expires_at).toBe(expected);
  });

  it('showed no PHI in any answer or output', () => {
    expect(seen.length).toBeGreaterThan(20);
    expect(seen.filter((text) => text.includes(PHI_CANARY))).toEqual([]);
    expect(tracker.stdout()).not.toContain(PHI_CANARY);
    expect(tracker.stderr()).not.toContain(PHI_CANARY);
  });
});
